import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  GatewayError,
  InvalidPhoneNumberError,
  LinkDownError,
  RateMeter,
  SmsLink,
  SubmitRefusedError,
  TokenBucket,
  deliveryStateOf,
  type DeliveryState,
  type LinkDeps,
  type LinkHealth,
  type OutboundSms,
} from '@dizi/gateway-kit';
import type { HttpSmsInbound, HttpSmsLinkConfig } from './http-sms-link-config';
import {
  escapeForContentType,
  readJsonPath,
  renderTemplate,
  type TemplateValues,
} from './http-sms-template';

/** The provider did not answer within timeoutMs; it may or may not have taken the SMS. */
export class HttpSmsTimeoutError extends GatewayError {
  constructor(
    readonly linkId: string,
    readonly timeoutMs: number,
  ) {
    super('REQUEST_TIMEOUT', `link ${linkId}: provider did not answer within ${timeoutMs} ms`);
  }
}

/** A provider callback that cannot be taken (bad secret, missing field, bad body). */
export class HttpSmsCallbackError extends GatewayError {
  constructor(
    readonly httpStatus: number,
    problem: string,
  ) {
    super('HTTP_SMS_CALLBACK', problem);
  }
}

/** A request listener for the provider's MO and delivery-report callbacks. */
export type HttpSmsCallbackHandler = (req: IncomingMessage, res: ServerResponse) => void;

interface Answer {
  status: number;
  body: string;
}

/**
 * An SMS link to an HTTP provider: each SMS is one request built from templates
 * (method, URL, headers, body), judged by a success matcher (status range, body regex)
 * that also finds the provider's message id (regex group or JSON path; the SMS id when
 * neither is configured). The provider splits long texts itself, so `submit` resolves
 * with one id per SMS. 5xx answers and refused connections are tried again; a time-out
 * is not (the provider may have taken the SMS).
 *
 * MO and delivery reports come back as HTTP callbacks: {@link callbackHandler} is a
 * plain node:http request listener the app mounts; it checks the shared secret and
 * reads the configured fields (query string, form or JSON body).
 */
export class HttpSmsLink extends SmsLink {
  declare readonly config: HttpSmsLinkConfig;
  private readonly bucket: TokenBucket;
  private readonly meter: RateMeter;
  private running = false;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly controllers = new Set<AbortController>();
  private errorCount = 0;
  private lastError: string | undefined;

