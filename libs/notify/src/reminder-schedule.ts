import type { ReminderRepeat } from '@dizi/store';

/** A wall-clock reading in one time zone (month 1-12). */
interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallOf(t: number, timeZone: string): Wall {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t))) p[part.type] = Number(part.value);
  return {
    year: p.year,
    month: p.month,
    day: p.day,
    hour: p.hour % 24,
    minute: p.minute,
    second: p.second,
  };
}

/** The zone's offset from UTC at instant t, in ms (east positive). */
function offsetAt(t: number, timeZone: string): number {
  const w = wallOf(t, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (t - (((t % 1000) + 1000) % 1000));
}

/**
 * The instant a wall-clock time names in a zone (Date.UTC normalises overflowing days
 * and months). Around a DST change a skipped or repeated hour resolves to one of its
 * neighbours; China, the main market, has no DST.
 */
function instantOf(w: Wall, ms: number, timeZone: string): number {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) + ms;
  const first = guess - offsetAt(guess, timeZone);
  // Near a DST change the offset at the result may differ from the one guessed with.
  return guess - offsetAt(first, timeZone);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Occurrence n (0 = the anchor itself) of a repeating reminder, at the anchor's local
 * time of day. A monthly reminder on the 29th to 31st falls on the last day of shorter
 * months and comes back to its own day after them (counted from the anchor, no drift).
 */
export function occurrence(
  anchor: number,
  n: number,
  repeat: ReminderRepeat,
  timeZone: string,
): number {
  if (n === 0 || repeat === 'none') return anchor;
  const w = wallOf(anchor, timeZone);
  const ms = ((anchor % 1000) + 1000) % 1000;
  if (repeat === 'monthly') {
    const months = w.month - 1 + n;
    const year = w.year + Math.floor(months / 12);
    const month = (months % 12) + 1;
    return instantOf(
      { ...w, year, month, day: Math.min(w.day, daysInMonth(year, month)) },
      ms,
      timeZone,
    );
  }
  const days = repeat === 'daily' ? n : 7 * n;
  return instantOf({ ...w, day: w.day + days }, ms, timeZone);
}

/** The first occurrence strictly after `after`; null for a one-off reminder. */
export function nextOccurrence(
  anchor: number,
  repeat: ReminderRepeat,
  timeZone: string,
  after: number,
): number | null {
  if (repeat === 'none') return anchor > after ? anchor : null;
  if (anchor > after) return anchor;
  const unit = repeat === 'daily' ? 86_400_000 : repeat === 'weekly' ? 604_800_000 : 2_678_400_000;
  // Start a little before the estimate (DST hours, short months), then walk forward.
  let n = Math.max(0, Math.floor((after - anchor) / unit) - 1);
  while (occurrence(anchor, n, repeat, timeZone) <= after) n++;
  return occurrence(anchor, n, repeat, timeZone);
}
