import {
  LinkConfigError,
  validateBaseLinkConfig,
  type LinkConfig,
  type TextEncoding,
} from '@dizi/gateway-kit';
import { CMPP_VERSION_2, CMPP_VERSION_3, type CmppVersion } from './cmpp-constants';

/** A validated CMPP link configuration with every default filled. */
export interface CmppLinkConfig extends LinkConfig {
  kind: 'cmpp';
  version: '2.0' | '3.0';
  host: string;
  port: number;
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
  /** Wait for any response (spec T = 60 s). */
  responseTimeoutMs: number;
  /** Sends of one request or unanswered ACTIVE_TESTs before giving up (spec N = 3). */
  maxAttempts: number;
  connectTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** How long a segment already under way waits for a reconnect before failing. */
  resumeTimeoutMs: number;
}

const DEFAULTS = {
  version: '3.0',
  port: 7890,
  serviceId: '',
  feeUserType: 2,
  feeTerminalId: '',
  feeType: '01',
  feeCode: '000000',
  encodings: ['ascii', 'ucs2'] as TextEncoding[],
  activeTestIntervalMs: 180_000,
  responseTimeoutMs: 60_000,
  maxAttempts: 3,
  connectTimeoutMs: 10_000,
  reconnectMinMs: 1_000,
  reconnectMaxMs: 30_000,
  resumeTimeoutMs: 30_000,
};

const ENCODINGS: readonly TextEncoding[] = ['ascii', 'gbk', 'ucs2'];

export function validateCmppLinkConfig(raw: unknown): CmppLinkConfig {
  const base = validateBaseLinkConfig(raw, { window: 16, tps: 100 });
  const merged = { ...DEFAULTS, ...base } as Record<string, unknown>;
  const id = base.id;
  const fail = (field: string, problem: string): never => {
    throw new LinkConfigError(id, field, problem);
  };
  if (base.kind !== 'cmpp') fail('kind', 'must be "cmpp"');
  if (merged.version !== '2.0' && merged.version !== '3.0')
    fail('version', 'must be "2.0" or "3.0"');
  if (typeof merged.host !== 'string' || !merged.host) fail('host', 'is required');
  text(merged, 'account', 1, 6, fail);
  text(merged, 'secret', 0, 64, fail);
  text(merged, 'serviceId', 0, 10, fail);
  text(merged, 'srcId', 1, 21, fail);
  if (!/^\d+$/.test(merged.srcId as string)) fail('srcId', 'must be digits');
  merged.msgSrc ??= merged.account;
  text(merged, 'msgSrc', 0, 6, fail);
  text(merged, 'feeTerminalId', 0, 21, fail);
  text(merged, 'feeType', 0, 2, fail);
  text(merged, 'feeCode', 0, 6, fail);
  const feeUserType = merged.feeUserType;
  if (
    !Number.isInteger(feeUserType) ||
    (feeUserType as number) < 0 ||
    (feeUserType as number) > 3
  ) {
    fail('feeUserType', 'must be 0, 1, 2 or 3');
  }
  const encodings = merged.encodings;
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
    const v = merged[field];
    if (!Number.isInteger(v) || (v as number) < 1) fail(field, 'must be an integer ≥ 1');
  }
  if ((merged.reconnectMaxMs as number) < (merged.reconnectMinMs as number)) {
    fail('reconnectMaxMs', 'must not be below reconnectMinMs');
  }
  return merged as CmppLinkConfig;
}

export function cmppVersionByte(config: Pick<CmppLinkConfig, 'version'>): CmppVersion {
  return config.version === '2.0' ? CMPP_VERSION_2 : CMPP_VERSION_3;
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
  if (s.length < min || s.length > max || /[^\x20-\x7e]/.test(s)) {
    fail(field, `must be ${min}-${max} printable ASCII characters`);
  }
}
