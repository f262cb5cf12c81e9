import { OctetReader, OctetWriter } from '@dizi/gateway-kit';
import { SGIP_HEADER_LENGTH } from './sgip-constants';
import type { SgipSequence } from './sgip-sequence';

export interface SgipHeader {
  messageLength: number;
  commandId: number;
  sequence: SgipSequence;
}

export function writeSequence(w: OctetWriter, seq: SgipSequence): OctetWriter {
  return w
    .u32(seq.nodeId, 'SequenceNumber.node')
    .u32(seq.timestamp, 'SequenceNumber.time')
    .u32(seq.counter, 'SequenceNumber.counter');
}

export function readSequence(r: OctetReader): SgipSequence {
  return {
    nodeId: r.u32('SequenceNumber.node'),
    timestamp: r.u32('SequenceNumber.time'),
    counter: r.u32('SequenceNumber.counter'),
  };
}

/** Header ‖ body, with Message Length counting the 20 header bytes. */
export function frameSgip(
  commandId: number,
  sequence: SgipSequence,
  body: Buffer = Buffer.alloc(0),
): Buffer {
  const w = new OctetWriter()
    .u32(SGIP_HEADER_LENGTH + body.length, 'Message Length')
    .u32(commandId, 'Command ID');
  writeSequence(w, sequence);
  return Buffer.concat([w.toBuffer(), body]);
}

/** Reads the header at the start of `bytes` (at least 20 bytes). */
export function readSgipHeader(bytes: Buffer): SgipHeader {
  const r = new OctetReader(bytes);
  return { messageLength: r.u32(), commandId: r.u32(), sequence: readSequence(r) };
}
