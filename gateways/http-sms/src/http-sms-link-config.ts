import {
  LinkConfigError,
  validateBaseLinkConfig,
  type DeliveryState,
  type LinkConfig,
} from '@dizi/gateway-kit';
import { checkTemplate } from './http-sms-template';

/** How a provider's answer is judged a success, and where its message id is. */
export interface HttpSmsSuccess {
  /** Inclusive HTTP status range of success. */
  status: [number, number];
  /** The body must match this (e.g. "^OK"); a 2xx that does not is a refusal. */
  bodyRegex?: string;
  /** Message id: first capture group of this regex on the body… */
  messageIdRegex?: string;
  /** …or this dotted path in a JSON body ("data.messages.0.id"). */
  messageIdPath?: string;
}

/** Field names (dotted paths for JSON) in the provider's callbacks. */
export interface HttpSmsInbound {
  /** Shared secret, in the `secretHeader` header or the `secret` query parameter. */
  secret: string;
  secretHeader: string;
  mo: { from: string; to: string; text: string; id?: string };
  report: { messageId: string; status: string; to?: string };
  /** Provider status word → state (case-insensitive); unknown words go through the SMPP/CMPP words. */
  statusMap: Record<string, DeliveryState>;
  /** Largest callback body accepted. */
  maxBodyBytes: number;
}

/** A validated HTTP SMS provider link configuration with every default filled. */
export interface HttpSmsLinkConfig extends LinkConfig {
  kind: 'http-sms';
  method: 'GET' | 'POST' | 'PUT';
  /** URL template; placeholders are percent-encoded. */
  url: string;
  /** Header templates; placeholders are inserted as they are. */
  headers: Record<string, string>;
  contentType: string;
  /** Body template, escaped per contentType (JSON string / form); empty for GET. */
  body: string;
  /** {{from}}: the sender id or number. */
  srcId: string;
  success: HttpSmsSuccess;
  timeoutMs: number;
  /** Extra attempts after a 5xx answer or a refused connection (never after a time-out). */
  retries: number;
  retryDelayMs: number;
  inbound?: HttpSmsInbound;
}

const STATES: readonly DeliveryState[] = [
  'delivered',
  'expired',
  'deleted',
  'undeliverable',
  'accepted',
  'rejected',
  'unknown',
];

export function validateHttpSmsLinkConfig(raw: unknown): HttpSmsLinkConfig {
  const base = validateBaseLinkConfig(raw, { window: 10, tps: 20 });
  const input = base as Record<string, unknown>;
  const id = base.id;
  const fail = (field: string, problem: string): never => {
    throw new LinkConfigError(id, field, problem);
  };
  if (base.kind !== 'http-sms') fail('kind', 'must be "http-sms"');
  const method = String(input.method ?? 'POST').toUpperCase();
  if (method !== 'GET' && method !== 'POST' && method !== 'PUT')
    fail('method', 'must be GET, POST or PUT');
  const url = input.url;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url))
    fail('url', 'must be an http(s) URL template');
  template(url as string, 'url', fail);
  const headers = input.headers ?? {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
    fail('headers', 'must be an object');
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      fail('headers', `"${name}" is not a header name`);
    if (typeof value !== 'string' || /[\r\n]/.test(value))
      fail(`headers.${name}`, 'must be a one-line string');
    template(value as string, `headers.${name}`, fail);
  }
  const contentType = input.contentType ?? 'application/json';
  if (typeof contentType !== 'string' || !contentType) fail('contentType', 'must be a string');
  const body = input.body ?? '';
  if (typeof body !== 'string') fail('body', 'must be a string template');
  template(body as string, 'body', fail);
  const srcId = input.srcId ?? '';
  if (typeof srcId !== 'string') fail('srcId', 'must be a string');
  const success = successOf(input.success, fail);
  const timeoutMs = int(input.timeoutMs ?? 10_000, 'timeoutMs', 1, fail);
  const retries = int(input.retries ?? 2, 'retries', 0, fail);
  const retryDelayMs = int(input.retryDelayMs ?? 500, 'retryDelayMs', 0, fail);
  const inbound = input.inbound === undefined ? undefined : inboundOf(input.inbound, fail);
  return {
    ...base,
    kind: 'http-sms',
    method: method as HttpSmsLinkConfig['method'],
    url: url as string,
    headers: { ...(headers as Record<string, string>) },
    contentType: contentType as string,
    body: body as string,
    srcId: srcId as string,
    success,
    timeoutMs,
    retries,
    retryDelayMs,
    inbound,
  };
}

