import { FieldEncodeError, OctetReader, OctetWriter, PduDecodeError } from '@dizi/gateway-kit';
import { SMGP_MSG_ID_LENGTH } from './smgp-msg-id';
import { decodeTlvs, encodeTlvs, type SmgpTlv } from './smgp-tlv';

/** Deliver body (PROTOCOLS.md §3). */
export interface SmgpDeliver {
  msgId: Buffer;
  /** 1 = MsgContent is a status report. */
  isReport: number;
  msgFormat: number;
  /** YYYYMMDDhhmmss. */
  recvTime: string;
  srcTermId: string;
  destTermId: string;
  msgContent: Buffer;
  reserve: string;
  tlvs: SmgpTlv[];
}

/** The report carried in a Deliver with IsReport = 1. */
export interface SmgpReport {
  /** The MsgID the Submit_Resp gave, 10 bytes. */
  msgId: Buffer;
  sub: string;
  dlvrd: string;
  /** YYMMDDhhmm. */
  submitDate: string;
  doneDate: string;
  stat: string;
  err: string;
  /** The first bytes of the message, in whatever coding it had. */
  txt: Buffer;
}

export function encodeDeliver(d: SmgpDeliver): Buffer {
  if (d.msgId.length !== SMGP_MSG_ID_LENGTH)
    throw new FieldEncodeError('MsgID', `must be ${SMGP_MSG_ID_LENGTH} bytes`);
  return new OctetWriter()
    .bytes(d.msgId)
    .u8(d.isReport, 'IsReport')
    .u8(d.msgFormat, 'MsgFormat')
    .octetString(d.recvTime, 14, 'RecvTime')
    .octetString(d.srcTermId, 21, 'SrcTermID')
    .octetString(d.destTermId, 21, 'DestTermID')
    .u8(d.msgContent.length, 'MsgLength')
    .bytes(d.msgContent)
    .octetString(d.reserve, 8, 'Reserve')
    .bytes(encodeTlvs(d.tlvs))
    .toBuffer();
}

export function decodeDeliver(body: Buffer): SmgpDeliver {
  const r = new OctetReader(body);
  const msgId = r.bytes(SMGP_MSG_ID_LENGTH, 'MsgID');
  const isReport = r.u8('IsReport');
  const msgFormat = r.u8('MsgFormat');
  const recvTime = r.octetString(14, 'RecvTime');
  const srcTermId = r.octetString(21, 'SrcTermID');
  const destTermId = r.octetString(21, 'DestTermID');
  const msgContent = r.bytes(r.u8('MsgLength'), 'MsgContent');
  const reserve = r.octetString(8, 'Reserve');
  return {
    msgId,
    isReport,
    msgFormat,
    recvTime,
    srcTermId,
    destTermId,
    msgContent,
    reserve,
    tlvs: decodeTlvs(r.rest()),
  };
}

/**
 * Report text: "id:" + the 10 raw MsgID bytes, then
 * "sub:001 dlvrd:001 submit_date:… done_date:… stat:… err:… txt:…" — laid out as in
 * SMSGate's test vector (no blank between the id bytes and "sub:").
 */
export function encodeReport(p: SmgpReport): Buffer {
  if (p.msgId.length !== SMGP_MSG_ID_LENGTH)
    throw new FieldEncodeError('id', `must be ${SMGP_MSG_ID_LENGTH} bytes`);
  const text =
    `sub:${p.sub} dlvrd:${p.dlvrd} submit_date:${p.submitDate} done_date:${p.doneDate}` +
    ` stat:${p.stat} err:${p.err} txt:`;
  return Buffer.concat([Buffer.from('id:', 'latin1'), p.msgId, Buffer.from(text, 'latin1'), p.txt]);
}

const REPORT_FIELDS =
  /^\s*sub:(\S*)\s+dlvrd:(\S*)\s+submit_date:(\S*)\s+done_date:(\S*)\s+stat:(\S*)\s+err:(\S*)\s*(?:txt:)?/;

/** Parses a report; also accepts a blank after the id bytes, as some gateways send. */
export function decodeReport(content: Buffer): SmgpReport {
  const start = 3 + SMGP_MSG_ID_LENGTH;
  if (content.length < start || content.subarray(0, 3).toString('latin1') !== 'id:') {
    throw new PduDecodeError(
      'bad-field',
      'status report does not start with "id:" and a 10-byte MsgID',
    );
  }
  const rest = content.subarray(start);
  const match = REPORT_FIELDS.exec(rest.toString('latin1'));
  if (!match)
    throw new PduDecodeError(
      'bad-field',
      'status report text lacks sub/dlvrd/submit_date/done_date/stat/err',
    );
  const [whole, sub, dlvrd, submitDate, doneDate, stat, err] = match;
  return {
    msgId: Buffer.from(content.subarray(3, start)),
    sub,
    dlvrd,
    submitDate,
    doneDate,
    stat,
    err,
    txt: Buffer.from(rest.subarray(whole.length)),
  };
}
