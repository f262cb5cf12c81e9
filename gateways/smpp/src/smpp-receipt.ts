import { GatewayError, deliveryStateOf, type DeliveryState } from '@dizi/gateway-kit';
import { MESSAGE_STATE_WORDS, SmppTag } from './smpp-constants';
import { findTlv, tlvInt, tlvString, type SmppTlv } from './smpp-pdu';

/** The fields of an SMSC delivery receipt text (SMPP 3.4 Appendix B), as written. */
export interface ReceiptText {
  id?: string;
  sub?: string;
  dlvrd?: string;
  submitDate?: string;
  doneDate?: string;
  stat?: string;
  err?: string;
  text?: string;
}

/** A receipt that names no message id (neither in its text nor in receipted_message_id). */
export class ReceiptParseError extends GatewayError {
  constructor(problem: string) {
    super('SMPP_RECEIPT', `delivery receipt: ${problem}`);
  }
}

// "submit date" is also seen as "submit_date"/"submitdate"; "Text:" with a capital T.
const KEY = /(?:^|[\s,;])(id|sub|dlvrd|submit[ _]?date|done[ _]?date|stat|err|text)\s*:/gi;

/**
 * Parses `id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…` in any
 * order and case, with any of the fields missing. `text` runs to the end (it may hold
 * spaces and colons); every other value is its first word.
 */
export function parseReceiptText(text: string): ReceiptText {
  const hits: { key: string; start: number; valueStart: number }[] = [];
  for (const m of text.matchAll(KEY)) {
    const start = m.index ?? 0;
    hits.push({
      key: m[1].toLowerCase().replace(/[ _]/g, ''),
      start,
      valueStart: start + m[0].length,
    });
  }
  const out: ReceiptText = {};
  for (let i = 0; i < hits.length; i++) {
    const { key, valueStart } = hits[i];
    if (key === 'text') {
      out.text = text.slice(valueStart);
      break;
    }
    const end = i + 1 < hits.length ? hits[i + 1].start : text.length;
    const value = text.slice(valueStart, end).trim().split(/\s+/)[0] ?? '';
    switch (key) {
      case 'id':
        out.id ??= value;
        break;
      case 'sub':
        out.sub ??= value;
        break;
      case 'dlvrd':
        out.dlvrd ??= value;
        break;
      case 'submitdate':
        out.submitDate ??= value;
        break;
      case 'donedate':
        out.doneDate ??= value;
        break;
      case 'stat':
        out.stat ??= value;
        break;
      case 'err':
        out.err ??= value;
        break;
    }
  }
  return out;
}

/** How the id in a receipt text relates to the submit_sm_resp message_id (Kannel's msg-id-type). */
export type ReceiptIdFormat = 'same' | 'decimal-to-hex' | 'decimal-to-hex-upper' | 'hex-to-decimal';

export const RECEIPT_ID_FORMATS: readonly ReceiptIdFormat[] = [
  'same',
  'decimal-to-hex',
  'decimal-to-hex-upper',
  'hex-to-decimal',
];

export interface ParsedReceipt {
  /** The submit_sm_resp message_id this receipt is for. */
  messageId: string;
  state: DeliveryState;
  /** The status word: `stat:` of the text, else the word for message_state. */
  carrierStatus: string;
  /** `err:` of the text, or the network_error_code TLV as "type:code". */
  error?: string;
  submittedAt?: Date;
  doneAt?: Date;
  fields: ReceiptText;
}

/**
 * Reads a delivery receipt from a deliver_sm (or data_sm): the id from the
 * receipted_message_id TLV when present (it carries the submit_sm_resp id exactly),
 * else from the text (converted per `idFormat`); the state from message_state when
 * present, else from `stat:`.
 */
export function parseReceipt(
  text: string,
  tlvs: readonly SmppTlv[],
  idFormat: ReceiptIdFormat = 'same',
): ParsedReceipt {
  const fields = parseReceiptText(text);
  const tlvId = findTlv(tlvs, SmppTag.RECEIPTED_MESSAGE_ID);
  let messageId = tlvId ? tlvString(tlvId).trim() : '';
  if (!messageId && fields.id) messageId = convertId(fields.id, idFormat);
  if (!messageId)
    throw new ReceiptParseError(`no message id in ${JSON.stringify(text.slice(0, 80))}`);
  const stateTlv = findTlv(tlvs, SmppTag.MESSAGE_STATE);
  const stateValue = stateTlv ? tlvInt(stateTlv) : undefined;
  const stateWord = stateValue !== undefined ? MESSAGE_STATE_WORDS[stateValue] : undefined;
  const carrierStatus = fields.stat ?? stateWord ?? 'UNKNOWN';
  const state = stateWord ? receiptState(stateWord) : receiptState(carrierStatus);
  const net = findTlv(tlvs, SmppTag.NETWORK_ERROR_CODE);
  const error =
    fields.err ?? (net && net.length === 3 ? `${net[0]}:${net.readUInt16BE(1)}` : undefined);
  return {
    messageId,
    state,
    carrierStatus,
    error,
    submittedAt: receiptDate(fields.submitDate),
    doneAt: receiptDate(fields.doneDate),
    fields,
  };
}

/** Maps receipt status words, including the long forms some SMSCs write, to a state. */
export function receiptState(word: string): DeliveryState {
  switch (word.trim().toUpperCase()) {
    case 'DELIVERED':
      return 'delivered';
    case 'UNDELIVERABLE':
    case 'UNDELIVERED':
    case 'FAILED':
      return 'undeliverable';
    case 'ENROUTE':
    case 'ACCEPTED':
      return 'accepted';
    case 'REJECTED':
      return 'rejected';
    default:
      return deliveryStateOf(word);
  }
}

function convertId(id: string, format: ReceiptIdFormat): string {
  if (format === 'decimal-to-hex' && /^\d+$/.test(id)) return BigInt(id).toString(16);
  if (format === 'decimal-to-hex-upper' && /^\d+$/.test(id))
    return BigInt(id).toString(16).toUpperCase();
  if (format === 'hex-to-decimal' && /^[0-9a-f]+$/i.test(id)) return BigInt(`0x${id}`).toString(10);
  return id;
}

/**
 * YYMMDDhhmm or YYMMDDhhmmss → a Date in local time (the SMSC's clock, as CMPP does);
 * undefined when malformed or impossible.
 */
export function receiptDate(value: string | undefined): Date | undefined {
  const m = value ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(value) : null;
  if (!m) return undefined;
  const [yy, mo, dd, hh, mi] = m.slice(1, 6).map(Number);
  const ss = m[6] ? Number(m[6]) : 0;
  const date = new Date(2000 + yy, mo - 1, dd, hh, mi, ss);
  const sound =
    date.getMonth() === mo - 1 && date.getDate() === dd && date.getHours() === hh && ss < 60;
  return sound && mi < 60 ? date : undefined;
}
