import { OctetReader, OctetWriter, PduDecodeError } from '@dizi/gateway-kit';
import { isCmpp3, type CmppVersion } from './cmpp-constants';

/** CMPP_DELIVER body (PROTOCOLS.md §1.5). */
export interface CmppDeliver {
  msgId: bigint;
  destId: string;
  serviceId: string;
  tpPid: number;
  tpUdhi: number;
  msgFmt: number;
  srcTerminalId: string;
  /** 3.0 only. */
  srcTerminalType: number;
  /** 1 = Msg_Content is a status report. */
  registeredDelivery: number;
  msgContent: Buffer;
  reserveOrLinkId: string;
}

/** The status report carried in Msg_Content when Registered_Delivery = 1. */
export interface CmppStatusReport {
  /** The Msg_Id the ISMG gave the SUBMIT. */
  msgId: bigint;
  stat: string;
  /** YYMMDDHHMM. */
  submitTime: string;
  doneTime: string;
  destTerminalId: string;
  smscSequence: number;
}

export const STATUS_REPORT_LENGTH_2 = 60;
export const STATUS_REPORT_LENGTH_3 = 71;

export function encodeDeliver(pdu: CmppDeliver, version: CmppVersion): Buffer {
  const v3 = isCmpp3(version);
  const w = new OctetWriter()
    .u64(pdu.msgId, 'Msg_Id')
    .octetString(pdu.destId, 21, 'Dest_Id')
    .octetString(pdu.serviceId, 10, 'Service_Id')
    .u8(pdu.tpPid, 'TP_pid')
    .u8(pdu.tpUdhi, 'TP_udhi')
    .u8(pdu.msgFmt, 'Msg_Fmt')
    .octetString(pdu.srcTerminalId, v3 ? 32 : 21, 'Src_terminal_Id');
  if (v3) w.u8(pdu.srcTerminalType, 'Src_terminal_type');
  return w
    .u8(pdu.registeredDelivery, 'Registered_Delivery')
    .u8(pdu.msgContent.length, 'Msg_Length')
    .bytes(pdu.msgContent)
    .octetString(pdu.reserveOrLinkId, v3 ? 20 : 8, v3 ? 'LinkID' : 'Reserve')
    .toBuffer();
}

export function decodeDeliver(body: Buffer, version: CmppVersion): CmppDeliver {
  const v3 = isCmpp3(version);
  const r = new OctetReader(body);
  const msgId = r.u64('Msg_Id');
  const destId = r.octetString(21, 'Dest_Id');
  const serviceId = r.octetString(10, 'Service_Id');
  const tpPid = r.u8('TP_pid');
  const tpUdhi = r.u8('TP_udhi');
  const msgFmt = r.u8('Msg_Fmt');
  const srcTerminalId = r.octetString(v3 ? 32 : 21, 'Src_terminal_Id');
  const srcTerminalType = v3 ? r.u8('Src_terminal_type') : 0;
  const registeredDelivery = r.u8('Registered_Delivery');
  const msgContent = r.bytes(r.u8('Msg_Length'), 'Msg_Content');
  const reserveOrLinkId = r.octetString(v3 ? 20 : 8, v3 ? 'LinkID' : 'Reserve');
  return {
    msgId,
    destId,
    serviceId,
    tpPid,
    tpUdhi,
    msgFmt,
    srcTerminalId,
    srcTerminalType,
    registeredDelivery,
    msgContent,
    reserveOrLinkId,
  };
}

/** Encodes a report in the 2.0 (60-byte) or 3.0 (71-byte) layout. */
export function encodeStatusReport(report: CmppStatusReport, layout: CmppVersion): Buffer {
  return new OctetWriter()
    .u64(report.msgId, 'Msg_Id')
    .octetString(report.stat, 7, 'Stat')
    .octetString(report.submitTime, 10, 'Submit_time')
    .octetString(report.doneTime, 10, 'Done_time')
    .octetString(report.destTerminalId, isCmpp3(layout) ? 32 : 21, 'Dest_terminal_Id')
    .u32(report.smscSequence, 'SMSC_sequence')
    .toBuffer();
}

/**
 * Decodes a report by its length, not by the session version: real 3.0 gateways send
 * the 60-byte 2.0 layout too (PROTOCOLS.md §1.5).
 */
export function decodeStatusReport(content: Buffer): CmppStatusReport {
  let destWidth: number;
  if (content.length === STATUS_REPORT_LENGTH_2) destWidth = 21;
  else if (content.length === STATUS_REPORT_LENGTH_3) destWidth = 32;
  else {
    throw new PduDecodeError(
      'bad-field',
      `status report is ${content.length} bytes, expected ${STATUS_REPORT_LENGTH_2} or ${STATUS_REPORT_LENGTH_3}`,
    );
  }
  const r = new OctetReader(content);
  return {
    msgId: r.u64('Msg_Id'),
    stat: r.octetString(7, 'Stat'),
    submitTime: r.octetString(10, 'Submit_time'),
    doneTime: r.octetString(10, 'Done_time'),
    destTerminalId: r.octetString(destWidth, 'Dest_terminal_Id'),
    smscSequence: r.u32('SMSC_sequence'),
  };
}
