import {
  ConfigChecker,
  LONG_CONNECTION_DEFAULTS,
  checkLongConnection,
  validateBaseLinkConfig,
  type LongConnectionConfig,
  type TextEncoding,
} from '@dizi/gateway-kit';
import { LoginMode } from './smgp-constants';

/** A validated SMGP link configuration with every default filled. */
export interface SmgpLinkConfig extends LongConnectionConfig {
  kind: 'smgp';
  /** ClientID, at most 8 characters. */
  account: string;
  secret: string;
  /** 0 send, 1 receive, 2 transmit (send and receive on one session). */
  loginMode: number;
  /** SrcTermID; a per-message extension may be appended. */
  srcId: string;
  serviceId: string;
  feeType: string;
  feeCode: string;
  fixedFee: string;
  chargeTermId: string;
  encodings: TextEncoding[];
  /** Idle time before an Active_Test. */
  activeTestIntervalMs: number;
}

const DEFAULTS = {
  ...LONG_CONNECTION_DEFAULTS,
  port: 8890,
  loginMode: LoginMode.TRANSMIT,
  serviceId: '',
  feeType: '00',
  feeCode: '000000',
  fixedFee: '000000',
  chargeTermId: '',
  encodings: ['ascii', 'ucs2'],
  activeTestIntervalMs: 180_000,
};

export function validateSmgpLinkConfig(raw: unknown): SmgpLinkConfig {
  const base = validateBaseLinkConfig(raw, { window: 16, tps: 100 });
  const values: Record<string, unknown> = { ...DEFAULTS, ...base };
  const check = new ConfigChecker(base.id, values);
  if (base.kind !== 'smgp') check.fail('kind', 'must be "smgp"');
  checkLongConnection(check);
  check.text('account', 1, 8);
  check.text('secret', 0, 64);
  check.text('srcId', 1, 21);
  check.digits('srcId');
  check.text('serviceId', 0, 10);
  check.text('feeType', 0, 2);
  check.text('feeCode', 0, 6);
  check.text('fixedFee', 0, 6);
  check.text('chargeTermId', 0, 21);
  check.integer('loginMode', 0, 2);
  check.encodings('encodings', ['ascii', 'gbk', 'ucs2']);
  check.positiveIntegers(['activeTestIntervalMs']);
  return values as SmgpLinkConfig;
}
