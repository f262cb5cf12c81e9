import { LengthPrefixedDecoder, type FrameEvent } from '@dizi/gateway-kit';
import { CMPP_HEADER_LENGTH, CMPP_MAX_PACKET_LENGTH, type CmppVersion } from './cmpp-constants';
import { readCmppHeader } from './cmpp-header';
import { decodeCmppBody, type CmppPdu } from './cmpp-pdu';

export type CmppFrameEvent = FrameEvent<CmppPdu>;

/**
 * Cuts a TCP byte stream into CMPP packets (see {@link LengthPrefixedDecoder}).
 * Bodies are read with the layouts of the session's version, which CONNECT settles.
 */
export class CmppFrameDecoder extends LengthPrefixedDecoder<CmppPdu> {
  constructor(
    private version: CmppVersion,
    maxPacketLength = CMPP_MAX_PACKET_LENGTH,
  ) {
    super({
      protocol: 'CMPP',
      headerLength: CMPP_HEADER_LENGTH,
      maxPacketLength,
      decode: (raw) => {
        const header = readCmppHeader(raw);
        return decodeCmppBody(
          header.commandId,
          header.sequenceId,
          raw.subarray(CMPP_HEADER_LENGTH),
          this.version,
        );
      },
    });
  }

  setVersion(version: CmppVersion): void {
    this.version = version;
  }
}

/** Sequence_Id of a packet that could not be decoded (it sits at bytes 8-11). */
export function cmppSequenceOf(raw: Buffer): number {
  return raw.length >= CMPP_HEADER_LENGTH ? raw.readUInt32BE(8) : 0;
}
