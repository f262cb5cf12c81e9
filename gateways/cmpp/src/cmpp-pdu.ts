import { OctetReader, OctetWriter, PduDecodeError } from '@dizi/gateway-kit';
import { CmppCommand, type CmppVersion } from './cmpp-constants';
import {
  decodeConnect,
  decodeConnectResp,
  encodeConnect,
  encodeConnectResp,
  type CmppConnect,
  type CmppConnectResp,
} from './cmpp-connect';
import { decodeDeliver, encodeDeliver, type CmppDeliver } from './cmpp-deliver';
import { frameCmpp } from './cmpp-header';
import {
  decodeMsgIdResult,
  decodeSubmit,
  encodeMsgIdResult,
  encodeSubmit,
  type CmppSubmit,
  type CmppSubmitResp,
} from './cmpp-submit';

/** Every PDU the SP side and the simulator exchange, tagged by command. */
export type CmppPdu = { sequenceId: number } & (
  | ({ command: 'connect' } & CmppConnect)
  | ({ command: 'connect_resp' } & CmppConnectResp)
  | ({ command: 'submit' } & CmppSubmit)
  | ({ command: 'submit_resp' } & CmppSubmitResp)
  | ({ command: 'deliver' } & CmppDeliver)
  | ({ command: 'deliver_resp' } & CmppSubmitResp)
  | { command: 'active_test' }
  | { command: 'active_test_resp'; reserved: number }
  | { command: 'terminate' }
  | { command: 'terminate_resp' }
);

export type CmppCommandName = CmppPdu['command'];

const COMMAND_IDS: Record<CmppCommandName, number> = {
  connect: CmppCommand.CONNECT,
  connect_resp: CmppCommand.CONNECT_RESP,
  submit: CmppCommand.SUBMIT,
  submit_resp: CmppCommand.SUBMIT_RESP,
  deliver: CmppCommand.DELIVER,
  deliver_resp: CmppCommand.DELIVER_RESP,
  active_test: CmppCommand.ACTIVE_TEST,
  active_test_resp: CmppCommand.ACTIVE_TEST_RESP,
  terminate: CmppCommand.TERMINATE,
  terminate_resp: CmppCommand.TERMINATE_RESP,
};

const COMMAND_NAMES = new Map<number, CmppCommandName>(
  Object.entries(COMMAND_IDS).map(([name, id]) => [id, name as CmppCommandName]),
);

export function cmppCommandName(commandId: number): CmppCommandName | undefined {
  return COMMAND_NAMES.get(commandId);
}

/** Encodes a whole packet (header included) in the layout of `version`. */
export function encodeCmppPdu(pdu: CmppPdu, version: CmppVersion): Buffer {
  return frameCmpp(COMMAND_IDS[pdu.command], pdu.sequenceId, encodeBody(pdu, version));
}

function encodeBody(pdu: CmppPdu, version: CmppVersion): Buffer {
  switch (pdu.command) {
    case 'connect':
      return encodeConnect(pdu);
    case 'connect_resp':
      return encodeConnectResp(pdu, version);
    case 'submit':
      return encodeSubmit(pdu, version);
    case 'submit_resp':
    case 'deliver_resp':
      return encodeMsgIdResult(pdu, version);
    case 'deliver':
      return encodeDeliver(pdu, version);
    case 'active_test_resp':
      return new OctetWriter().u8(pdu.reserved, 'Reserved').toBuffer();
    case 'active_test':
    case 'terminate':
    case 'terminate_resp':
      return Buffer.alloc(0);
  }
}

/**
 * Decodes a body whose header was already read. An unknown Command_Id or a body
 * too short for its fields is a {@link PduDecodeError}.
 */
export function decodeCmppBody(
  commandId: number,
  sequenceId: number,
  body: Buffer,
  version: CmppVersion,
): CmppPdu {
  const command = cmppCommandName(commandId);
  switch (command) {
    case 'connect':
      return { command, sequenceId, ...decodeConnect(body) };
    case 'connect_resp':
      return { command, sequenceId, ...decodeConnectResp(body) };
    case 'submit':
      return { command, sequenceId, ...decodeSubmit(body, version) };
    case 'submit_resp':
    case 'deliver_resp':
      return { command, sequenceId, ...decodeMsgIdResult(body) };
    case 'deliver':
      return { command, sequenceId, ...decodeDeliver(body, version) };
    case 'active_test_resp':
      // Some ISMGs omit the Reserved byte; nothing depends on it.
      return {
        command,
        sequenceId,
        reserved: body.length ? new OctetReader(body).u8('Reserved') : 0,
      };
    case 'active_test':
    case 'terminate':
    case 'terminate_resp':
      return { command, sequenceId };
    case undefined:
      throw new PduDecodeError(
        'unknown-command',
        `unknown Command_Id 0x${commandId.toString(16).padStart(8, '0')}`,
      );
  }
}
