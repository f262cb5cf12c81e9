import { systemClock, type Clock, type TimerHandle } from '../flow/clock';
import { decodeContent, type ContentEncoding } from './text-encoding';
import type { ConcatInfo } from './udh';

export interface InboundPart {
  encoding: ContentEncoding;
  /** Payload without UDH; for gsm7, unpacked septets one per byte. */
  bytes: Buffer;
}

export interface ReassembledMessage<M> {
  /** Metadata given with the first segment that arrived (sender, receiver, link…). */
  meta: M;
  text: string;
  /** Segments that made it; shorter than `total` only for an expired message. */
  received: number;
  total: number;
  complete: boolean;
}

export interface ReassemblerOptions<M> {
  /** How long to wait for the missing segments after the first one arrived. */
  timeoutMs: number;
  /** Called with what arrived when the time-out passes, so a partial MO is not lost. */
  onExpired: (message: ReassembledMessage<M>) => void;
  clock?: Clock;
}

interface PendingMessage<M> {
  meta: M;
  total: number;
  parts: Map<number, InboundPart>;
  timer: TimerHandle;
}

export type AddResult<M> =
  | { status: 'complete'; message: ReassembledMessage<M> }
  | { status: 'waiting'; received: number; total: number }
  | { status: 'duplicate' };

/**
 * Joins the segments of concatenated inbound messages. Segments are grouped by a
 * caller-built key (link, sender, receiver) plus the UDH reference and total, so two
 * senders using the same reference do not mix. A segment number seen twice is
 * reported as a duplicate and ignored (SMSGate issue #34 shows retransmits under load).
 */
export class SegmentReassembler<M> {
  private readonly pending = new Map<string, PendingMessage<M>>();
  private readonly clock: Clock;

  constructor(private readonly options: ReassemblerOptions<M>) {
    this.clock = options.clock ?? systemClock;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  add(key: string, concat: ConcatInfo, part: InboundPart, meta: M): AddResult<M> {
    const id = `${key}|${concat.referenceBits}:${concat.reference}|${concat.total}`;
    let entry = this.pending.get(id);
    if (!entry) {
      const timer = this.clock.setTimeout(() => this.expire(id), this.options.timeoutMs);
      timer.unref?.();
      entry = { meta, total: concat.total, parts: new Map(), timer };
      this.pending.set(id, entry);
    }
    if (entry.parts.has(concat.seq)) return { status: 'duplicate' };
    entry.parts.set(concat.seq, part);
    if (entry.parts.size < entry.total) {
      return { status: 'waiting', received: entry.parts.size, total: entry.total };
    }
    this.clock.clearTimeout(entry.timer);
    this.pending.delete(id);
    return { status: 'complete', message: this.join(entry, true) };
  }

  /** Removes every pending message and returns what arrived of each (for shutdown). */
  flush(): ReassembledMessage<M>[] {
    const out: ReassembledMessage<M>[] = [];
    for (const [id, entry] of this.pending) {
      this.clock.clearTimeout(entry.timer);
      this.pending.delete(id);
      out.push(this.join(entry, false));
    }
    return out;
  }

  private expire(id: string): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    this.options.onExpired(this.join(entry, false));
  }

  private join(entry: PendingMessage<M>, complete: boolean): ReassembledMessage<M> {
    const ordered = [...entry.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
    const sameEncoding = ordered.every((p) => p.encoding === ordered[0].encoding);
    // Joining the bytes first heals a surrogate pair a sender split across two UCS-2 parts.
    const text =
      sameEncoding && ordered.length
        ? decodeContent(Buffer.concat(ordered.map((p) => p.bytes)), ordered[0].encoding)
        : ordered.map((p) => decodeContent(p.bytes, p.encoding)).join('');
    return { meta: entry.meta, text, received: entry.parts.size, total: entry.total, complete };
  }
}
