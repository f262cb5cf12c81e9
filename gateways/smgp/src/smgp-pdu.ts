import {
  LengthPrefixedDecoder,
  OctetWriter,
  PduDecodeError,
  type FrameEvent,
  type PduCodec,
} from '@dizi/gateway-kit';
import { SMGP_HEADER_LENGTH, SMGP_MAX_PACKET_LENGTH, SmgpRequest } from './smgp-constants';
import { decodeDeliver, encodeDeliver, type SmgpDeliver } from './smgp-deliver';
import {
  decodeLogin,
  decodeLoginResp,
  encodeLogin,
  encodeLoginResp,
  type SmgpLogin,
  type SmgpLoginResp,
} from './smgp-login';
import {
  decodeMsgIdStatus,
  decodeSubmit,
  encodeMsgIdStatus,
  encodeSubmit,
  type SmgpMsgIdStatus,
  type SmgpSubmit,
} from './smgp-submit';

/** Every SMGP 3.0 PDU the SP and the gateway exchange, tagged by request. */
export type SmgpPdu = { sequenceId: number } & (
  | ({ command: 'login' } & SmgpLogin)
  | ({ command: 'login_resp' } & SmgpLoginResp)
  | ({ command: 'submit' } & SmgpSubmit)
  | ({ command: 'submit_resp' } & SmgpMsgIdStatus)
  | ({ command: 'deliver' } & SmgpDeliver)
  | ({ command: 'deliver_resp' } & SmgpMsgIdStatus)
  | { command: 'active_test' }
  | { command: 'active_test_resp' }
  | { command: 'exit' }
  | { command: 'exit_resp' }
);

export type SmgpCommandName = SmgpPdu['command'];

const REQUEST_IDS: Record<SmgpCommandName, number> = {
  login: SmgpRequest.LOGIN,
  login_resp: SmgpRequest.LOGIN_RESP,
  submit: SmgpRequest.SUBMIT,
  submit_resp: SmgpRequest.SUBMIT_RESP,
  deliver: SmgpRequest.DELIVER,
  deliver_resp: SmgpRequest.DELIVER_RESP,
  active_test: SmgpRequest.ACTIVE_TEST,
  active_test_resp: SmgpRequest.ACTIVE_TEST_RESP,
  exit: SmgpRequest.EXIT,
  exit_resp: SmgpRequest.EXIT_RESP,
};

const COMMAND_NAMES = new Map<number, SmgpCommandName>(
  Object.entries(REQUEST_IDS).map(([name, id]) => [id, name as SmgpCommandName]),
);

export function encodeSmgpPdu(pdu: SmgpPdu): Buffer {
  const body = encodeBody(pdu);
  const header = new OctetWriter()
    .u32(SMGP_HEADER_LENGTH + body.length, 'PacketLength')
    .u32(REQUEST_IDS[pdu.command], 'RequestID')
    .u32(pdu.sequenceId, 'SequenceID')
    .toBuffer();
  return Buffer.concat([header, body]);
}

function encodeBody(pdu: SmgpPdu): Buffer {
  switch (pdu.command) {
    case 'login':
      return encodeLogin(pdu);
    case 'login_resp':
      return encodeLoginResp(pdu);
    case 'submit':
      return encodeSubmit(pdu);
    case 'deliver':
      return encodeDeliver(pdu);
    case 'submit_resp':
    case 'deliver_resp':
      return encodeMsgIdStatus(pdu);
    case 'active_test':
    case 'active_test_resp':
    case 'exit':
    case 'exit_resp':
      return Buffer.alloc(0);
  }
}

/** Decodes a whole packet; unknown RequestIDs and short bodies are a {@link PduDecodeError}. */
export function decodeSmgpPdu(raw: Buffer): SmgpPdu {
  const requestId = raw.readUInt32BE(4);
  const sequenceId = raw.readUInt32BE(8);
  const body = raw.subarray(SMGP_HEADER_LENGTH);
  const command = COMMAND_NAMES.get(requestId);
  switch (command) {
    case 'login':
      return { command, sequenceId, ...decodeLogin(body) };
    case 'login_resp':
      return { command, sequenceId, ...decodeLoginResp(body) };
    case 'submit':
      return { command, sequenceId, ...decodeSubmit(body) };
    case 'deliver':
      return { command, sequenceId, ...decodeDeliver(body) };
    case 'submit_resp':
    case 'deliver_resp':
      return { command, sequenceId, ...decodeMsgIdStatus(body) };
    case 'active_test':
    case 'active_test_resp':
    case 'exit':
    case 'exit_resp':
      return { command, sequenceId };
    case undefined:
      throw new PduDecodeError(
        'unknown-command',
        `unknown SMGP RequestID 0x${requestId.toString(16).padStart(8, '0')}`,
      );
  }
}

export type SmgpFrameEvent = FrameEvent<SmgpPdu>;

export function createSmgpDecoder(
  maxPacketLength = SMGP_MAX_PACKET_LENGTH,
): LengthPrefixedDecoder<SmgpPdu> {
  return new LengthPrefixedDecoder({
    protocol: 'SMGP',
    headerLength: SMGP_HEADER_LENGTH,
    maxPacketLength,
    decode: decodeSmgpPdu,
  });
}

export const smgpCodec: PduCodec<SmgpPdu> = {
  protocol: 'SMGP',
  createDecoder: () => createSmgpDecoder(),
  encode: encodeSmgpPdu,
};
