import { OctetWriter } from '@dizi/gateway-kit';
import { CMPP_HEADER_LENGTH } from './cmpp-constants';

export interface CmppHeader {
  totalLength: number;
  commandId: number;
  sequenceId: number;
}

/** Header ‖ body, with Total_Length counting the 12 header bytes. */
export function frameCmpp(
  commandId: number,
  sequenceId: number,
  body: Buffer = Buffer.alloc(0),
): Buffer {
  const header = new OctetWriter()
    .u32(CMPP_HEADER_LENGTH + body.length, 'Total_Length')
    .u32(commandId, 'Command_Id')
    .u32(sequenceId, 'Sequence_Id')
    .toBuffer();
  return Buffer.concat([header, body]);
}

/** Reads the header at the start of `bytes` (which must hold at least 12 bytes). */
export function readCmppHeader(bytes: Buffer): CmppHeader {
  return {
    totalLength: bytes.readUInt32BE(0),
    commandId: bytes.readUInt32BE(4),
    sequenceId: bytes.readUInt32BE(8),
  };
}
