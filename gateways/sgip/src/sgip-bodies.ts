import { FieldEncodeError, OctetReader, OctetWriter } from '@dizi/gateway-kit';
import { readSequence, writeSequence } from './sgip-header';
import type { SgipSequence } from './sgip-sequence';

/** Bind: LoginType 1, LoginName 16, LoginPassword 16, Reserve 8 (PROTOCOLS.md §2.3). */
export interface SgipBind {
  loginType: number;
  loginName: string;
  loginPassword: string;
  reserve: string;
}

/** Bind_Resp, Submit_Resp, Deliver_Resp and Report_Resp: Result 1, Reserve 8. */
export interface SgipResult {
  result: number;
  reserve: string;
}

export interface SgipSubmit {
  spNumber: string;
  chargeNumber: string;
  userNumbers: string[];
  corpId: string;
  serviceType: string;
  feeType: number;
  feeValue: string;
  givenValue: string;
  agentFlag: number;
  morelatetoMTFlag: number;
  priority: number;
  expireTime: string;
  scheduleTime: string;
  reportFlag: number;
  tpPid: number;
  tpUdhi: number;
  messageCoding: number;
  messageType: number;
  messageContent: Buffer;
  reserve: string;
}

export interface SgipDeliver {
  userNumber: string;
  spNumber: string;
  tpPid: number;
  tpUdhi: number;
  messageCoding: number;
  messageContent: Buffer;
  reserve: string;
}

/** Report: matches the Submit by its 12-byte sequence number. State 0 delivered, 1 waiting, 2 failed. */
export interface SgipReport {
  submitSequence: SgipSequence;
  reportType: number;
  userNumber: string;
  state: number;
  errorCode: number;
  reserve: string;
}

const MAX_USERS = 100;

export function encodeBind(b: SgipBind): Buffer {
  return new OctetWriter()
    .u8(b.loginType, 'LoginType')
    .octetString(b.loginName, 16, 'LoginName')
    .octetString(b.loginPassword, 16, 'LoginPassword')
    .octetString(b.reserve, 8, 'Reserve')
    .toBuffer();
}

export function decodeBind(body: Buffer): SgipBind {
  const r = new OctetReader(body);
  return {
    loginType: r.u8('LoginType'),
    loginName: r.octetString(16, 'LoginName'),
    loginPassword: r.octetString(16, 'LoginPassword'),
    reserve: r.octetString(8, 'Reserve'),
  };
}

export function encodeResult(b: SgipResult): Buffer {
  return new OctetWriter().u8(b.result, 'Result').octetString(b.reserve, 8, 'Reserve').toBuffer();
}

export function decodeResult(body: Buffer): SgipResult {
  const r = new OctetReader(body);
  return { result: r.u8('Result'), reserve: r.octetString(8, 'Reserve') };
}

export function encodeSubmit(s: SgipSubmit): Buffer {
  if (s.userNumbers.length < 1 || s.userNumbers.length > MAX_USERS) {
    throw new FieldEncodeError(
      'UserCount',
      `${s.userNumbers.length} users, allowed 1..${MAX_USERS}`,
    );
  }
  const w = new OctetWriter()
    .octetString(s.spNumber, 21, 'SPNumber')
    .octetString(s.chargeNumber, 21, 'ChargeNumber')
    .u8(s.userNumbers.length, 'UserCount');
  for (const user of s.userNumbers) w.octetString(user, 21, 'UserNumber');
  return w
    .octetString(s.corpId, 5, 'CorpId')
    .octetString(s.serviceType, 10, 'ServiceType')
    .u8(s.feeType, 'FeeType')
    .octetString(s.feeValue, 6, 'FeeValue')
    .octetString(s.givenValue, 6, 'GivenValue')
    .u8(s.agentFlag, 'AgentFlag')
    .u8(s.morelatetoMTFlag, 'MorelatetoMTFlag')
    .u8(s.priority, 'Priority')
    .octetString(s.expireTime, 16, 'ExpireTime')
    .octetString(s.scheduleTime, 16, 'ScheduleTime')
    .u8(s.reportFlag, 'ReportFlag')
    .u8(s.tpPid, 'TP_pid')
    .u8(s.tpUdhi, 'TP_udhi')
    .u8(s.messageCoding, 'MessageCoding')
    .u8(s.messageType, 'MessageType')
    .u32(s.messageContent.length, 'MessageLength')
    .bytes(s.messageContent)
    .octetString(s.reserve, 8, 'Reserve')
    .toBuffer();
}

