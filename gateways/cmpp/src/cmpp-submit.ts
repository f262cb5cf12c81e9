import { FieldEncodeError, OctetReader, OctetWriter } from '@dizi/gateway-kit';
import { isCmpp3, type CmppVersion } from './cmpp-constants';

/** CMPP_SUBMIT body (PROTOCOLS.md §1.4). Fields marked 3.0 are ignored for 2.0 and vice versa. */
export interface CmppSubmit {
  msgId: bigint;
  pkTotal: number;
  pkNumber: number;
  registeredDelivery: number;
  msgLevel: number;
  serviceId: string;
  feeUserType: number;
  feeTerminalId: string;
  /** 3.0 only: 0 real number, 1 pseudo. */
  feeTerminalType: number;
  tpPid: number;
  tpUdhi: number;
  msgFmt: number;
  msgSrc: string;
  feeType: string;
  feeCode: string;
  validTime: string;
  atTime: string;
  srcId: string;
  destTerminalIds: string[];
  /** 3.0 only. */
  destTerminalType: number;
  msgContent: Buffer;
  /** 2.0: Reserve (8); 3.0: LinkID (20). */
  reserveOrLinkId: string;
}

export interface CmppSubmitResp {
  msgId: bigint;
  result: number;
}

const MAX_DESTINATIONS = 100;
const MAX_CONTENT = 255;

export function encodeSubmit(pdu: CmppSubmit, version: CmppVersion): Buffer {
  const v3 = isCmpp3(version);
  const terminalWidth = v3 ? 32 : 21;
  if (pdu.destTerminalIds.length < 1 || pdu.destTerminalIds.length > MAX_DESTINATIONS) {
    throw new FieldEncodeError(
      'DestUsr_tl',
      `${pdu.destTerminalIds.length} recipients, allowed 1..${MAX_DESTINATIONS}`,
    );
  }
  if (pdu.msgContent.length > MAX_CONTENT) {
    throw new FieldEncodeError(
      'Msg_Length',
      `${pdu.msgContent.length} bytes do not fit in one octet`,
    );
  }
  const w = new OctetWriter()
    .u64(pdu.msgId, 'Msg_Id')
    .u8(pdu.pkTotal, 'Pk_total')
    .u8(pdu.pkNumber, 'Pk_number')
    .u8(pdu.registeredDelivery, 'Registered_Delivery')
    .u8(pdu.msgLevel, 'Msg_level')
    .octetString(pdu.serviceId, 10, 'Service_Id')
    .u8(pdu.feeUserType, 'Fee_UserType')
    .octetString(pdu.feeTerminalId, terminalWidth, 'Fee_terminal_Id');
  if (v3) w.u8(pdu.feeTerminalType, 'Fee_terminal_type');
  w.u8(pdu.tpPid, 'TP_pId')
    .u8(pdu.tpUdhi, 'TP_udhi')
    .u8(pdu.msgFmt, 'Msg_Fmt')
    .octetString(pdu.msgSrc, 6, 'Msg_src')
    .octetString(pdu.feeType, 2, 'FeeType')
    .octetString(pdu.feeCode, 6, 'FeeCode')
    .octetString(pdu.validTime, 17, 'ValId_Time')
    .octetString(pdu.atTime, 17, 'At_Time')
    .octetString(pdu.srcId, 21, 'Src_Id')
    .u8(pdu.destTerminalIds.length, 'DestUsr_tl');
  for (const dest of pdu.destTerminalIds) w.octetString(dest, terminalWidth, 'Dest_terminal_Id');
  if (v3) w.u8(pdu.destTerminalType, 'Dest_terminal_type');
  w.u8(pdu.msgContent.length, 'Msg_Length').bytes(pdu.msgContent);
  w.octetString(pdu.reserveOrLinkId, v3 ? 20 : 8, v3 ? 'LinkID' : 'Reserve');
  return w.toBuffer();
}

export function decodeSubmit(body: Buffer, version: CmppVersion): CmppSubmit {
  const v3 = isCmpp3(version);
  const terminalWidth = v3 ? 32 : 21;
  const r = new OctetReader(body);
  const msgId = r.u64('Msg_Id');
  const pkTotal = r.u8('Pk_total');
  const pkNumber = r.u8('Pk_number');
  const registeredDelivery = r.u8('Registered_Delivery');
  const msgLevel = r.u8('Msg_level');
  const serviceId = r.octetString(10, 'Service_Id');
  const feeUserType = r.u8('Fee_UserType');
  const feeTerminalId = r.octetString(terminalWidth, 'Fee_terminal_Id');
  const feeTerminalType = v3 ? r.u8('Fee_terminal_type') : 0;
  const tpPid = r.u8('TP_pId');
  const tpUdhi = r.u8('TP_udhi');
  const msgFmt = r.u8('Msg_Fmt');
  const msgSrc = r.octetString(6, 'Msg_src');
  const feeType = r.octetString(2, 'FeeType');
  const feeCode = r.octetString(6, 'FeeCode');
  const validTime = r.octetString(17, 'ValId_Time');
  const atTime = r.octetString(17, 'At_Time');
  const srcId = r.octetString(21, 'Src_Id');
  const count = r.u8('DestUsr_tl');
  const destTerminalIds: string[] = [];
  for (let i = 0; i < count; i++)
    destTerminalIds.push(r.octetString(terminalWidth, 'Dest_terminal_Id'));
  const destTerminalType = v3 ? r.u8('Dest_terminal_type') : 0;
  const msgContent = r.bytes(r.u8('Msg_Length'), 'Msg_Content');
  const reserveOrLinkId = r.octetString(v3 ? 20 : 8, v3 ? 'LinkID' : 'Reserve');
  return {
    msgId,
    pkTotal,
    pkNumber,
    registeredDelivery,
    msgLevel,
    serviceId,
    feeUserType,
    feeTerminalId,
    feeTerminalType,
    tpPid,
    tpUdhi,
    msgFmt,
    msgSrc,
    feeType,
    feeCode,
    validTime,
    atTime,
    srcId,
    destTerminalIds,
    destTerminalType,
    msgContent,
    reserveOrLinkId,
  };
}

/** Msg_Id 8 + Result (1 byte in 2.0, 4 in 3.0). DELIVER_RESP has the same shape. */
export function encodeMsgIdResult(pdu: CmppSubmitResp, version: CmppVersion): Buffer {
  const w = new OctetWriter().u64(pdu.msgId, 'Msg_Id');
  if (isCmpp3(version)) w.u32(pdu.result, 'Result');
  else w.u8(pdu.result, 'Result');
  return w.toBuffer();
}

/** Decodes by length (9 = 2.0, 12 = 3.0), so a peer on the other version is still understood. */
export function decodeMsgIdResult(body: Buffer): CmppSubmitResp {
  const r = new OctetReader(body);
  const msgId = r.u64('Msg_Id');
  const result = body.length >= 12 ? r.u32('Result') : r.u8('Result');
  return { msgId, result };
}
