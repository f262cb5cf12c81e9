import {
  LinkConfigError,
  validateBaseLinkConfig,
  type LongConnectionConfig,
} from '@dizi/gateway-kit';
import { SMPP_ENCODINGS, type SmppEncoding } from './smpp-data-coding';
import { RECEIPT_ID_FORMATS, type ReceiptIdFormat } from './smpp-receipt';

/** How a text longer than one SMS goes out. */
export type SmppLongMessageMode = 'udh' | 'sar' | 'payload';

/** A validated SMPP 3.4 transceiver link configuration with every default filled. */
export interface SmppLinkConfig extends LongConnectionConfig {
  kind: 'smpp';
  /** bind system_id (≤ 15 characters); `account` is taken when absent. */
  systemId: string;
  /** bind password (≤ 8 characters); `secret` is taken when absent. */
  password: string;
  /** bind system_type (≤ 12 characters), often empty. */
  systemType: string;
  addrTon: number;
  addrNpi: number;
  addressRange: string;
  /** submit_sm service_type (≤ 5 characters). */
  serviceType: string;
  /** source_addr; a message's extension is appended to digit sources. */
  srcId: string;
  /** TON/NPI of source_addr; an alphanumeric srcId always goes as 5/0. */
  sourceTon: number;
  sourceNpi: number;
  /** TON/NPI of destination_addr; a number written with "+" always goes as 1/1. */
  destTon: number;
  destNpi: number;
  /** Text encodings in order of preference: gsm7 (dc 0), ascii (1), latin1 (3), ucs2 (8). */
  encodings: SmppEncoding[];
  /** Long texts: UDH with esm_class 0x40 (default), SAR TLVs, or one message_payload TLV. */
  longMessages: SmppLongMessageMode;
  /** registered_delivery when a report is wanted (1 = receipt on success and failure). */
  registeredDelivery: number;
  /** How the id in a receipt text relates to the submit_sm_resp id (when no receipted_message_id TLV). */
  receiptIdFormat: ReceiptIdFormat;
  /** Idle time before an enquire_link. */
  enquireLinkIntervalMs: number;
}

const DEFAULTS = {
  port: 2775,
  systemType: '',
  addrTon: 0,
  addrNpi: 0,
  addressRange: '',
  serviceType: '',
  sourceTon: 1,
  sourceNpi: 1,
  destTon: 1,
  destNpi: 1,
  encodings: ['gsm7', 'ucs2'] as SmppEncoding[],
  longMessages: 'udh' as SmppLongMessageMode,
  registeredDelivery: 1,
  receiptIdFormat: 'same' as ReceiptIdFormat,
  enquireLinkIntervalMs: 30_000,
  responseTimeoutMs: 10_000,
  maxAttempts: 3,
  connectTimeoutMs: 10_000,
  reconnectMinMs: 1_000,
  reconnectMaxMs: 30_000,
  resumeTimeoutMs: 30_000,
};

const LONG_MODES: readonly SmppLongMessageMode[] = ['udh', 'sar', 'payload'];

/** Checks raw config data (config file or admin API) and fills defaults; throws {@link LinkConfigError}. */
export function validateSmppLinkConfig(raw: unknown): SmppLinkConfig {
  const base = validateBaseLinkConfig(raw, { window: 10, tps: 50 });
  const merged = { ...DEFAULTS, ...base } as Record<string, unknown>;
  const id = base.id;
  const fail = (field: string, problem: string): never => {
    throw new LinkConfigError(id, field, problem);
  };
  if (base.kind !== 'smpp') fail('kind', 'must be "smpp"');
  if (typeof merged.host !== 'string' || !merged.host) fail('host', 'is required');
  merged.systemId ??= merged.account;
  merged.password ??= merged.secret ?? '';
  text(merged, 'systemId', 1, 15, fail);
  text(merged, 'password', 0, 8, fail);
  text(merged, 'systemType', 0, 12, fail);
  text(merged, 'addressRange', 0, 40, fail);
  text(merged, 'serviceType', 0, 5, fail);
  text(merged, 'srcId', 1, 20, fail);
  const srcId = merged.srcId as string;
  if (!/^\+?\d{1,20}$/.test(srcId) && !/^[\x20-\x7e]{1,11}$/.test(srcId)) {
    fail('srcId', 'must be up to 20 digits or an alphanumeric sender of up to 11 characters');
  }
  for (const field of ['addrTon', 'addrNpi', 'sourceTon', 'sourceNpi', 'destTon', 'destNpi']) {
    const v = merged[field];
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 0xff)
      fail(field, 'must be an integer 0-255');
  }
  const rd = merged.registeredDelivery;
  if (!Number.isInteger(rd) || (rd as number) < 0 || (rd as number) > 0x1f)
    fail('registeredDelivery', 'must be an integer 0-31 (SMPP 3.4 §5.2.17)');
  const encodings = merged.encodings;
  if (
    !Array.isArray(encodings) ||
    !encodings.length ||
    !encodings.every((e) => SMPP_ENCODINGS.includes(e as SmppEncoding))
  ) {
    fail('encodings', `must be a non-empty list of ${SMPP_ENCODINGS.join(', ')}`);
  }
  if (!LONG_MODES.includes(merged.longMessages as SmppLongMessageMode))
    fail('longMessages', `must be one of ${LONG_MODES.join(', ')}`);
  if (!RECEIPT_ID_FORMATS.includes(merged.receiptIdFormat as ReceiptIdFormat))
    fail('receiptIdFormat', `must be one of ${RECEIPT_ID_FORMATS.join(', ')}`);
  for (const field of [
    'enquireLinkIntervalMs',
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
  return merged as SmppLinkConfig;
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
