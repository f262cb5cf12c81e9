import { GatewayError } from '@dizi/gateway-kit';

/** `+CMS ERROR: <n>` texts (3GPP TS 27.005 §3.2.5, with the network causes of TS 24.011). */
const CMS_TEXT: Record<number, string> = {
  1: 'unassigned number',
  8: 'operator determined barring',
  10: 'call barred',
  21: 'short message transfer rejected',
  27: 'destination out of service',
  28: 'unidentified subscriber',
  29: 'facility rejected',
  30: 'unknown subscriber',
  38: 'network out of order',
  41: 'temporary failure',
  42: 'congestion',
  47: 'resources unavailable',
  50: 'requested facility not subscribed',
  69: 'requested facility not implemented',
  81: 'invalid short message transfer reference value',
  95: 'invalid message, unspecified',
  96: 'invalid mandatory information',
  97: 'message type non-existent or not implemented',
  98: 'message not compatible with short message protocol state',
  99: 'information element non-existent or not implemented',
  111: 'protocol error, unspecified',
  127: 'interworking, unspecified',
  300: 'ME failure',
  301: 'SMS service of ME reserved',
  302: 'operation not allowed',
  303: 'operation not supported',
  304: 'invalid PDU mode parameter',
  305: 'invalid text mode parameter',
  310: 'SIM not inserted',
  311: 'SIM PIN required',
  312: 'PH-SIM PIN required',
  313: 'SIM failure',
  314: 'SIM busy',
  315: 'SIM wrong',
  316: 'SIM PUK required',
  317: 'SIM PIN2 required',
  318: 'SIM PUK2 required',
  320: 'memory failure',
  321: 'invalid memory index',
  322: 'memory full',
  330: 'SMSC address unknown',
  331: 'no network service',
  332: 'network timeout',
  340: 'no +CNMA acknowledgement expected',
  500: 'unknown error',
};

/** Codes after which the same PDU may succeed later (network or modem busy). */
const RETRYABLE_CMS = new Set([38, 41, 42, 47, 300, 314, 331, 332, 500]);

/**
 * Codes that mean the modem or its SIM cannot send at all (rather than "this message
 * is wrong"): a pool takes such a modem out of rotation and tries another one.
 */
const MODEM_FAULT_CMS = new Set([
  8, 10, 38, 300, 301, 310, 311, 312, 313, 314, 315, 316, 317, 318, 320, 330, 331, 332,
]);

export function cmsErrorText(code: number): string {
  return CMS_TEXT[code] ?? (code >= 512 ? 'manufacturer specific' : 'unknown cause');
}

export function isRetryableCms(code: number): boolean {
  return RETRYABLE_CMS.has(code);
}

export function isModemFaultCms(code: number): boolean {
  return MODEM_FAULT_CMS.has(code);
}

/** The modem answered `+CMS ERROR: <n>` (message service failure). */
export class CmsError extends GatewayError {
  constructor(
    readonly command: string,
    readonly cms: number,
  ) {
    super('CMS_ERROR', `${command}: +CMS ERROR ${cms} (${cmsErrorText(cms)})`);
  }
}

/** The modem answered `+CME ERROR: <n or text>` (equipment failure, e.g. SIM PIN). */
export class CmeError extends GatewayError {
  constructor(
    readonly command: string,
    readonly cme: string,
  ) {
    super('CME_ERROR', `${command}: +CME ERROR ${cme}`);
  }
}

/** The modem answered a bare `ERROR` (or `NO CARRIER` etc.). */
export class AtCommandError extends GatewayError {
  constructor(
    readonly command: string,
    readonly result: string,
  ) {
    super('AT_ERROR', `${command}: ${result}`);
  }
}

/** No final result code within the time-out: the modem may have stopped answering. */
export class AtTimeoutError extends GatewayError {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super('AT_TIMEOUT', `${command}: no answer within ${timeoutMs} ms`);
  }
}

/** The serial port closed (or was closed) while a command waited. */
export class ModemClosedError extends GatewayError {
  constructor(detail: string) {
    super('MODEM_CLOSED', `modem port closed: ${detail}`);
  }
}

/** The modem said something that does not fit the AT dialogue (e.g. +CMGS without a number). */
export class ModemProtocolError extends GatewayError {
  constructor(detail: string) {
    super('MODEM_PROTOCOL', detail);
  }
}
