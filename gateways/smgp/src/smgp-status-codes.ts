/**
 * Status codes of SMGP 3.0 responses, as the China Telecom specification lists them.
 * PROTOCOLS.md does not carry this table, so the texts are unverified by a second
 * source; the numbers travel in the typed error either way.
 */
const STATUS_TEXT: Record<number, string> = {
  0: 'ok',
  1: 'system busy',
  2: 'too many connections',
  10: 'message structure error',
  11: 'command word error',
  12: 'duplicate sequence id',
  20: 'IP address error',
  21: 'authentication error',
  22: 'version too high',
  30: 'illegal message type',
  31: 'illegal priority',
  32: 'illegal fee type',
  33: 'illegal fee code',
  34: 'illegal message format',
  35: 'illegal time format',
  36: 'illegal message length',
  37: 'validity period expired',
  38: 'illegal query type',
  39: 'routing error',
  43: 'illegal service id',
  44: 'illegal validity period',
  45: 'illegal scheduled time',
  46: 'illegal charge number',
  47: 'illegal source number',
  48: 'illegal destination number',
};

export function smgpStatusText(status: number): string {
  return STATUS_TEXT[status] ?? `other error ${status}`;
}

/** "System busy" and "too many connections" may clear up; the rest describe the message. */
export function isRetryableSmgpStatus(status: number): boolean {
  return status === 1 || status === 2;
}
