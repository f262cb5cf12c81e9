import { DiziError } from '@dizi/errors';

/** Prices and amounts are integers in millionths of a currency unit ("micros"). */
export const MICROS = 1_000_000;
const MAX_PRICE_UNITS = 1_000_000_000;

/**
 * Reads a price given as a decimal string ("0.10") or a number (0.1), at most six
 * decimals, not negative; returns micros. Parsed from the decimal text, never through
 * floating-point arithmetic, so 0.1 is exactly 100000.
 */
export function parsePrice(value: unknown, field: string): number {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  const m = typeof text === 'string' ? /^(\d{1,10})(?:\.(\d{1,6}))?$/.exec(text.trim()) : null;
  if (!m || Number(m[1]) > MAX_PRICE_UNITS)
    throw new DiziError(
      'invalid',
      `${field} must be an amount like 0.10 (not negative, at most 6 decimals, at most ${MAX_PRICE_UNITS})`,
      field,
    );
  return Number(m[1]) * MICROS + Number((m[2] ?? '').padEnd(6, '0'));
}

/** Micros as a decimal string without trailing zeros: 100000 -> "0.1", 5000000 -> "5". */
export function formatMicros(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(Math.round(micros));
  const units = Math.floor(abs / MICROS);
  const frac = String(abs % MICROS)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return `${sign}${units}${frac ? `.${frac}` : ''}`;
}

/** `a * b / divisor` rounded half up, exact for any size (BigInt); a, b, divisor >= 0. */
export function mulDivRound(a: number, b: number, divisor: number): number {
  const d = BigInt(divisor);
  const p = BigInt(Math.round(a)) * BigInt(Math.round(b));
  return Number((p * 2n + d) / (2n * d));
}
