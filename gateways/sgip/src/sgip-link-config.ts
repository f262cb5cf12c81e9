import {
  ConfigChecker,
  LONG_CONNECTION_DEFAULTS,
  checkLongConnection,
  validateBaseLinkConfig,
  type LongConnectionConfig,
  type TextEncoding,
} from '@dizi/gateway-kit';

/** A validated SGIP link configuration with every default filled. */
export interface SgipLinkConfig extends LongConnectionConfig {
  kind: 'sgip';
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
}

const DEFAULTS = {
  ...LONG_CONNECTION_DEFAULTS,
  port: 8801,
  serviceId: '',
  // All zeros: the SP pays (no handset is charged).
  chargeNumber: '000000000000000000000',
  // SGIP FeeType 1 = free for the charged number.
  feeType: 1,
  feeValue: '0',
  givenValue: '0',
  agentFlag: 0,
  // 2 = an MT not caused by an MO.
  morelatetoMTFlag: 2,
  userNumberPrefix: '86',
  encodings: ['ascii', 'ucs2'],
  listenHost: '127.0.0.1',
  listenPort: 8001,
};

export function validateSgipLinkConfig(raw: unknown): SgipLinkConfig {
  const base = validateBaseLinkConfig(raw, { window: 16, tps: 100 });
  const values: Record<string, unknown> = { ...DEFAULTS, ...base };
  values.smgLogin ??= values.account;
  values.smgPassword ??= values.secret;
  const check = new ConfigChecker(base.id, values);
  if (base.kind !== 'sgip') check.fail('kind', 'must be "sgip"');
  checkLongConnection(check);
  check.text('account', 1, 16);
  check.text('secret', 0, 16);
  check.text('smgLogin', 1, 16);
  check.text('smgPassword', 0, 16);
  check.text('corpId', 1, 5);
  check.text('srcId', 1, 21);
  check.digits('srcId');
  check.text('serviceId', 0, 10);
  check.text('chargeNumber', 0, 21);
  check.text('feeValue', 0, 6);
  check.text('givenValue', 0, 6);
  check.text('userNumberPrefix', 0, 4);
  check.text('listenHost', 1, 255);
  check.integer('nodeId', 0, 0xffffffff);
  check.integer('feeType', 0, 255);
  check.integer('agentFlag', 0, 255);
  check.integer('morelatetoMTFlag', 0, 255);
  check.integer('listenPort', 0, 65535);
  check.encodings('encodings', ['ascii', 'gbk', 'ucs2']);
  return values as SgipLinkConfig;
}
