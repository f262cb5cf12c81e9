import { OctetReader, PduDecodeError, type DeliveryState } from '@dizi/gateway-kit';
import { decodeDcs } from './dcs';
import { encodeAddress, encodeSca, readAddress } from './semi-octets';
import { decodeTimestamp, encodeTimestamp, type SmsTimestamp } from './scts';
import { readUserData, type UserData } from './user-data';

export const STATUS_REPORT_MTI = 0x02;
/** TP-SRQ: the report answers an SMS-COMMAND rather than a SUBMIT. */
export const STATUS_REPORT_QUALIFIER = 0x20;

/** The four classes of TP-ST (TS 23.040 §9.2.3.15). */
export type StatusClass =
  'completed' | 'temporary-still-trying' | 'permanent' | 'temporary-gave-up' | 'reserved';

export interface SmsStatusReport {
  type: 'status-report';
  smsc?: string;
  firstOctet: number;
  /** TP-MR of the SUBMIT this reports on (the number +CMGS gave). */
  messageReference: number;
  recipient: string;
  recipientToa: number;
  /** TP-SCTS of the reported SUBMIT. */
  serviceCentreTime: SmsTimestamp;
  /** TP-DT: when the status was reached. */
  dischargeTime: SmsTimestamp;
  /** TP-ST. */
  status: number;
  statusClass: StatusClass;
  /** The optional tail (TP-PI, TP-PID, TP-DCS, TP-UD) when present. */
  protocolId?: number;
  dcs?: number;
  userData?: UserData;
}

export function statusClassOf(status: number): StatusClass {
  if (status <= 0x1f) return status <= 0x02 || status >= 0x10 ? 'completed' : 'reserved';
  if (status <= 0x3f) return 'temporary-still-trying';
  if (status <= 0x5f) return 'permanent';
  if (status <= 0x7f) return 'temporary-gave-up';
  return 'reserved';
}

const STATUS_TEXT: Record<number, string> = {
  0x00: 'received by the SME',
  0x01: 'forwarded, delivery unconfirmed',
  0x02: 'replaced by the SC',
  0x20: 'congestion',
  0x21: 'SME busy',
  0x22: 'no response from SME',
  0x23: 'service rejected',
  0x24: 'quality of service not available',
  0x25: 'error in SME',
  0x40: 'remote procedure error',
  0x41: 'incompatible destination',
  0x42: 'connection rejected by SME',
  0x43: 'not obtainable',
  0x44: 'quality of service not available',
  0x45: 'no interworking available',
  0x46: 'validity period expired',
  0x47: 'deleted by originating SME',
  0x48: 'deleted by SC administration',
  0x49: 'SM does not exist',
  0x60: 'congestion',
  0x61: 'SME busy',
  0x62: 'no response from SME',
  0x63: 'service rejected',
  0x64: 'quality of service not available',
  0x65: 'error in SME',
};

/** A short text for TP-ST, e.g. "ST:46 validity period expired". */
export function statusText(status: number): string {
  const hex = status.toString(16).toUpperCase().padStart(2, '0');
  return `ST:${hex} ${STATUS_TEXT[status] ?? statusClassOf(status)}`;
}

/** Maps TP-ST to the kit's delivery states. */
export function deliveryStateOfStatus(status: number): DeliveryState {
  switch (statusClassOf(status)) {
    case 'completed':
      return status === 0x00 || status === 0x02 || status === 0x01 ? 'delivered' : 'unknown';
    case 'temporary-still-trying':
      return 'accepted';
    case 'permanent':
      if (status === 0x46) return 'expired';
      if (status === 0x47 || status === 0x48) return 'deleted';
      if (status === 0x42) return 'rejected';
      return 'undeliverable';
    case 'temporary-gave-up':
      return 'undeliverable';
    default:
      return 'unknown';
  }
}

/** Reads an SMS-STATUS-REPORT TPDU (after the SCA). */
export function readStatusReport(
  reader: OctetReader,
  smsc: string | undefined,
  checkMti = true,
): SmsStatusReport {
  const first = reader.u8('first octet');
  if (checkMti && (first & 0x03) !== STATUS_REPORT_MTI) {
    throw new PduDecodeError('bad-field', `MTI ${first & 0x03} is not SMS-STATUS-REPORT`);
  }
  const messageReference = reader.u8('TP-MR');
  const ra = readAddress(reader, 'TP-RA');
  const serviceCentreTime = decodeTimestamp(reader.bytes(7, 'TP-SCTS'), 'TP-SCTS');
  const dischargeTime = decodeTimestamp(reader.bytes(7, 'TP-DT'), 'TP-DT');
  const status = reader.u8('TP-ST');
  const report: SmsStatusReport = {
    type: 'status-report',
    smsc,
    firstOctet: first,
    messageReference,
    recipient: ra.address,
    recipientToa: ra.toa,
    serviceCentreTime,
    dischargeTime,
    status,
    statusClass: statusClassOf(status),
  };
  if (reader.remaining > 0) {
    // TP-PI (§9.2.3.27): bit 0 PID, bit 1 DCS, bit 2 UDL follow. Extension octets skipped.
    let pi = reader.u8('TP-PI');
    while (pi & 0x80 && reader.remaining > 0) pi = reader.u8('TP-PI extension') | (pi & 0x7f);
    if (pi & 0x01) report.protocolId = reader.u8('TP-PID');
    if (pi & 0x02) report.dcs = reader.u8('TP-DCS');
    if (pi & 0x04) {
      const coding = decodeDcs(report.dcs ?? 0);
      report.userData = readUserData(reader, coding.alphabet, (first & 0x40) !== 0);
    }
  }
  return report;
}

export interface StatusReportOptions {
  smsc?: string;
  messageReference: number;
  recipient: string;
  serviceCentreTime: Date;
  dischargeTime: Date;
  offsetMinutes?: number;
  status: number;
}

/** Builds an SMS-STATUS-REPORT without the optional tail (for simulators and tests). */
export function encodeStatusReport(o: StatusReportOptions): { pdu: Buffer; tpduLength: number } {
  const tpdu = Buffer.concat([
    Buffer.from([STATUS_REPORT_MTI | 0x04, o.messageReference & 0xff]),
    encodeAddress(o.recipient),
    encodeTimestamp(o.serviceCentreTime, o.offsetMinutes ?? 0),
    encodeTimestamp(o.dischargeTime, o.offsetMinutes ?? 0),
    Buffer.from([o.status & 0xff]),
  ]);
  return { pdu: Buffer.concat([encodeSca(o.smsc), tpdu]), tpduLength: tpdu.length };
}
