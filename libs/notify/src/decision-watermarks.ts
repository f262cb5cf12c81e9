/** A delivery handed over for a decision and not decided yet. */
interface Pending {
  /** When it was received (messages.internal_date): too old ones are given up. */
  receivedAt: number;
  /** `failed`: the decision threw; the catch-up tries it again. */
  state: 'waiting' | 'failed';
}

interface UserMarks {
  pending: Map<number, Pending>;
  /** Highest message id decided (or given up) in this process. */
  decided: number;
  /** Highest mark handed out for writing. */
  written: number;
}

/**
 * Per user, the highest message id below which every delivery this process was handed
 * has been decided: the watermark the catch-up starts from. The mark never passes a
 * delivery still waiting (or whose decision failed), so a crash at any moment leaves the
 * undecided ones above it. In memory; NotifyRepository.raiseWatermarks writes the marks
 * `take()` hands out, in one batch, and never lowers a stored one.
 */
export class DecisionWatermarks {
  private readonly users = new Map<number, UserMarks>();
  private readonly dirty = new Map<number, number>();

  /** The live path took a delivery: the mark stays below it until it is decided. */
  handed(userId: number, messageId: number, receivedAt: number): void {
    const u = this.user(userId);
    const seen = u.pending.get(messageId);
    if (seen) seen.state = 'waiting';
    else u.pending.set(messageId, { receivedAt, state: 'waiting' });
  }

  /** Whether the live path holds this delivery in its queue (the catch-up leaves it alone). */
  isWaiting(userId: number, messageId: number): boolean {
    return this.users.get(userId)?.pending.get(messageId)?.state === 'waiting';
  }

  /** The delivery is decided (alert or not), or deliberately skipped (too old). */
  decided(userId: number, messageId: number): void {
    const u = this.user(userId);
    u.pending.delete(messageId);
    if (messageId > u.decided) u.decided = messageId;
    this.update(userId, u);
  }

  /** The decision threw (database down...): the mark stays below it for the catch-up. */
  failed(userId: number, messageId: number, receivedAt: number): void {
    const u = this.user(userId);
    u.pending.set(messageId, { receivedAt, state: 'failed' });
  }

  /** Gives up deliveries received before `olderThan` that are still undecided. */
  prune(olderThan: number): number {
    let n = 0;
    for (const [userId, u] of this.users) {
      for (const [id, p] of u.pending) {
        if (p.receivedAt < olderThan && p.state === 'failed') {
          u.pending.delete(id);
          if (id > u.decided) u.decided = id;
          n++;
        }
      }
      this.update(userId, u);
    }
    return n;
  }

  /** The marks that rose since the last call, to be written. */
  take(): Array<{ userId: number; messageId: number }> {
    const out = [...this.dirty].map(([userId, messageId]) => ({ userId, messageId }));
    this.dirty.clear();
    // A user with nothing pending is fully described by the stored mark: forget them.
    for (const { userId } of out) {
      const u = this.users.get(userId);
      if (u && !u.pending.size) this.users.delete(userId);
    }
    return out;
  }

  /** Marks handed out by `take()` that could not be written: hand them out again. */
  restore(marks: Array<{ userId: number; messageId: number }>): void {
    for (const m of marks) {
      if ((this.dirty.get(m.userId) ?? 0) < m.messageId) this.dirty.set(m.userId, m.messageId);
    }
  }

  private user(userId: number): UserMarks {
    let u = this.users.get(userId);
    if (!u) this.users.set(userId, (u = { pending: new Map(), decided: 0, written: 0 }));
    return u;
  }

  private update(userId: number, u: UserMarks): void {
    let mark = u.decided;
    for (const id of u.pending.keys()) if (id - 1 < mark) mark = id - 1;
    if (mark > u.written) {
      u.written = mark;
      this.dirty.set(userId, mark);
    }
  }
}
