import { FieldEncodeError, PduDecodeError } from '@dizi/gateway-kit';

/** A service-centre time stamp (TP-SCTS, TP-DT, absolute TP-VP: TS 23.040 §9.2.3.11). */
export interface SmsTimestamp {
  /** The instant. */
  date: Date;
  /** The sender's offset from UTC in minutes (quarter-hour steps), e.g. +480 for UTC+8. */
  offsetMinutes: number;
}

function swapped(value: number): number {
  return ((value % 10) << 4) | Math.floor(value / 10);
}

function unswapped(octet: number, field: string): number {
  const tens = octet & 0x0f;
  const units = octet >> 4;
  if (tens > 9 || units > 9) {
    throw new PduDecodeError(
      'bad-field',
      `${field}: 0x${octet.toString(16)} is not two BCD digits`,
    );
  }
  return tens * 10 + units;
}

/** Seven swapped-BCD octets: YY MM DD hh mm ss and the zone in quarter hours (bit 3 = minus). */
export function encodeTimestamp(date: Date, offsetMinutes = 0): Buffer {
  if (offsetMinutes % 15 !== 0 || Math.abs(offsetMinutes) > 79 * 15) {
    throw new FieldEncodeError('timestamp', `offset ${offsetMinutes} min is not in quarter hours`);
  }
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const year = local.getUTCFullYear();
  if (year < 2000 || year > 2099) throw new FieldEncodeError('timestamp', `year ${year}`);
  const quarters = Math.abs(offsetMinutes) / 15;
  const zone = swapped(quarters) | (offsetMinutes < 0 ? 0x08 : 0);
  return Buffer.from([
    swapped(year - 2000),
    swapped(local.getUTCMonth() + 1),
    swapped(local.getUTCDate()),
    swapped(local.getUTCHours()),
    swapped(local.getUTCMinutes()),
    swapped(local.getUTCSeconds()),
    zone,
  ]);
}

export function decodeTimestamp(bytes: Buffer, field = 'timestamp'): SmsTimestamp {
  if (bytes.length !== 7) throw new PduDecodeError('truncated', `${field}: needs 7 octets`);
  const [yy, mo, dd, hh, mi, ss] = [0, 1, 2, 3, 4, 5].map((i) => unswapped(bytes[i], field));
  const zone = bytes[6];
  const quarters = unswapped(zone & 0xf7, field);
  const offsetMinutes = (zone & 0x08 ? -1 : 1) * quarters * 15;
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59) {
    throw new PduDecodeError('bad-field', `${field}: ${bytes.toString('hex')} is not a date`);
  }
  const wall = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss);
  // A minus zero is still zero (some networks send 0x08).
  return { date: new Date(wall - offsetMinutes * 60_000), offsetMinutes: offsetMinutes || 0 };
}
