import {
  LinkConfigError,
  validateBaseLinkConfig,
  type LinkConfig,
  type TextEncoding,
} from '@dizi/gateway-kit';

/** A validated GSM modem link configuration with every default filled. */
export interface ModemLinkConfig extends LinkConfig {
  kind: 'modem';
  /** Serial device, e.g. /dev/ttyUSB2. */
  path: string;
  baudRate: number;
  /** SIM PIN, sent when the modem asks for it (AT+CPIN?). */
  pin?: string;
  /** Service centre put into each PDU; omitted = the one stored on the SIM (SCA 00). */
  smsc?: string;
  /** The SIM's own number, used as `to` of inbound messages. */
  number: string;
  /** AT+CNMI parameters: how new messages and reports are indicated. */
  cnmi: string;
  /** AT+CSMS service: 1 (phase 2+) makes the link acknowledge +CMT/+CDS with AT+CNMA. */
  csms: 0 | 1;
  /** Message storage for AT+CPMS (read/delete, write/send, receive). */
  storage: string;
  encodings: TextEncoding[];
  /** At most one SMS segment per this many ms (a modem does about one every 3 s). */
  sendIntervalMs: number;
  /** Time-out for ordinary commands. */
  commandTimeoutMs: number;
  /** Time-out for AT+CMGS (network round trip included). */
  sendTimeoutMs: number;
  /** An AT probe after this much idle time finds a modem that stopped answering. */
  probeIntervalMs: number;
  /** Sends of one segment at most (time-outs, retryable +CMS errors). */
  maxAttempts: number;
  retryDelayMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** How long a segment waits for the modem to come back before failing. */
  resumeTimeoutMs: number;
  /** Ask for status reports (TP-SRR) unless the SMS says otherwise. */
  statusReports: boolean;
  /** Relative TP-VP in minutes; omitted = no validity period. */
  validityMinutes?: number;
  /** Numbers without '+' are national (TOA 0xA1) rather than unknown (0x81). */
  nationalNumbers: boolean;
  /** Extra commands sent at the end of the set-up (e.g. "AT^CURC=0"). */
  initCommands: string[];
}

export const MODEM_DEFAULTS = {
  baudRate: 115_200,
  number: '',
  cnmi: '2,1,0,1,0',
  csms: 0 as 0 | 1,
  storage: 'SM',
  encodings: ['gsm7', 'ucs2'] as TextEncoding[],
  sendIntervalMs: 3_000,
  commandTimeoutMs: 5_000,
  sendTimeoutMs: 60_000,
  probeIntervalMs: 30_000,
  maxAttempts: 2,
  retryDelayMs: 3_000,
  reconnectMinMs: 1_000,
  reconnectMaxMs: 30_000,
  resumeTimeoutMs: 30_000,
  statusReports: true,
  nationalNumbers: false,
  initCommands: [] as string[],
};

const DURATIONS = [
  'sendIntervalMs',
  'commandTimeoutMs',
  'sendTimeoutMs',
  'probeIntervalMs',
  'retryDelayMs',
  'reconnectMinMs',
  'reconnectMaxMs',
  'resumeTimeoutMs',
] as const;

/** Checks the modem-specific fields of a merged record; shared with the pool's members. */
export function checkModemFields(id: string, merged: Record<string, unknown>): void {
  const fail = (field: string, problem: string): never => {
    throw new LinkConfigError(id, field, problem);
  };
  if (typeof merged.path !== 'string' || !merged.path) fail('path', 'is required');
  const baud = merged.baudRate;
  if (!Number.isInteger(baud) || (baud as number) < 300 || (baud as number) > 4_000_000) {
    fail('baudRate', 'must be an integer 300-4000000');
  }
  if (merged.pin !== undefined && !/^\d{4,8}$/.test(String(merged.pin))) {
    fail('pin', 'must be 4-8 digits');
  }
  if (merged.smsc !== undefined && !/^\+?\d{3,20}$/.test(String(merged.smsc))) {
    fail('smsc', 'must be a number such as "+8613800100500"');
  }
  if (typeof merged.number !== 'string' || !/^\+?\d{0,20}$/.test(merged.number)) {
    fail('number', 'must be digits with an optional "+"');
  }
  if (typeof merged.cnmi !== 'string' || !/^\d(,\d){0,4}$/.test(merged.cnmi)) {
    fail('cnmi', 'must look like "2,1,0,1,0"');
  }
  if (merged.csms !== 0 && merged.csms !== 1) fail('csms', 'must be 0 or 1');
  if (typeof merged.storage !== 'string' || !/^(SM|ME|MT|SR|BM|TA)$/.test(merged.storage)) {
    fail('storage', 'must be SM, ME, MT, SR, BM or TA');
  }
  const encodings = merged.encodings;
  if (
    !Array.isArray(encodings) ||
    !encodings.length ||
    !encodings.every((e) => e === 'gsm7' || e === 'ucs2')
  ) {
    fail('encodings', 'must be a non-empty list of gsm7, ucs2');
  }
  for (const field of DURATIONS) {
    const v = merged[field];
    if (!Number.isInteger(v) || (v as number) < 1) fail(field, 'must be an integer ≥ 1 (ms)');
  }
  if ((merged.reconnectMaxMs as number) < (merged.reconnectMinMs as number)) {
    fail('reconnectMaxMs', 'must be ≥ reconnectMinMs');
  }
  const attempts = merged.maxAttempts;
  if (!Number.isInteger(attempts) || (attempts as number) < 1 || (attempts as number) > 10) {
    fail('maxAttempts', 'must be 1-10');
  }
  if (typeof merged.statusReports !== 'boolean') fail('statusReports', 'must be true or false');
  if (typeof merged.nationalNumbers !== 'boolean') fail('nationalNumbers', 'must be true or false');
  const vp = merged.validityMinutes;
  if (vp !== undefined && (!Number.isInteger(vp) || (vp as number) < 5)) {
    fail('validityMinutes', 'must be an integer ≥ 5');
  }
  const init = merged.initCommands;
  if (
    !Array.isArray(init) ||
    !init.every((c) => typeof c === 'string' && /^AT[\x20-\x7e]*$/i.test(c))
  ) {
    fail('initCommands', 'must be a list of printable "AT…" commands');
  }
}

export function validateModemLinkConfig(raw: unknown): ModemLinkConfig {
  const base = validateBaseLinkConfig(raw, { window: 1, tps: 1 });
  if (base.kind !== 'modem') throw new LinkConfigError(base.id, 'kind', 'must be "modem"');
  const merged = { ...MODEM_DEFAULTS, ...base } as Record<string, unknown>;
  checkModemFields(base.id, merged);
  return merged as ModemLinkConfig;
}
