import type { Logger } from 'pino';
import type { NewUsageRecord, UsageRepository, UsageService } from '@dizi/store';

/** An SMS the carrier took: its row id and the segments it went out in. */
export interface SubmittedSms {
  id: string;
  segments: number;
}

/** What the recorder needs of a spool entry (libs/smtp SpoolEntry fits). */
export interface MailEntry {
  id: string;
  envelope: { via: string; size?: number; authUser?: string };
}

export interface UsageRecorderOptions {
  /** Buffered records are written at least this often. */
  flushIntervalMs: number;
  /** A batch is written at once when this many records wait. */
  batchSize?: number;
  /** While the database cannot be written, at most this many records are kept. */
  maxBuffered?: number;
}

interface Pending {
  at: number;
  service: UsageService;
  quantity: number;
  ref: string;
  /** sms: the SMS row, whose purpose and user are read when the batch is written. */
  smsId?: string;
  userId?: number;
  address?: string;
}

/**
 * Writes usage records (H16) off the hot paths: a hook only pushes to a buffer; the
 * buffer is written in one transaction at least every `flushIntervalMs` (or at once
 * when `batchSize` records wait), with the purpose, user and domain looked up once per
 * batch. `close()` writes everything, so a clean stop loses nothing.
 *
 * What a crash (kill -9, power loss) can lose: the records buffered since the last
 * write, at most `flushIntervalMs` of them. For SMS and alerts that is repaired: at
 * start the worker writes the records of every SMS handed to a carrier in the last day
 * that has none (UsageRepository.recoverSms). Traffic records of that last interval
 * stay lost. Records are keyed by (service, ref), so nothing is ever counted twice.
 */
export class UsageRecorder {
  private buffer: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly repo: UsageRepository,
    private readonly opts: UsageRecorderOptions,
    private readonly log: Logger,
  ) {}

  /** SmsService's onSubmitted hook: an `sms` record (and `alert` for an alert SMS). */
  smsSubmitted(sms: SubmittedSms): void {
    if (sms.segments > 0)
      this.push({
        at: Date.now(),
        service: 'sms',
        quantity: sms.segments,
        ref: sms.id,
        smsId: sms.id,
      });
  }

  /** A mail stored for a local user: `traffic-in` (SMTP only; internal notices are free). */
  delivered(userId: number, entry: MailEntry): void {
    const size = entry.envelope.size;
    if (entry.envelope.via === 'internal' || !size) return;
    this.push({
      at: Date.now(),
      service: 'traffic-in',
      quantity: size,
      ref: `${entry.id}/${userId}`,
      userId,
    });
  }

  /** A mail accepted from an authenticated submitter: `traffic-out`, its size once. */
  accepted(entry: MailEntry): void {
    const { authUser, size, via } = entry.envelope;
    if (!authUser || via === 'internal' || !size) return;
    this.push({
      at: Date.now(),
      service: 'traffic-out',
      quantity: size,
      ref: entry.id,
      address: authUser.toLowerCase(),
    });
  }

  /** Records waiting to be written. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Writes every record buffered so far; resolves once they are committed. */
  flush(): Promise<void> {
    const run = this.chain.then(() => this.writeBuffered());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Stops the timer and writes what is left (a clean stop loses nothing). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush().catch((err: Error) =>
      this.log.error(
        { err, lost: this.buffer.length },
        'usage records could not be written at stop; they are lost',
      ),
    );
  }

  private push(p: Pending): void {
    this.buffer.push(p);
    const max = this.opts.maxBuffered ?? 100_000;
    if (this.buffer.length > max) {
      const dropped = this.buffer.splice(0, this.buffer.length - max);
      this.log.error(
        { dropped: dropped.length },
        'usage records dropped: the database has not taken them for too long',
      );
    }
    if (this.closed) {
      void this.flush().catch(() => undefined);
      return;
    }
    if (this.buffer.length >= (this.opts.batchSize ?? 500)) this.schedule(0);
    else if (!this.timer) this.schedule(this.opts.flushIntervalMs);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch((err: Error) =>
        this.log.warn(
          { err, waiting: this.buffer.length },
          'usage records not written yet; will retry',
        ),
      );
    }, ms);
    this.timer.unref();
  }

  private async writeBuffered(): Promise<void> {
    const batch = this.buffer.splice(0);
    if (!batch.length) return;
    try {
      await this.repo.insert(await this.resolve(batch));
    } catch (err) {
      // Back in front, in order; the next flush tries again.
      this.buffer.unshift(...batch);
      if (!this.closed && !this.timer) this.schedule(this.opts.flushIntervalMs);
      throw err;
    }
  }

  /** Turns buffered acts into records: SMS purpose and owner, users' domains. */
  private async resolve(batch: Pending[]): Promise<NewUsageRecord[]> {
    const smsIds = [...new Set(batch.flatMap((p) => (p.smsId ? [p.smsId] : [])))];
    const userIds = [...new Set(batch.flatMap((p) => (p.userId !== undefined ? [p.userId] : [])))];
    const addresses = [...new Set(batch.flatMap((p) => (p.address ? [p.address] : [])))];
    const owners = new Map<
      string,
      { purpose: string; userId: number | null; domainId: number | null }
    >();
    for (let i = 0; i < smsIds.length; i += 500)
      for (const o of await this.repo.smsOwners(smsIds.slice(i, i + 500))) owners.set(o.id, o);
    const byId = new Map<number, number>();
    const byAddress = new Map<string, { id: number; domainId: number }>();
    for (let i = 0; i < Math.max(userIds.length, addresses.length); i += 500) {
      for (const u of await this.repo.users({
        ids: userIds.slice(i, i + 500),
        addresses: addresses.slice(i, i + 500),
      })) {
        byId.set(u.id, u.domainId);
        byAddress.set(u.address, { id: u.id, domainId: u.domainId });
      }
    }
    const out: NewUsageRecord[] = [];
    for (const p of batch) {
      const base = { at: p.at, service: p.service, quantity: p.quantity, ref: p.ref };
      if (p.smsId) {
        const o = owners.get(p.smsId);
        const owner = { userId: o?.userId ?? null, domainId: o?.domainId ?? null };
        out.push({ ...base, purpose: o?.purpose ?? '', ...owner });
        if (o?.purpose === 'alert' && owner.userId !== null)
          out.push({ ...base, service: 'alert', purpose: '', quantity: 1, ...owner });
      } else if (p.userId !== undefined) {
        out.push({ ...base, purpose: '', userId: p.userId, domainId: byId.get(p.userId) ?? null });
      } else {
        const u = p.address ? byAddress.get(p.address) : undefined;
        out.push({ ...base, purpose: '', userId: u?.id ?? null, domainId: u?.domainId ?? null });
      }
    }
    return out;
  }
}
