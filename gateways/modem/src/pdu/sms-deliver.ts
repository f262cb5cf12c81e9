import { OctetReader, PduDecodeError } from '@dizi/gateway-kit';
import { decodeDcs, encodeDcs, type SmsAlphabet } from './dcs';
import {
  encodeAddress,
  encodeAlphanumericAddress,
  encodeSca,
  readAddress,
  type SmsAddress,
} from './semi-octets';
import { decodeTimestamp, encodeTimestamp, type SmsTimestamp } from './scts';
import { readUserData, type UserData } from './user-data';

/** First-octet bits of an SMS-DELIVER (TS 23.040 §9.2.2.1). */
export const DELIVER_MTI = 0x00;
/** TP-MMS: set when NO more messages are waiting (inverted sense). */
export const DELIVER_NO_MORE_MESSAGES = 0x04;
export const DELIVER_STATUS_REPORT_INDICATION = 0x20;
export const DELIVER_UDHI = 0x40;
export const DELIVER_REPLY_PATH = 0x80;

export interface SmsDeliver {
  type: 'deliver';
  smsc?: string;
  firstOctet: number;
  originator: SmsAddress;
  protocolId: number;
  dcs: number;
  messageClass?: number;
  /** TP-SCTS: when the service centre received it, with the sender-side zone. */
  serviceCentreTime: SmsTimestamp;
  statusReportIndication: boolean;
  userData: UserData;
}

/** Reads an SMS-DELIVER TPDU (after the SCA). */
export function readDeliver(
  reader: OctetReader,
  smsc: string | undefined,
  checkMti = true,
): SmsDeliver {
  const first = reader.u8('first octet');
  if (checkMti && (first & 0x03) !== DELIVER_MTI) {
    throw new PduDecodeError('bad-field', `MTI ${first & 0x03} is not SMS-DELIVER`);
  }
  const originator = readAddress(reader, 'TP-OA');
  const protocolId = reader.u8('TP-PID');
  const dcs = reader.u8('TP-DCS');
  const coding = decodeDcs(dcs);
  const serviceCentreTime = decodeTimestamp(reader.bytes(7, 'TP-SCTS'), 'TP-SCTS');
  const userData = readUserData(reader, coding.alphabet, (first & DELIVER_UDHI) !== 0);
  return {
    type: 'deliver',
    smsc,
    firstOctet: first,
    originator,
    protocolId,
    dcs,
    messageClass: coding.messageClass,
    serviceCentreTime,
    statusReportIndication: (first & DELIVER_STATUS_REPORT_INDICATION) !== 0,
    userData,
  };
}

export interface DeliverOptions {
  smsc?: string;
  /** Digits with an optional '+', or an alphanumeric sender when `alphanumeric` is set. */
  originator: string;
  alphanumeric?: boolean;
  alphabet: SmsAlphabet;
  userData: Buffer;
  userDataLength: number;
  hasUdh: boolean;
  serviceCentreTime: Date;
  offsetMinutes?: number;
  protocolId?: number;
  moreMessages?: boolean;
}

/** Builds an SMS-DELIVER (for simulators and tests); returns SCA ‖ TPDU and the TPDU length. */
export function encodeDeliver(o: DeliverOptions): { pdu: Buffer; tpduLength: number } {
  let first = DELIVER_MTI;
  if (!o.moreMessages) first |= DELIVER_NO_MORE_MESSAGES;
  if (o.hasUdh) first |= DELIVER_UDHI;
  const tpdu = Buffer.concat([
    Buffer.from([first]),
    o.alphanumeric ? encodeAlphanumericAddress(o.originator) : encodeAddress(o.originator),
    Buffer.from([o.protocolId ?? 0, encodeDcs(o.alphabet)]),
    encodeTimestamp(o.serviceCentreTime, o.offsetMinutes ?? 0),
    Buffer.from([o.userDataLength]),
    o.userData,
  ]);
  return { pdu: Buffer.concat([encodeSca(o.smsc), tpdu]), tpduLength: tpdu.length };
}
