import {
  LinkConfigError,
  validateBaseLinkConfig,
  type LinkConfig,
  type TextEncoding,
} from '@dizi/gateway-kit';

/** A validated SGIP link configuration with every default filled. */
export interface SgipLinkConfig extends LinkConfig {
  kind: 'sgip';
  /** The SMG we bind to for Submit. */
  host: string;
  port: number;
  /** Our login at the SMG (Bind LoginName / LoginPassword). */
  account: string;
  secret: string;
  /** Our SGIP node id, the first word of every sequence number. */
  nodeId: number;
  /** Enterprise code (CorpId, 5 digits). */
  corpId: string;
  /** SP number (SPNumber); a per-message extension may be appended. */
  srcId: string;
  /** ServiceType. */
  serviceId: string;
  chargeNumber: string;
  feeType: number;
  feeValue: string;
  givenValue: string;
  agentFlag: number;
  morelatetoMTFlag: number;
  /** Prefix put in front of an 11-digit national number (UserNumber usually carries "86"). */
  userNumberPrefix: string;
  encodings: TextEncoding[];
  /** Where we listen for the SMG's own Bind, Deliver and Report (port 0 = any free port). */
  listenHost: string;
  listenPort: number;
  /** Credentials the SMG must present when it binds to us. */
  smgLogin: string;
  smgPassword: string;
  responseTimeoutMs: number;
  maxAttempts: number;
  connectTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  resumeTimeoutMs: number;
}

const ENCODINGS: readonly TextEncoding[] = ['ascii', 'gbk', 'ucs2'];

export function validateSgipLinkConfig(raw: unknown): SgipLinkConfig {
  const base = validateBaseLinkConfig(raw, { window: 16, tps: 100 });
  const c = {
    port: 8801,
    serviceId: '',
    chargeNumber: '000000000000000000000',
    feeType: 1,
    feeValue: '0',
    givenValue: '0',
    agentFlag: 0,
    morelatetoMTFlag: 2,
    userNumberPrefix: '86',
    encodings: ['ascii', 'ucs2'],
    listenHost: '127.0.0.1',
    listenPort: 8001,
    responseTimeoutMs: 60_000,
    maxAttempts: 3,
    connectTimeoutMs: 10_000,
    reconnectMinMs: 1_000,
    reconnectMaxMs: 30_000,
    resumeTimeoutMs: 30_000,
    ...base,
  } as Record<string, unknown>;
  const fail = (field: string, problem: string): never => {
    throw new LinkConfigError(base.id, field, problem);
  };
  if (base.kind !== 'sgip') fail('kind', 'must be "sgip"');
  if (typeof c.host !== 'string' || !c.host) fail('host', 'is required');
  text(c, 'account', 1, 16, fail);
  text(c, 'secret', 0, 16, fail);
  c.smgLogin ??= c.account;
  c.smgPassword ??= c.secret;
  text(c, 'smgLogin', 1, 16, fail);
  text(c, 'smgPassword', 0, 16, fail);
  text(c, 'corpId', 1, 5, fail);
  text(c, 'srcId', 1, 21, fail);
  if (!/^\d+$/.test(c.srcId as string)) fail('srcId', 'must be digits');
  text(c, 'serviceId', 0, 10, fail);
  text(c, 'chargeNumber', 0, 21, fail);
  text(c, 'feeValue', 0, 6, fail);
  text(c, 'givenValue', 0, 6, fail);
  text(c, 'userNumberPrefix', 0, 4, fail);
  text(c, 'listenHost', 1, 255, fail);
  if (
    !Number.isInteger(c.nodeId) ||
    (c.nodeId as number) < 0 ||
    (c.nodeId as number) > 0xffffffff
  ) {
    fail('nodeId', 'must be an integer 0..4294967295');
  }
  for (const field of ['feeType', 'agentFlag', 'morelatetoMTFlag']) {
    const v = c[field];
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 255)
      fail(field, 'must be 0..255');
  }
  const listenPort = c.listenPort;
  if (
    !Number.isInteger(listenPort) ||
    (listenPort as number) < 0 ||
    (listenPort as number) > 65535
  ) {
    fail('listenPort', 'must be 0..65535');
  }
  const encodings = c.encodings;
  if (
    !Array.isArray(encodings) ||
    !encodings.length ||
    !encodings.every((e) => ENCODINGS.includes(e as TextEncoding))
  ) {
    fail('encodings', `must be a non-empty list of ${ENCODINGS.join(', ')}`);
  }
  for (const field of [
    'responseTimeoutMs',
    'maxAttempts',
    'connectTimeoutMs',
    'reconnectMinMs',
    'reconnectMaxMs',
    'resumeTimeoutMs',
  ]) {
    const v = c[field];
    if (!Number.isInteger(v) || (v as number) < 1) fail(field, 'must be an integer ≥ 1');
  }
  if ((c.reconnectMaxMs as number) < (c.reconnectMinMs as number))
    fail('reconnectMaxMs', 'must not be below reconnectMinMs');
  return c as SgipLinkConfig;
}

function text(
  obj: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
  fail: (field: string, problem: string) => never,
): void {
  const v = obj[field];
  if (typeof v !== 'string') fail(field, 'must be a string');
  const s = v as string;
  if (s.length < min || s.length > max || /[^\x20-\x7e]/.test(s))
    fail(field, `must be ${min}-${max} printable ASCII characters`);
}
