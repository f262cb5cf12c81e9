import { DiziError } from '@dizi/errors';
import type { BillingPeriod } from '@dizi/store';

/** A billing period: [from, to) in epoch milliseconds. */
export interface Period {
  from: number;
  to: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const DAY_MS = 86_400_000;

/**
 * Reads the `from` and `to` of an export or totals query. A date (YYYY-MM-DD) is a local
 * day in the billing time zone, both ends included (`--from 2024-11-01 --to 2024-11-30`
 * is November); an ISO 8601 time with a zone is an instant, `to` excluded.
 */
export function parsePeriod(from: unknown, to: unknown, timeZone: string): Period {
  const start = parseBound(from, 'from', timeZone, false);
  const end = parseBound(to, 'to', timeZone, true);
  // A date `to` is compared by its first instant: from 11-02 to 11-01 is backwards.
  const toStart = parseBound(to, 'to', timeZone, false);
  if (start > toStart)
    throw new DiziError(
      'invalid',
      `from (${String(from)}) is after to (${String(to)}); give the earlier time first`,
      'from',
    );
  return { from: start, to: end };
}

function parseBound(value: unknown, field: string, timeZone: string, isEnd: boolean): number {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text)
    throw new DiziError(
      'invalid',
      `${field} is required: a date (YYYY-MM-DD) or an ISO 8601 time with a zone`,
      field,
    );
  const d = DATE.exec(text);
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    const probe = new Date(Date.UTC(y, m - 1, day));
    if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== day)
      throw new DiziError('invalid', `${field}: ${text} is not a calendar date`, field);
    const midnight = zonedMidnight(text, timeZone);
    return isEnd ? zonedMidnight(nextDay(text), timeZone) : midnight;
  }
  const t = INSTANT.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(t))
    throw new DiziError(
      'invalid',
      `${field}: "${text}" is neither a date (YYYY-MM-DD) nor an ISO 8601 time with a zone (2024-11-01T00:00:00+08:00)`,
      field,
    );
  return t;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(ms: number, timeZone: string): number[] {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = Number(part.value);
  return [p.year, p.month, p.day, p.hour % 24, p.minute, p.second];
}

/** The local day (YYYY-MM-DD) of an instant. */
export function localDay(ms: number, timeZone: string): string {
  const [y, m, d] = wallClock(ms, timeZone);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const [y, mo, d, h, mi, s] = wallClock(ms, timeZone);
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a local day starts. The zone's offset is read at a first guess and once
 * more at the result, which settles it unless a DST change falls on midnight itself.
 */
export function zonedMidnight(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d);
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
}

function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

function dayNumber(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/**
 * The billing periods (local days or calendar months) that [start, end) touches: a
 * user who exists for part of a month pays that month's fee. 0 when the range is empty.
 */
export function periodsIn(
  start: number,
  end: number,
  period: BillingPeriod,
  timeZone: string,
): number {
  if (end <= start) return 0;
  const first = localDay(start, timeZone);
  const last = localDay(end - 1, timeZone);
  if (period === 'day') return dayNumber(last) - dayNumber(first) + 1;
  const month = (day: string) => Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7));
  return month(last) - month(first) + 1;
}
