import { LengthPrefixedDecoder, type FrameEvent } from '@dizi/gateway-kit';
import { SMPP_HEADER_LENGTH, SMPP_MAX_PDU_LENGTH } from './smpp-constants';
import { decodeSmppPdu, type SmppPdu } from './smpp-pdu';

export type SmppFrameEvent = FrameEvent<SmppPdu>;

/**
 * Cuts a TCP byte stream into SMPP PDUs. SMPP frames like CMPP (u32 command_length,
 * then u32 command_id), so the kit's length-prefixed framer does the cutting: a PDU
 * with a sound length but a bad body is skipped as a `bad-packet`; a length below 16
 * or above the maximum loses the framing (`fatal`) and the connection is dropped.
 */
export class SmppFrameDecoder extends LengthPrefixedDecoder<SmppPdu> {
  constructor(maxPduLength = SMPP_MAX_PDU_LENGTH) {
    super({
      protocol: 'SMPP',
      headerLength: SMPP_HEADER_LENGTH,
      maxPacketLength: maxPduLength,
      decode: decodeSmppPdu,
    });
  }
}

/** sequence_number of a PDU that could not be decoded (bytes 12-15). */
export function smppSequenceOf(raw: Buffer): number {
  return raw.length >= SMPP_HEADER_LENGTH ? raw.readUInt32BE(12) : 0;
}
