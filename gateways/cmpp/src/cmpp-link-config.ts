import {
  ConfigChecker,
  LONG_CONNECTION_DEFAULTS,
  checkLongConnection,
  validateBaseLinkConfig,
  type LongConnectionConfig,
  type TextEncoding,
} from '@dizi/gateway-kit';
import { CMPP_VERSION_2, CMPP_VERSION_3, type CmppVersion } from './cmpp-constants';

/** A validated CMPP link configuration with every default filled. */
export interface CmppLinkConfig extends LongConnectionConfig {
  kind: 'cmpp';
  version: '2.0' | '3.0';
  /** SP_Id (企业代码), at most 6 characters: CONNECT Source_Addr. */
  account: string;
  secret: string;
  serviceId: string;
  /** SP service number; Src_Id = srcId + the message's extension, at most 21 digits. */
  srcId: string;
  /** Msg_src; defaults to the account. */
  msgSrc: string;
  feeUserType: number;
  feeTerminalId: string;
  feeType: string;
  feeCode: string;
  /** Text encodings in order of preference (Msg_Fmt 0 ascii, 15 gbk, 8 ucs2). */
  encodings: TextEncoding[];
  /** Idle time before an ACTIVE_TEST (spec C = 3 min). */
  activeTestIntervalMs: number;
}

const DEFAULTS = {
  ...LONG_CONNECTION_DEFAULTS,
  version: '3.0',
  port: 7890,
  serviceId: '',
  feeUserType: 2,
  feeTerminalId: '',
  feeType: '01',
  feeCode: '000000',
  encodings: ['ascii', 'ucs2'],
  activeTestIntervalMs: 180_000,
};

export function validateCmppLinkConfig(raw: unknown): CmppLinkConfig {
  const base = validateBaseLinkConfig(raw, { window: 16, tps: 100 });
  const values: Record<string, unknown> = { ...DEFAULTS, ...base };
  values.msgSrc ??= values.account;
  const check = new ConfigChecker(base.id, values);
  if (base.kind !== 'cmpp') check.fail('kind', 'must be "cmpp"');
  if (values.version !== '2.0' && values.version !== '3.0')
    check.fail('version', 'must be "2.0" or "3.0"');
  checkLongConnection(check);
  check.text('account', 1, 6);
  check.text('secret', 0, 64);
  check.text('serviceId', 0, 10);
  check.text('srcId', 1, 21);
  check.digits('srcId');
  check.text('msgSrc', 0, 6);
  check.text('feeTerminalId', 0, 21);
  check.text('feeType', 0, 2);
  check.text('feeCode', 0, 6);
  check.integer('feeUserType', 0, 3);
  check.encodings('encodings', ['ascii', 'gbk', 'ucs2']);
  check.positiveIntegers(['activeTestIntervalMs']);
  return values as CmppLinkConfig;
}

export function cmppVersionByte(config: Pick<CmppLinkConfig, 'version'>): CmppVersion {
  return config.version === '2.0' ? CMPP_VERSION_2 : CMPP_VERSION_3;
}