  constructor(config: HttpSmsLinkConfig, deps: LinkDeps) {
    super(config, deps);
    this.bucket = new TokenBucket(config.tps, undefined, this.clock);
    this.meter = new RateMeter(5, this.clock);
  }

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const c of this.controllers) c.abort();
    await this.flushPartialMessages();
  }

  health(): LinkHealth {
    return {
      state: this.running ? 'up' : 'down',
      windowInUse: this.inFlight,
      windowSize: this.config.window,
      ratePerSec: this.meter.perSecond(),
      tps: this.config.tps,
      errors: this.errorCount,
      lastError: this.lastError,
    };
  }

  async submit(sms: OutboundSms): Promise<string[]> {
    if (!this.running) throw new LinkDownError(this.id, 'stopped');
    const to = sms.to.trim();
    if (!/^\+?\d{3,20}$/.test(to)) throw new InvalidPhoneNumberError(sms.to);
    if (sms.text === undefined || sms.data !== undefined) {
      throw new GatewayError('BAD_SMS', `SMS ${sms.id}: an HTTP provider link sends text only`);
    }
    const values: TemplateValues = {
      to,
      text: sms.text,
      from: this.config.srcId + (sms.sourceExtension ?? ''),
      id: sms.id,
    };
    await this.acquire();
    try {
      await this.bucket.take();
      const id = await this.send(values);
      this.meter.record();
      return [id];
    } catch (error) {
      this.noteError(`SMS ${sms.id}: ${(error as Error).message}`);
      throw error;
    } finally {
      this.release();
    }
  }

  /** The node:http request listener for MO (path ending in /mo) and reports (/report). */
  callbackHandler(): HttpSmsCallbackHandler {
    return (req, res) => {
      void this.handleCallback(req, res).catch((error: unknown) => {
        const status = error instanceof HttpSmsCallbackError ? error.httpStatus : 500;
        if (!(error instanceof HttpSmsCallbackError))
          this.noteError(`callback failed: ${String(error)}`);
        else this.logger.warn({ link: this.id, status }, error.message);
        if (!res.headersSent) {
          res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
        }
        res.end(`${(error as Error).message}\n`);
        if (status === 413) req.destroy();
      });
    };
  }

  private async send(values: TemplateValues): Promise<string> {
    const { method, contentType } = this.config;
    const url = renderTemplate(this.config.url, values, 'url');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.config.headers)) {
      headers[name] = renderTemplate(value, values, 'none');
    }
    let body: string | undefined;
    if (method !== 'GET' && this.config.body) {
      body = renderTemplate(this.config.body, values, escapeForContentType(contentType));
      headers['content-type'] ??= contentType;
    }
    for (let attempt = 0; ; attempt++) {
      let answer: Answer;
      try {
        answer = await this.request(url, method, headers, body);
      } catch (error) {
        if (error instanceof HttpSmsTimeoutError || attempt >= this.config.retries) throw error;
        this.noteError(`request failed, trying again: ${(error as Error).message}`);
        await this.pause();
        continue;
      }
      if (answer.status >= 500 && attempt < this.config.retries) {
        this.noteError(`provider answered ${answer.status}, trying again`);
        await this.pause();
        continue;
      }
      return this.judge(answer, values.id);
    }
  }

  private judge(answer: Answer, smsId: string): string {
    const {
      status: [low, high],
      bodyRegex,
      messageIdRegex,
      messageIdPath,
    } = this.config.success;
    const excerpt = answer.body.slice(0, 200);
    if (answer.status < low || answer.status > high) {
      throw new SubmitRefusedError(
        this.id,
        answer.status,
        `HTTP ${answer.status}: ${excerpt}`,
        answer.status >= 500 || answer.status === 429,
      );
    }
    if (bodyRegex && !new RegExp(bodyRegex).test(answer.body)) {
      throw new SubmitRefusedError(
        this.id,
        answer.status,
        `answer does not match ${bodyRegex}: ${excerpt}`,
        false,
      );
    }
    let messageId: string | undefined;
    if (messageIdRegex) messageId = new RegExp(messageIdRegex).exec(answer.body)?.[1];
    else if (messageIdPath) {
      try {
        messageId = readJsonPath(JSON.parse(answer.body), messageIdPath);
      } catch {
        messageId = undefined;
      }
    } else return smsId;
    if (!messageId) {
      // Accepted, but the id reports would be matched by is missing: say so, do not resend.
      this.logger.warn(
        { link: this.id, sms: smsId, body: excerpt },
        'no message id in the provider answer; using the SMS id',
      );
      return smsId;
    }
    return messageId;
  }

  private async request(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<Answer> {
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = this.clock.setTimeout(() => controller.abort(), this.config.timeoutMs);
    try {
      const response = await fetch(url, { method, headers, body, signal: controller.signal });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      if (controller.signal.aborted) {
        if (!this.running) throw new LinkDownError(this.id, 'stopped');
        throw new HttpSmsTimeoutError(this.id, this.config.timeoutMs);
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new LinkDownError(
        this.id,
        `cannot reach the provider: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      );
    } finally {
      this.clock.clearTimeout(timer);
      this.controllers.delete(controller);
    }
  }

  private async handleCallback(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const inbound = this.config.inbound;
    if (!inbound) throw new HttpSmsCallbackError(404, 'this link takes no callbacks');
    const url = new URL(req.url ?? '/', 'http://callback');
    const kind = url.pathname.endsWith('/mo')
      ? 'mo'
      : url.pathname.endsWith('/report')
        ? 'report'
        : null;
    if (!kind) throw new HttpSmsCallbackError(404, `unknown callback path ${url.pathname}`);
    if (req.method !== 'GET' && req.method !== 'POST')
      throw new HttpSmsCallbackError(405, `method ${req.method} not allowed`);
    const given =
      headerValue(req.headers[inbound.secretHeader]) ?? url.searchParams.get('secret') ?? '';
    if (!sameSecret(given, inbound.secret))
      throw new HttpSmsCallbackError(401, 'bad or missing secret');
    const fields = await readFields(req, url, inbound.maxBodyBytes);
    const taken =
      kind === 'mo' ? await this.takeMo(fields, inbound) : await this.takeReport(fields, inbound);
    if (!taken) throw new HttpSmsCallbackError(503, 'could not store it; send it again later');
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('OK\n');
  }

  private takeMo(fields: Fields, inbound: HttpSmsInbound): Promise<boolean> {
    const from = required(fields, inbound.mo.from);
    const to = required(fields, inbound.mo.to);
    const text = required(fields, inbound.mo.text, true);
    const carrierId = inbound.mo.id ? fields(inbound.mo.id) : undefined;
    // The text is already decoded; it goes through the kit as UTF-16BE so nothing is lost.
    return this.receiveInbound(
      { from, to, carrierId },
      { encoding: 'ucs2', bytes: Buffer.from(text, 'utf16le').swap16() },
      undefined,
    );
  }

  private takeReport(fields: Fields, inbound: HttpSmsInbound): Promise<boolean> {
    const messageId = required(fields, inbound.report.messageId);
    const status = required(fields, inbound.report.status);
    return this.receiveReport({
      linkId: this.id,
      messageId,
      to: (inbound.report.to ? fields(inbound.report.to) : undefined) ?? '',
      state: stateOf(status, inbound.statusMap),
      carrierStatus: status,
    });
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < this.config.window) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(resolve, this.config.retryDelayMs);
      timer.unref?.();
    });
  }

  private noteError(message: string): void {
    this.errorCount++;
    this.lastError = message;
    this.logger.warn({ link: this.id }, message);
  }
}

/** Looks a field up by name (dotted path for JSON bodies). */
type Fields = (name: string) => string | undefined;

function required(fields: Fields, name: string, allowEmpty = false): string {
  const value = fields(name);
  if (value === undefined || (!allowEmpty && !value.trim())) {
    throw new HttpSmsCallbackError(400, `field "${name}" is missing`);
  }
  return value;
}

function stateOf(status: string, map: Record<string, DeliveryState>): DeliveryState {
  const word = status.trim().toUpperCase();
  if (map[word]) return map[word];
  switch (word) {
    case 'DELIVERED':
      return 'delivered';
    case 'FAILED':
    case 'UNDELIVERED':
    case 'UNDELIVERABLE':
      return 'undeliverable';
    case 'REJECTED':
      return 'rejected';
    case 'ACCEPTED':
    case 'SENT':
    case 'QUEUED':
      return 'accepted';
    default:
      return deliveryStateOf(word);
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Fields of a callback: query string, plus a form or JSON body for POST. */
async function readFields(req: IncomingMessage, url: URL, limit: number): Promise<Fields> {
  const query = url.searchParams;
  if (req.method !== 'POST') return (name) => query.get(name) ?? undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpSmsCallbackError(413, `body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new HttpSmsCallbackError(400, 'body is not valid JSON');
    }
    return (name) => readJsonPath(parsed, name) ?? query.get(name) ?? undefined;
  }
  const form = new URLSearchParams(text);
  return (name) => form.get(name) ?? query.get(name) ?? undefined;
}
