import { FieldEncodeError, OctetReader, OctetWriter } from '@dizi/gateway-kit';
import { SMGP_MSG_ID_LENGTH } from './smgp-msg-id';
import { decodeTlvs, encodeTlvs, type SmgpTlv } from './smgp-tlv';

/** Submit body (PROTOCOLS.md §3, SMGP 3.0 with FixedFee). */
export interface SmgpSubmit {
  msgType: number;
  needReport: number;
  priority: number;
  serviceId: string;
  feeType: string;
  feeCode: string;
  fixedFee: string;
  msgFormat: number;
  validTime: string;
  atTime: string;
  srcTermId: string;
  chargeTermId: string;
  destTermIds: string[];
  msgContent: Buffer;
  reserve: string;
  tlvs: SmgpTlv[];
}

/** Submit_Resp and Deliver_Resp: MsgID 10, Status 4. */
export interface SmgpMsgIdStatus {
  msgId: Buffer;
  status: number;
}

const MAX_DESTINATIONS = 100;

export function encodeSubmit(s: SmgpSubmit): Buffer {
  if (s.destTermIds.length < 1 || s.destTermIds.length > MAX_DESTINATIONS) {
    throw new FieldEncodeError(
      'DestTermIDCount',
      `${s.destTermIds.length} recipients, allowed 1..${MAX_DESTINATIONS}`,
    );
  }
  if (s.msgContent.length > 255)
    throw new FieldEncodeError('MsgLength', `${s.msgContent.length} bytes do not fit in one octet`);
  const w = new OctetWriter()
    .u8(s.msgType, 'MsgType')
    .u8(s.needReport, 'NeedReport')
    .u8(s.priority, 'Priority')
    .octetString(s.serviceId, 10, 'ServiceID')
    .octetString(s.feeType, 2, 'FeeType')
    .octetString(s.feeCode, 6, 'FeeCode')
    .octetString(s.fixedFee, 6, 'FixedFee')
    .u8(s.msgFormat, 'MsgFormat')
    .octetString(s.validTime, 17, 'ValidTime')
    .octetString(s.atTime, 17, 'AtTime')
    .octetString(s.srcTermId, 21, 'SrcTermID')
    .octetString(s.chargeTermId, 21, 'ChargeTermID')
    .u8(s.destTermIds.length, 'DestTermIDCount');
  for (const d of s.destTermIds) w.octetString(d, 21, 'DestTermID');
  return w
    .u8(s.msgContent.length, 'MsgLength')
    .bytes(s.msgContent)
    .octetString(s.reserve, 8, 'Reserve')
    .bytes(encodeTlvs(s.tlvs))
    .toBuffer();
}

export function decodeSubmit(body: Buffer): SmgpSubmit {
  const r = new OctetReader(body);
  const msgType = r.u8('MsgType');
  const needReport = r.u8('NeedReport');
  const priority = r.u8('Priority');
  const serviceId = r.octetString(10, 'ServiceID');
  const feeType = r.octetString(2, 'FeeType');
  const feeCode = r.octetString(6, 'FeeCode');
  const fixedFee = r.octetString(6, 'FixedFee');
  const msgFormat = r.u8('MsgFormat');
  const validTime = r.octetString(17, 'ValidTime');
  const atTime = r.octetString(17, 'AtTime');
  const srcTermId = r.octetString(21, 'SrcTermID');
  const chargeTermId = r.octetString(21, 'ChargeTermID');
  const count = r.u8('DestTermIDCount');
  const destTermIds: string[] = [];
  for (let i = 0; i < count; i++) destTermIds.push(r.octetString(21, 'DestTermID'));
  const msgContent = r.bytes(r.u8('MsgLength'), 'MsgContent');
  const reserve = r.octetString(8, 'Reserve');
  return {
    msgType,
    needReport,
    priority,
    serviceId,
    feeType,
    feeCode,
    fixedFee,
    msgFormat,
    validTime,
    atTime,
    srcTermId,
    chargeTermId,
    destTermIds,
    msgContent,
    reserve,
    tlvs: decodeTlvs(r.rest()),
  };
}

export function encodeMsgIdStatus(p: SmgpMsgIdStatus): Buffer {
  if (p.msgId.length !== SMGP_MSG_ID_LENGTH)
    throw new FieldEncodeError('MsgID', `must be ${SMGP_MSG_ID_LENGTH} bytes`);
  return new OctetWriter().bytes(p.msgId).u32(p.status, 'Status').toBuffer();
}

export function decodeMsgIdStatus(body: Buffer): SmgpMsgIdStatus {
  const r = new OctetReader(body);
  return { msgId: r.bytes(SMGP_MSG_ID_LENGTH, 'MsgID'), status: r.u32('Status') };
}
