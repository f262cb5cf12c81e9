import { FieldEncodeError, OctetReader, PduDecodeError, type Segment } from '@dizi/gateway-kit';
import { decodeDcs, encodeDcs, type SmsAlphabet } from './dcs';
import { encodeAddress, encodeSca, readAddress } from './semi-octets';
import { decodeTimestamp, encodeTimestamp } from './scts';
import { readUserData, type UserData } from './user-data';
import { relativeValidity, relativeValidityMinutes } from './validity';

/** First-octet bits of an SMS-SUBMIT (TS 23.040 §9.2.2.2). */
export const SUBMIT_MTI = 0x01;
export const SUBMIT_REJECT_DUPLICATES = 0x04;
export const SUBMIT_VPF_RELATIVE = 0x10;
export const SUBMIT_VPF_ENHANCED = 0x08;
export const SUBMIT_VPF_ABSOLUTE = 0x18;
export const SUBMIT_STATUS_REPORT_REQUEST = 0x20;
export const SUBMIT_UDHI = 0x40;
export const SUBMIT_REPLY_PATH = 0x80;

export type Validity = { relativeMinutes: number } | { absolute: Date };

export interface SubmitOptions {
  /** Service centre; omitted = SCA 00, the one stored in the modem. */
  smsc?: string;
  /** TP-MR; modems usually replace it with their own, 0 is customary. */
  messageReference?: number;
  /** "+8613800138000" (international) or national digits. */
  destination: string;
  /** A destination without '+' is national (TOA 0xA1) rather than unknown (0x81). */
  nationalDestination?: boolean;
  protocolId?: number;
  alphabet: SmsAlphabet;
  messageClass?: 0 | 1 | 2 | 3;
  validity?: Validity;
  statusReport?: boolean;
  rejectDuplicates?: boolean;
  /** UDH ‖ payload (packed septets for gsm7, with fill bits after the UDH). */
  userData: Buffer;
  /** Septets for gsm7 (UDH in whole septets), otherwise octets. */
  userDataLength: number;
  hasUdh: boolean;
}

export interface EncodedSubmit {
  /** SCA ‖ TPDU: what goes after AT+CMGS's prompt, in hex. */
  pdu: Buffer;
  /** The TPDU's length in octets, the argument of AT+CMGS (SCA excluded). */
  tpduLength: number;
}

/** Builds an SMS-SUBMIT (TS 23.040 §9.2.2.2) with the SCA in front (27.005 §3.1). */
export function encodeSubmit(o: SubmitOptions): EncodedSubmit {
  const mr = o.messageReference ?? 0;
  if (!Number.isInteger(mr) || mr < 0 || mr > 255) {
    throw new FieldEncodeError('TP-MR', `${mr} is not 0-255`);
  }
  if (o.userData.length > 140) {
    throw new FieldEncodeError('TP-UD', `${o.userData.length} octets, at most 140`);
  }
  let first = SUBMIT_MTI;
  if (o.rejectDuplicates) first |= SUBMIT_REJECT_DUPLICATES;
  if (o.statusReport) first |= SUBMIT_STATUS_REPORT_REQUEST;
  if (o.hasUdh) first |= SUBMIT_UDHI;
  let vp: Buffer = Buffer.alloc(0);
  if (o.validity && 'relativeMinutes' in o.validity) {
    first |= SUBMIT_VPF_RELATIVE;
    vp = Buffer.from([relativeValidity(o.validity.relativeMinutes)]);
  } else if (o.validity) {
    first |= SUBMIT_VPF_ABSOLUTE;
    vp = encodeTimestamp(o.validity.absolute, 0);
  }
  const tpdu = Buffer.concat([
    Buffer.from([first, mr]),
    encodeAddress(o.destination, { national: o.nationalDestination }),
    Buffer.from([o.protocolId ?? 0, encodeDcs(o.alphabet, o.messageClass)]),
    vp,
    Buffer.from([o.userDataLength]),
    o.userData,
  ]);
  return { pdu: Buffer.concat([encodeSca(o.smsc), tpdu]), tpduLength: tpdu.length };
}

/** The SUBMIT options for one segment the kit's segmenter produced. */
export function submitOfSegment(
  segment: Segment,
  alphabet: SmsAlphabet,
  rest: Omit<SubmitOptions, 'alphabet' | 'userData' | 'userDataLength' | 'hasUdh'>,
): SubmitOptions {
  return {
    ...rest,
    alphabet,
    userData: segment.userData,
    userDataLength: segment.userDataLength,
    hasUdh: segment.udh !== null,
  };
}

/** A decoded SMS-SUBMIT (what a modem simulator receives, or a stored outgoing message). */
export interface SmsSubmit {
  type: 'submit';
  smsc?: string;
  firstOctet: number;
  messageReference: number;
  destination: string;
  destinationToa: number;
  protocolId: number;
  dcs: number;
  messageClass?: number;
  statusReport: boolean;
  validity?: { relativeMinutes: number } | { absolute: Date } | { enhanced: Buffer };
  /** Raw TP-VP octet when relative. */
  validityOctet?: number;
  userData: UserData;
}

/** Reads an SMS-SUBMIT TPDU (after the SCA). */
export function readSubmit(
  reader: OctetReader,
  smsc: string | undefined,
  checkMti = true,
): SmsSubmit {
  const first = reader.u8('first octet');
  if (checkMti && (first & 0x03) !== SUBMIT_MTI) {
    throw new PduDecodeError('bad-field', `MTI ${first & 0x03} is not SMS-SUBMIT`);
  }
  const messageReference = reader.u8('TP-MR');
  const da = readAddress(reader, 'TP-DA');
  const protocolId = reader.u8('TP-PID');
  const dcs = reader.u8('TP-DCS');
  const coding = decodeDcs(dcs);
  let validity: SmsSubmit['validity'];
  let validityOctet: number | undefined;
  switch (first & SUBMIT_VPF_ABSOLUTE) {
    case SUBMIT_VPF_RELATIVE: {
      validityOctet = reader.u8('TP-VP');
      validity = { relativeMinutes: relativeValidityMinutes(validityOctet) };
      break;
    }
    case SUBMIT_VPF_ABSOLUTE:
      validity = { absolute: decodeTimestamp(reader.bytes(7, 'TP-VP'), 'TP-VP').date };
      break;
    case SUBMIT_VPF_ENHANCED:
      validity = { enhanced: reader.bytes(7, 'TP-VP') };
      break;
  }
  const userData = readUserData(reader, coding.alphabet, (first & SUBMIT_UDHI) !== 0);
  return {
    type: 'submit',
    smsc,
    firstOctet: first,
    messageReference,
    destination: da.address,
    destinationToa: da.toa,
    protocolId,
    dcs,
    messageClass: coding.messageClass,
    statusReport: (first & SUBMIT_STATUS_REPORT_REQUEST) !== 0,
    validity,
    validityOctet,
    userData,
  };
}
