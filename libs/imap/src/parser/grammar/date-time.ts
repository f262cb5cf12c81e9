import type { ArgumentScanner } from '../argument-scanner';
import { ImapSyntaxError } from '../syntax-error';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

function monthIndex(name: string): number {
  const index = MONTHS.indexOf(name.toUpperCase());
  if (index < 0) throw new ImapSyntaxError(`Invalid month "${name}"`);
  return index;
}

/** date = date-text / DQUOTE date-text DQUOTE; date-text = date-day "-" date-month "-" date-year. */
export function readSearchDate(scanner: ArgumentScanner): string {
  const text = scanner.isStringNext() ? scanner.string().toString('latin1') : scanner.atom();
  const match = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  if (!match) throw new ImapSyntaxError(`Invalid date "${text}"`);
  const day = Number(match[1]);
  const month = monthIndex(match[2]) + 1;
  if (day < 1 || day > 31) throw new ImapSyntaxError(`Invalid date "${text}"`);
  return `${match[3]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE */
export function parseDateTime(text: string): Date {
  const match =
    /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!match) throw new ImapSyntaxError(`Invalid date-time "${text}"`);
  const [, day, month, year, hours, minutes, seconds, sign, zoneHours, zoneMinutes] = match;
  if (
    Number(day) < 1 ||
    Number(day) > 31 ||
    Number(hours) > 23 ||
    Number(minutes) > 59 ||
    Number(seconds) > 60
  ) {
    throw new ImapSyntaxError(`Invalid date-time "${text}"`);
  }
  const utc = Date.UTC(
    Number(year),
    monthIndex(month),
    Number(day),
    Number(hours),
    Number(minutes),
    Number(seconds),
  );
  const zone = (Number(zoneHours) * 60 + Number(zoneMinutes)) * (sign === '-' ? -1 : 1);
  const date = new Date(utc - zone * 60_000);
  if (Number.isNaN(date.getTime())) throw new ImapSyntaxError(`Invalid date-time "${text}"`);
  return date;
}

/** Formats an INTERNALDATE as RFC 3501 date-time in UTC, e.g. `17-Jul-1996 02:44:25 +0000`. */
export function formatDateTime(date: Date): string {
  const day = String(date.getUTCDate()).padStart(2, ' ');
  const month = MONTHS[date.getUTCMonth()];
  const month3 = month[0] + month.slice(1).toLowerCase();
  const time = [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return `${day}-${month3}-${date.getUTCFullYear()} ${time} +0000`;
}