type Fail = (field: string, problem: string) => never;

function template(value: string, field: string, fail: Fail): void {
  try {
    checkTemplate(value);
  } catch (error) {
    fail(field, (error as Error).message);
  }
}

function int(value: unknown, field: string, min: number, fail: Fail): number {
  if (!Number.isInteger(value) || (value as number) < min)
    fail(field, `must be an integer ≥ ${min}`);
  return value as number;
}

function regex(value: unknown, field: string, fail: Fail): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return fail(field, 'must be a regular expression string');
  try {
    new RegExp(value);
  } catch (error) {
    fail(field, `is not a valid regular expression: ${(error as Error).message}`);
  }
  return value;
}

function successOf(raw: unknown, fail: Fail): HttpSmsSuccess {
  const input = (raw ?? {}) as Record<string, unknown>;
  if (typeof input !== 'object' || Array.isArray(input)) fail('success', 'must be an object');
  const status = input.status ?? [200, 299];
  if (
    !Array.isArray(status) ||
    status.length !== 2 ||
    !status.every((s) => Number.isInteger(s) && s >= 100 && s <= 599) ||
    status[0] > status[1]
  ) {
    fail('success.status', 'must be [low, high] HTTP status codes');
  }
  const messageIdPath = input.messageIdPath;
  if (messageIdPath !== undefined && (typeof messageIdPath !== 'string' || !messageIdPath))
    fail('success.messageIdPath', 'must be a dotted path');
  return {
    status: [(status as number[])[0], (status as number[])[1]],
    bodyRegex: regex(input.bodyRegex, 'success.bodyRegex', fail),
    messageIdRegex: regex(input.messageIdRegex, 'success.messageIdRegex', fail),
    messageIdPath: messageIdPath as string | undefined,
  };
}

function inboundOf(raw: unknown, fail: Fail): HttpSmsInbound {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail('inbound', 'must be an object');
  const input = raw as Record<string, unknown>;
  if (typeof input.secret !== 'string' || input.secret.length < 8)
    fail('inbound.secret', 'must be a string of at least 8 characters');
  const secretHeader = input.secretHeader ?? 'x-dizi-secret';
  if (typeof secretHeader !== 'string' || !secretHeader)
    fail('inbound.secretHeader', 'must be a header name');
  const mo = { from: 'from', to: 'to', text: 'text', ...((input.mo ?? {}) as object) } as Record<
    string,
    unknown
  >;
  const report = {
    messageId: 'id',
    status: 'status',
    ...((input.report ?? {}) as object),
  } as Record<string, unknown>;
  for (const [group, fields] of [
    ['mo', mo],
    ['report', report],
  ] as const) {
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v !== 'string' || !v) fail(`inbound.${group}.${k}`, 'must be a field name');
    }
  }
  const statusMap: Record<string, DeliveryState> = {};
  const rawMap = input.statusMap ?? {};
  if (typeof rawMap !== 'object' || rawMap === null) fail('inbound.statusMap', 'must be an object');
  for (const [word, state] of Object.entries(rawMap as Record<string, unknown>)) {
    if (!STATES.includes(state as DeliveryState))
      fail(`inbound.statusMap.${word}`, `must be one of ${STATES.join(', ')}`);
    statusMap[word.toUpperCase()] = state as DeliveryState;
  }
  return {
    secret: input.secret as string,
    secretHeader: (secretHeader as string).toLowerCase(),
    mo: mo as HttpSmsInbound['mo'],
    report: report as HttpSmsInbound['report'],
    statusMap,
    maxBodyBytes: int(input.maxBodyBytes ?? 65_536, 'inbound.maxBodyBytes', 1, fail),
  };
}