export function decodeSubmit(body: Buffer): SgipSubmit {
  const r = new OctetReader(body);
  const spNumber = r.octetString(21, 'SPNumber');
  const chargeNumber = r.octetString(21, 'ChargeNumber');
  const count = r.u8('UserCount');
  const userNumbers: string[] = [];
  for (let i = 0; i < count; i++) userNumbers.push(r.octetString(21, 'UserNumber'));
  return {
    spNumber,
    chargeNumber,
    userNumbers,
    corpId: r.octetString(5, 'CorpId'),
    serviceType: r.octetString(10, 'ServiceType'),
    feeType: r.u8('FeeType'),
    feeValue: r.octetString(6, 'FeeValue'),
    givenValue: r.octetString(6, 'GivenValue'),
    agentFlag: r.u8('AgentFlag'),
    morelatetoMTFlag: r.u8('MorelatetoMTFlag'),
    priority: r.u8('Priority'),
    expireTime: r.octetString(16, 'ExpireTime'),
    scheduleTime: r.octetString(16, 'ScheduleTime'),
    reportFlag: r.u8('ReportFlag'),
    tpPid: r.u8('TP_pid'),
    tpUdhi: r.u8('TP_udhi'),
    messageCoding: r.u8('MessageCoding'),
    messageType: r.u8('MessageType'),
    messageContent: r.bytes(r.u32('MessageLength'), 'MessageContent'),
    reserve: r.octetString(8, 'Reserve'),
  };
}

export function encodeDeliver(d: SgipDeliver): Buffer {
  return new OctetWriter()
    .octetString(d.userNumber, 21, 'UserNumber')
    .octetString(d.spNumber, 21, 'SPNumber')
    .u8(d.tpPid, 'TP_pid')
    .u8(d.tpUdhi, 'TP_udhi')
    .u8(d.messageCoding, 'MessageCoding')
    .u32(d.messageContent.length, 'MessageLength')
    .bytes(d.messageContent)
    .octetString(d.reserve, 8, 'Reserve')
    .toBuffer();
}

export function decodeDeliver(body: Buffer): SgipDeliver {
  const r = new OctetReader(body);
  return {
    userNumber: r.octetString(21, 'UserNumber'),
    spNumber: r.octetString(21, 'SPNumber'),
    tpPid: r.u8('TP_pid'),
    tpUdhi: r.u8('TP_udhi'),
    messageCoding: r.u8('MessageCoding'),
    messageContent: r.bytes(r.u32('MessageLength'), 'MessageContent'),
    reserve: r.octetString(8, 'Reserve'),
  };
}

export function encodeReport(p: SgipReport): Buffer {
  const w = new OctetWriter();
  writeSequence(w, p.submitSequence);
  return w
    .u8(p.reportType, 'ReportType')
    .octetString(p.userNumber, 21, 'UserNumber')
    .u8(p.state, 'State')
    .u8(p.errorCode, 'ErrorCode')
    .octetString(p.reserve, 8, 'Reserve')
    .toBuffer();
}

export function decodeReport(body: Buffer): SgipReport {
  const r = new OctetReader(body);
  return {
    submitSequence: readSequence(r),
    reportType: r.u8('ReportType'),
    userNumber: r.octetString(21, 'UserNumber'),
    state: r.u8('State'),
    errorCode: r.u8('ErrorCode'),
    reserve: r.octetString(8, 'Reserve'),
  };
}
