import {
  LengthPrefixedDecoder,
  PduDecodeError,
  type FrameEvent,
  type PduCodec,
} from '@dizi/gateway-kit';
import {
  decodeBind,
  decodeDeliver,
  decodeReport,
  decodeResult,
  decodeSubmit,
  encodeBind,
  encodeDeliver,
  encodeReport,
  encodeResult,
  encodeSubmit,
  type SgipBind,
  type SgipDeliver,
  type SgipReport,
  type SgipResult,
  type SgipSubmit,
} from './sgip-bodies';
import { SGIP_HEADER_LENGTH, SGIP_MAX_PACKET_LENGTH, SgipCommand } from './sgip-constants';
import { frameSgip, readSgipHeader } from './sgip-header';
import type { SgipSequence } from './sgip-sequence';

/** Every SGIP 1.2 PDU the SP and the SMG exchange, tagged by command. */
export type SgipPdu = { sequence: SgipSequence } & (
  | ({ command: 'bind' } & SgipBind)
  | ({ command: 'bind_resp' } & SgipResult)
  | { command: 'unbind' }
  | { command: 'unbind_resp' }
  | ({ command: 'submit' } & SgipSubmit)
  | ({ command: 'submit_resp' } & SgipResult)
  | ({ command: 'deliver' } & SgipDeliver)
  | ({ command: 'deliver_resp' } & SgipResult)
  | ({ command: 'report' } & SgipReport)
  | ({ command: 'report_resp' } & SgipResult)
);

export type SgipCommandName = SgipPdu['command'];

const COMMAND_IDS: Record<SgipCommandName, number> = {
  bind: SgipCommand.BIND,
  bind_resp: SgipCommand.BIND_RESP,
  unbind: SgipCommand.UNBIND,
  unbind_resp: SgipCommand.UNBIND_RESP,
  submit: SgipCommand.SUBMIT,
  submit_resp: SgipCommand.SUBMIT_RESP,
  deliver: SgipCommand.DELIVER,
  deliver_resp: SgipCommand.DELIVER_RESP,
  report: SgipCommand.REPORT,
  report_resp: SgipCommand.REPORT_RESP,
};

const COMMAND_NAMES = new Map<number, SgipCommandName>(
  Object.entries(COMMAND_IDS).map(([name, id]) => [id, name as SgipCommandName]),
);

export function encodeSgipPdu(pdu: SgipPdu): Buffer {
  return frameSgip(COMMAND_IDS[pdu.command], pdu.sequence, encodeBody(pdu));
}

function encodeBody(pdu: SgipPdu): Buffer {
  switch (pdu.command) {
    case 'bind':
      return encodeBind(pdu);
    case 'bind_resp':
    case 'submit_resp':
    case 'deliver_resp':
    case 'report_resp':
      return encodeResult(pdu);
    case 'submit':
      return encodeSubmit(pdu);
    case 'deliver':
      return encodeDeliver(pdu);
    case 'report':
      return encodeReport(pdu);
    case 'unbind':
    case 'unbind_resp':
      return Buffer.alloc(0);
  }
}

/** Decodes a whole packet; unknown commands and short bodies are a {@link PduDecodeError}. */
export function decodeSgipPdu(raw: Buffer): SgipPdu {
  const { commandId, sequence } = readSgipHeader(raw);
  const body = raw.subarray(SGIP_HEADER_LENGTH);
  const command = COMMAND_NAMES.get(commandId);
  switch (command) {
    case 'bind':
      return { command, sequence, ...decodeBind(body) };
    case 'bind_resp':
    case 'submit_resp':
    case 'deliver_resp':
    case 'report_resp':
      return { command, sequence, ...decodeResult(body) };
    case 'submit':
      return { command, sequence, ...decodeSubmit(body) };
    case 'deliver':
      return { command, sequence, ...decodeDeliver(body) };
    case 'report':
      return { command, sequence, ...decodeReport(body) };
    case 'unbind':
    case 'unbind_resp':
      return { command, sequence };
    case undefined:
      throw new PduDecodeError(
        'unknown-command',
        `unknown SGIP Command ID 0x${commandId.toString(16).padStart(8, '0')}`,
      );
  }
}

export type SgipFrameEvent = FrameEvent<SgipPdu>;

export function createSgipDecoder(
  maxPacketLength = SGIP_MAX_PACKET_LENGTH,
): LengthPrefixedDecoder<SgipPdu> {
  return new LengthPrefixedDecoder({
    protocol: 'SGIP',
    headerLength: SGIP_HEADER_LENGTH,
    maxPacketLength,
    decode: decodeSgipPdu,
  });
}

export const sgipCodec: PduCodec<SgipPdu> = {
  protocol: 'SGIP',
  createDecoder: () => createSgipDecoder(),
  encode: encodeSgipPdu,
};
