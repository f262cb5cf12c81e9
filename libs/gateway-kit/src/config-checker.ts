import { LinkConfigError } from './errors';
import type { TextEncoding } from './text/text-encoding';

/**
 * Field checks for a link's configuration; each failure is a {@link LinkConfigError}
 * naming the link and the field.
 */
export class ConfigChecker {
  constructor(
    readonly linkId: string,
    readonly values: Record<string, unknown>,
  ) {}

  fail(field: string, problem: string): never {
    throw new LinkConfigError(this.linkId, field, problem);
  }

  /** A printable-ASCII string of min..max characters (fixed-width protocol fields). */
  text(field: string, min: number, max: number): void {
    const v = this.values[field];
    if (typeof v !== 'string') this.fail(field, 'must be a string');
    const s = v as string;
    if (s.length < min || s.length > max || /[^\x20-\x7e]/.test(s)) {
      this.fail(field, `must be ${min}-${max} printable ASCII characters`);
    }
  }

  digits(field: string): void {
    if (!/^\d+$/.test(String(this.values[field]))) this.fail(field, 'must be digits');
  }

  integer(field: string, min: number, max: number): void {
    const v = this.values[field];
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
      this.fail(field, `must be an integer ${min}..${max}`);
  }

  positiveIntegers(fields: readonly string[]): void {
    for (const field of fields) {
      const v = this.values[field];
      if (!Number.isInteger(v) || (v as number) < 1) this.fail(field, 'must be an integer ≥ 1');
    }
  }

  encodings(field: string, allowed: readonly TextEncoding[]): void {
    const v = this.values[field];
    if (!Array.isArray(v) || !v.length || !v.every((e) => allowed.includes(e as TextEncoding))) {
      this.fail(field, `must be a non-empty list of ${allowed.join(', ')}`);
    }
  }
}

/** Timers of a long-lived session; the spec's T = 60 s and N = 3 for CMPP. */
export const LONG_CONNECTION_DEFAULTS = {
  responseTimeoutMs: 60_000,
  maxAttempts: 3,
  connectTimeoutMs: 10_000,
  reconnectMinMs: 1_000,
  reconnectMaxMs: 30_000,
  resumeTimeoutMs: 30_000,
};

/** Checks what every long-connection link needs: a host and sane timers. */
export function checkLongConnection(check: ConfigChecker): void {
  const host = check.values.host;
  if (typeof host !== 'string' || !host) check.fail('host', 'is required');
  check.positiveIntegers(Object.keys(LONG_CONNECTION_DEFAULTS));
  if ((check.values.reconnectMaxMs as number) < (check.values.reconnectMinMs as number)) {
    check.fail('reconnectMaxMs', 'must not be below reconnectMinMs');
  }
}
