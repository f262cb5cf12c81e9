import {
  OctetReader,
  PduDecodeError,
  decodeContent,
  gsm7FillBits,
  parseUdh,
  unpackSeptets,
  type ConcatInfo,
  type ParsedUdh,
} from '@dizi/gateway-kit';
import type { SmsAlphabet } from './dcs';

/** TP-UD as read from a PDU. */
export interface UserData {
  alphabet: SmsAlphabet;
  udh?: ParsedUdh;
  concat?: ConcatInfo;
  /** The content without the UDH: unpacked septets (one per byte) for gsm7, else the octets. */
  payload: Buffer;
  /** The content as text (binary content as hex). */
  text: string;
}

/**
 * Reads TP-UDL and TP-UD (TS 23.040 §9.2.3.16/24): the length counts septets for GSM
 * 7-bit (the UDH included, rounded up to whole septets) and octets otherwise. The
 * octets left in the PDU must be exactly what the length calls for.
 */
export function readUserData(
  reader: OctetReader,
  alphabet: SmsAlphabet,
  hasUdh: boolean,
): UserData {
  const udl = reader.u8('TP-UDL');
  const octets = alphabet === 'gsm7' ? Math.ceil((udl * 7) / 8) : udl;
  if (alphabet !== 'gsm7' && udl > 140) {
    throw new PduDecodeError('bad-length', `TP-UDL ${udl} octets, at most 140`);
  }
  if (alphabet === 'gsm7' && udl > 160) {
    throw new PduDecodeError('bad-length', `TP-UDL ${udl} septets, at most 160`);
  }
  if (reader.remaining < octets) {
    throw new PduDecodeError(
      'truncated',
      `TP-UDL ${udl} needs ${octets} octets of user data, only ${reader.remaining} left`,
    );
  }
  if (reader.remaining > octets) {
    throw new PduDecodeError(
      'bad-length',
      `${reader.remaining - octets} octets after the ${octets} that TP-UDL ${udl} announces`,
    );
  }
  const ud = reader.bytes(octets, 'TP-UD');
  let udh: ParsedUdh | undefined;
  let headerLength = 0;
  if (hasUdh) {
    udh = parseUdh(ud);
    headerLength = udh.headerLength;
  }
  let payload: Buffer;
  if (alphabet === 'gsm7') {
    const headerSeptets = Math.ceil((headerLength * 8) / 7);
    const count = udl - headerSeptets;
    if (count < 0) throw new PduDecodeError('bad-length', `UDH longer than TP-UDL ${udl}`);
    payload = Buffer.from(
      unpackSeptets(ud.subarray(headerLength), count, gsm7FillBits(headerLength)),
    );
  } else {
    payload = Buffer.from(ud.subarray(headerLength));
  }
  const text = decodeContent(payload, alphabet);
  return { alphabet, udh, concat: udh?.concat, payload, text };
}
