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
  /** Called with what arrived when the time-out passes, so a partial (or unreleased) MO is not lost. */
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
  | { status: 'complete'; message: ReassembledMessage<M>; groupId: string }
  | { status: 'waiting'; received: number; total: number }
  | { status: 'duplicate' };

/**
 * Joins the segments of concatenated inbound messages. Segments are grouped by a
 * caller-built key (link, sender, receiver) plus the UDH reference and total, so two
 * senders using the same reference do not mix. A segment number seen twice is
 * reported as a duplicate and ignored (SMSGate issue #34 shows retransmits under load).
 *
 * A complete message stays until the caller `release`s it (after its sink took it):
 * if the sink failed and the carrier resends the last segment, that segment completes
 * the same message again instead of starting a new one. Unreleased, it is handed over
 * when the time-out passes.
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
    const alreadyComplete = entry.parts.size === entry.total;
    if (entry.parts.has(concat.seq) && !alreadyComplete) return { status: 'duplicate' };
    if (!entry.parts.has(concat.seq)) entry.parts.set(concat.seq, part);
    if (entry.parts.size < entry.total) {
      return { status: 'waiting', received: entry.parts.size, total: entry.total };
    }
    return { status: 'complete', message: this.join(entry), groupId: id };
  }

  /** Forgets a complete message once its sink has taken it. */
  release(groupId: string): void {
    const entry = this.pending.get(groupId);
    if (!entry) return;
    this.clock.clearTimeout(entry.timer);
    this.pending.delete(groupId);
  }

  /** Removes every pending message and returns what arrived of each (for shutdown). */
  flush(): ReassembledMessage<M>[] {
    const out: ReassembledMessage<M>[] = [];
    for (const [id, entry] of this.pending) {
      this.clock.clearTimeout(entry.timer);
      this.pending.delete(id);
      out.push(this.join(entry));
    }
    return out;
  }

  private expire(id: string): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    this.options.onExpired(this.join(entry));
  }

  private join(entry: PendingMessage<M>): ReassembledMessage<M> {
    const complete = entry.parts.size === entry.total;
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
