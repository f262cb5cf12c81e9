import {
  LinkConfigError,
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

const ENCODINGS: readonly TextEncoding[] = ['ascii', 'gbk', 'ucs2'];

export function validateSmgpLinkConfig(raw: unknown): SmgpLinkConfig {
  const base = validateBaseLinkConfig(raw, { window: 16, tps: 100 });
  const c = {
    port: 8890,
    loginMode: LoginMode.TRANSMIT,
    serviceId: '',
    feeType: '00',
    feeCode: '000000',
    fixedFee: '000000',
    chargeTermId: '',
    encodings: ['ascii', 'ucs2'],
    activeTestIntervalMs: 180_000,
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
  if (base.kind !== 'smgp') fail('kind', 'must be "smgp"');
  if (typeof c.host !== 'string' || !c.host) fail('host', 'is required');
  const limits: [string, number, number][] = [
    ['account', 1, 8],
    ['secret', 0, 64],
    ['srcId', 1, 21],
    ['serviceId', 0, 10],
    ['feeType', 0, 2],
    ['feeCode', 0, 6],
    ['fixedFee', 0, 6],
    ['chargeTermId', 0, 21],
  ];
  for (const [field, min, max] of limits) {
    const v = c[field];
    if (typeof v !== 'string' || v.length < min || v.length > max || /[^\x20-\x7e]/.test(v)) {
      fail(field, `must be ${min}-${max} printable ASCII characters`);
    }
  }
  if (!/^\d+$/.test(c.srcId as string)) fail('srcId', 'must be digits');
  if (![0, 1, 2].includes(c.loginMode as number)) fail('loginMode', 'must be 0, 1 or 2');
  const encodings = c.encodings;
  if (
    !Array.isArray(encodings) ||
    !encodings.length ||
    !encodings.every((e) => ENCODINGS.includes(e as TextEncoding))
  ) {
    fail('encodings', `must be a non-empty list of ${ENCODINGS.join(', ')}`);
  }
  for (const field of [
    'activeTestIntervalMs',
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
  return c as SmgpLinkConfig;
}
