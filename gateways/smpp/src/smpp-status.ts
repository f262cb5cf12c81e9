import { GatewayError } from '@dizi/gateway-kit';

/** command_status values of SMPP 3.4 §5.1.3 with their names and meaning. */
const STATUS: Readonly<Record<number, [string, string]>> = {
  0x00: ['ESME_ROK', 'no error'],
  0x01: ['ESME_RINVMSGLEN', 'message length is invalid'],
  0x02: ['ESME_RINVCMDLEN', 'command length is invalid'],
  0x03: ['ESME_RINVCMDID', 'invalid command id'],
  0x04: ['ESME_RINVBNDSTS', 'incorrect bind status for this command'],
  0x05: ['ESME_RALYBND', 'already bound'],
  0x06: ['ESME_RINVPRTFLG', 'invalid priority flag'],
  0x07: ['ESME_RINVREGDLVFLG', 'invalid registered delivery flag'],
  0x08: ['ESME_RSYSERR', 'system error'],
  0x0a: ['ESME_RINVSRCADR', 'invalid source address'],
  0x0b: ['ESME_RINVDSTADR', 'invalid destination address'],
  0x0c: ['ESME_RINVMSGID', 'message id is invalid'],
  0x0d: ['ESME_RBINDFAIL', 'bind failed'],
  0x0e: ['ESME_RINVPASWD', 'invalid password'],
  0x0f: ['ESME_RINVSYSID', 'invalid system id'],
  0x11: ['ESME_RCANCELFAIL', 'cancel_sm failed'],
  0x13: ['ESME_RREPLACEFAIL', 'replace_sm failed'],
  0x14: ['ESME_RMSGQFUL', 'message queue full'],
  0x15: ['ESME_RINVSERTYP', 'invalid service type'],
  0x33: ['ESME_RINVNUMDESTS', 'invalid number of destinations'],
  0x34: ['ESME_RINVDLNAME', 'invalid distribution list name'],
  0x40: ['ESME_RINVDESTFLAG', 'invalid destination flag'],
  0x42: ['ESME_RINVSUBREP', 'invalid submit with replace request'],
  0x43: ['ESME_RINVESMCLASS', 'invalid esm_class'],
  0x44: ['ESME_RCNTSUBDL', 'cannot submit to distribution list'],
  0x45: ['ESME_RSUBMITFAIL', 'submit_sm or submit_multi failed'],
  0x48: ['ESME_RINVSRCTON', 'invalid source address TON'],
  0x49: ['ESME_RINVSRCNPI', 'invalid source address NPI'],
  0x50: ['ESME_RINVDSTTON', 'invalid destination address TON'],
  0x51: ['ESME_RINVDSTNPI', 'invalid destination address NPI'],
  0x53: ['ESME_RINVSYSTYP', 'invalid system_type'],
  0x54: ['ESME_RINVREPFLAG', 'invalid replace_if_present flag'],
  0x55: ['ESME_RINVNUMMSGS', 'invalid number of messages'],
  0x58: ['ESME_RTHROTTLED', 'throttling error (ESME exceeded its message limits)'],
  0x61: ['ESME_RINVSCHED', 'invalid scheduled delivery time'],
  0x62: ['ESME_RINVEXPIRY', 'invalid validity period'],
  0x63: ['ESME_RINVDFTMSGID', 'predefined message invalid or not found'],
  0x64: ['ESME_RX_T_APPN', 'ESME receiver temporary application error'],
  0x65: ['ESME_RX_P_APPN', 'ESME receiver permanent application error'],
  0x66: ['ESME_RX_R_APPN', 'ESME receiver reject message error'],
  0x67: ['ESME_RQUERYFAIL', 'query_sm failed'],
  0xc0: ['ESME_RINVOPTPARSTREAM', 'error in the optional part of the PDU body'],
  0xc1: ['ESME_ROPTPARNOTALLWD', 'optional parameter not allowed'],
  0xc2: ['ESME_RINVPARLEN', 'invalid parameter length'],
  0xc3: ['ESME_RMISSINGOPTPARAM', 'expected optional parameter missing'],
  0xc4: ['ESME_RINVOPTPARAMVAL', 'invalid optional parameter value'],
  0xfe: ['ESME_RDELIVERYFAILURE', 'delivery failure'],
  0xff: ['ESME_RUNKNOWNERR', 'unknown error'],
};

export const SmppStatus = {
  ROK: 0x00,
  RINVMSGLEN: 0x01,
  RINVCMDLEN: 0x02,
  RINVCMDID: 0x03,
  RINVBNDSTS: 0x04,
  RSYSERR: 0x08,
  RMSGQFUL: 0x14,
  RTHROTTLED: 0x58,
  RX_T_APPN: 0x64,
  RX_P_APPN: 0x65,
} as const;

/** "ESME_RTHROTTLED: throttling error (…)" — or the hex code when the status is vendor-specific. */
export function smppStatusText(status: number): string {
  const known = STATUS[status];
  const hex = `0x${status.toString(16).padStart(8, '0')}`;
  if (known) return `${known[0]}: ${known[1]}`;
  return status >= 0x400 && status <= 0x4ff
    ? `${hex}: SMSC vendor-specific error`
    : `${hex}: reserved/unknown status`;
}

/** The symbolic name, e.g. "ESME_RINVDSTADR", or the hex code. */
export function smppStatusName(status: number): string {
  return STATUS[status]?.[0] ?? `0x${status.toString(16).padStart(8, '0')}`;
}

/**
 * Whether sending the same segment again later may succeed: congestion and transient
 * SMSC faults, not a wrong address or field.
 */
export function isRetryableSmppStatus(status: number): boolean {
  return (
    status === SmppStatus.RSYSERR ||
    status === SmppStatus.RMSGQFUL ||
    status === SmppStatus.RTHROTTLED ||
    status === SmppStatus.RX_T_APPN ||
    status === 0xfe
  );
}

/** bind_transceiver was refused (wrong system_id, password, system_type, already bound…). */
export class SmppBindError extends GatewayError {
  constructor(
    readonly linkId: string,
    readonly status: number,
  ) {
    super('SMPP_BIND', `link ${linkId}: SMSC refused bind_transceiver (${smppStatusText(status)})`);
  }
}
