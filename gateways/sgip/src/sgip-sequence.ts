import { carrierTimestamp, systemClock, type Clock } from '@dizi/gateway-kit';

/** The 12-byte Sequence Number: source node id, MMDDhhmmss as a decimal, running counter. */
export interface SgipSequence {
  nodeId: number;
  timestamp: number;
  counter: number;
}

/** Numbers requests as node id + MMDDhhmmss + counter (PROTOCOLS.md §2.1). */
export class SgipSequenceGenerator {
  private counter = 0;

  constructor(
    readonly nodeId: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId > 0xffffffff) {
      throw new RangeError(`SGIP node id must be a u32, got ${nodeId}`);
    }
  }

  next(): SgipSequence {
    this.counter = this.counter >= 0xffffffff ? 1 : this.counter + 1;
    return {
      nodeId: this.nodeId,
      timestamp: sgipTimestamp(new Date(this.clock.now())),
      counter: this.counter,
    };
  }
}

/** MMDDhhmmss as a decimal, the middle word of a sequence number. */
export const sgipTimestamp = carrierTimestamp;

/** The carrier id the link hands out for a Submit: "node-MMDDhhmmss-counter". */
export function formatSgipSequence(seq: SgipSequence): string {
  return `${seq.nodeId}-${String(seq.timestamp).padStart(10, '0')}-${seq.counter}`;
}

export function sameSequence(a: SgipSequence, b: SgipSequence): boolean {
  return a.nodeId === b.nodeId && a.timestamp === b.timestamp && a.counter === b.counter;
}

/** One key per sequence, for maps of requests in flight. */
export function sequenceKey(seq: SgipSequence): string {
  return formatSgipSequence(seq);
}
