/** The parts of an instant that alerts need, in one time zone. */
export interface LocalTime {
  /** YYYY-MM-DD: the day a daily cap counts against. */
  day: string;
  /** Minutes since local midnight (quiet hours). */
  minuteOfDay: number;
  /** "MM-DD HH:mm": what an alert shows. */
  label: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws a RangeError naming the zone when it is not an IANA time zone. */
export function checkTimeZone(timeZone: string): void {
  new Intl.DateTimeFormat('en-US', { timeZone });
}

export function localTime(at: Date, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(at)) p[part.type] = part.value;
  const hour = Number(p.hour) % 24;
  return {
    day: `${p.year}-${p.month}-${p.day}`,
    minuteOfDay: hour * 60 + Number(p.minute),
    label: `${p.month}-${p.day} ${String(hour).padStart(2, '0')}:${p.minute}`,
  };
}

/** "HH:MM" to minutes since midnight, or null when it is not a valid time of day. */
export function parseClock(s: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Whether a minute of the day falls in [start, end), the range possibly spanning midnight. */
export function inQuietHours(minute: number, start: number, end: number): boolean {
  if (start === end) return false;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}
