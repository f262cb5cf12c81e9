import { randomBytes } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import { DiziError } from '@dizi/errors';
import {
  DeliveryReport,
  GatewayError,
  InboundMessage,
  InboundSink,
  LinkDownError,
  NoRouteError,
  SubmitRefusedError,
} from '@dizi/gateway-kit';
import { SmsMessageEntity, SmsRepository, SmsSegmentEntity } from '@dizi/store';
import { GroupCommit } from './group-commit';
import {
  batchStoreFor,
  ClaimedSms,
  ReportedSms,
  SmsBatchStore,
  SmsWrite,
  SmsWriteResult,
} from './sms-batch.repository';
import { SmsLinks } from './sms-links';

export const SMS_QUEUE = 'dizi-sms';
const MAX_TEXT = 2000;
/** Tries of one SMS when no link can take it (all down, or refused); about 20 minutes in all. */
const SEND_ATTEMPTS = 8;
/** SMS the worker sends at once (each waits on its link's window and TPS budget). */
const WORKER_CONCURRENCY = 256;
/**
 * Under load, a batch of SQL writes starts no sooner than this many times the duration
 * of the previous one after it, where a batch blocks the process (SQLite's synchronous
 * driver): a CMPP window only turns over while the process runs (see GroupCommit). On
 * PostgreSQL batches follow each other at once: spaced, one batch pipeline of round
 * trips saturated at 100 alerts/s and p99 grew to seconds (docs/benchmarks.md).
 */
const WRITE_SPACING = 3;

export interface SendSmsInput {
  /**
   * The row id (newSmsId()), for a caller that records it before sending: an alert keeps
   * it in its own row, so a send cut by a crash is found, not repeated; mail to SMS keeps
   * it for the bounce. Default: a new one.
   */
  id?: string;
  to: string;
  text: string;
  /** Not before this time (H7: scheduled SMS and reminders). */
  at?: Date;
  purpose?: string;
  userId?: number | null;
  /** Digits after the link's service number (a reply comes back to number + extension). */
  sourceExtension?: string;
}

export interface SmsView {
  id: string;
  direction: string;
  to: string;
  from: string;
  text: string;
  status: string;
  linkId: string | null;
  segments: Array<{ seq: number; carrierId: string; status: string; carrierStatus: string | null }>;
  error: string | null;
  sendAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What other modules do with inbound SMS (commands, SMS to mail: issue 5). */
export type InboundSmsListener = (
  sms: SmsMessageEntity,
  message: InboundMessage,
) => Promise<void> | void;

/**
 * The carrier took the SMS but its delivery report says it did not arrive (UNDELIV,
 * EXPIRED, REJECTD, …). `expired`: the carrier gave up for lack of time.
 */
export class CarrierReportedFailure extends Error {
  override name = 'CarrierReportedFailure';
  constructor(
    readonly carrierError: string,
    readonly expired: boolean,
  ) {
    super(`the carrier reported the SMS as not delivered (${carrierError})`);
  }
}

/** Told once an outbound SMS has failed for good (bounces of mail sent as SMS: issue 5). */
export type FailedSmsListener = (sms: SmsMessageEntity, error: Error) => Promise<void> | void;
/** Told once a carrier took an SMS, with the segments it went out in (usage records). */
export type SubmittedSmsListener = (sms: { id: string; segments: number; linkId: string }) => void;

/**
 * An outbound SMS changed status: `submitted` (a link took it), `failed` (no link could),
 * `reported` (a delivery report was applied; the row has the status it derived). For
 * modules that follow SMS (alert states, the SMS folder: issue 5); called after the
 * write, never holding the send path up.
 */
export type OutboundSmsListener = (change: {
  id: string;
  status: 'submitted' | 'failed' | 'reported';
}) => void;

/**
 * Sending and receiving SMS (issue 4). Every SMS is a row; sending goes through a BullMQ
 * queue, so nothing is lost when a link or the process dies: the row is the truth, the
 * job only the schedule, and a start-up reconcile re-creates lost jobs. Delivery
 * reports are matched to the segment rows by (link, carrier id).
 */
export class SmsService implements InboundSink {
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private reconcileTimer: NodeJS.Timeout | null = null;
  private readonly inboundListeners: InboundSmsListener[] = [];
  private readonly failedListeners: FailedSmsListener[] = [];
  private readonly submittedListeners: SubmittedSmsListener[] = [];
  private readonly outboundListeners: OutboundSmsListener[] = [];
  /** Reports that arrived before their submit was recorded, by "link carrierId". */
  private readonly earlyReports = new Map<string, { report: DeliveryReport; at: number }>();
  // The hot path, written in batches: the SQL writes of every SMS under way go into one
  // transaction per batch (one fsync), the new jobs into one queue call per batch
  // (docs/benchmarks.md, bench:sms).
  private readonly writes: GroupCommit<SmsWrite, SmsWriteResult>;
  private readonly jobs: GroupCommit<SmsMessageEntity, undefined>;

  constructor(
    private readonly repo: SmsRepository,
    private readonly redis: ConnectionOptions,
    private readonly log: Logger,
    private links: SmsLinks | null = null,
    batches: SmsBatchStore = batchStoreFor(repo),
  ) {
    this.queue = new Queue(SMS_QUEUE, { connection: redis });
    this.queue.on('error', (err) => this.log.warn({ err }, 'SMS queue error'));
    this.writes = new GroupCommit((list) => batches.apply(list), {
      spacing: batches.blocksEventLoop === false ? 0 : WRITE_SPACING,
    });
    this.jobs = new GroupCommit(async (rows) => {
      await this.scheduleMany(rows).catch((err: Error) =>
        // The rows are safe in SQL; the worker's reconcile sends them when Redis is back.
        this.log.warn(
          { err, ids: rows.map((r) => r.id) },
          'SMS queued in SQL only; the worker will pick them up',
        ),
      );
      return rows.map(() => undefined);
    });
  }

  /** Validates and queues an SMS; returns its row. */
  async send(input: SendSmsInput): Promise<SmsView> {
    const to = normalizeNumber(input.to);
    const text = typeof input.text === 'string' ? input.text : '';
    if (!text.trim()) throw new DiziError('invalid', 'the text is empty', 'text');
    if (Array.from(text).length > MAX_TEXT)
      throw new DiziError('invalid', `the text is longer than ${MAX_TEXT} characters`, 'text');
    if (input.at && Number.isNaN(input.at.getTime()))
      throw new DiziError('invalid', 'at is not a valid time', 'at');
    if (input.sourceExtension !== undefined && !/^\d{1,8}$/.test(input.sourceExtension))
      throw new DiziError('invalid', 'the source extension must be 1-8 digits', 'sourceExtension');
    if (input.id !== undefined && !/^[0-9a-z]{8,32}$/.test(input.id))
      throw new DiziError('invalid', 'an SMS id is 8 to 32 lower-case letters and digits', 'id');
    const now = Date.now();
    const row: SmsMessageEntity = {
      id: input.id ?? newSmsId(),
      direction: 'out',
      toNumber: to,
      fromNumber: '',
      text,
      status: 'queued',
      linkId: null,
      segments: 0,
      error: null,
      purpose: input.purpose ?? 'api',
      userId: input.userId ?? null,
      sendAt: input.at ? input.at.getTime() : null,
      sourceExtension: input.sourceExtension ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await this.writes.submit({ kind: 'insert', row });
    await this.jobs.submit(row);
    return this.view(row, []);
  }

  async get(id: string): Promise<SmsView> {
    const row = await this.repo.get(id);
    if (!row) throw new DiziError('not-found', `no SMS ${id}`, 'id');
    return this.view(row, await this.repo.segments(id));
  }

  /**
   * Calls off an SMS that has not gone to a link yet (a scheduled SMS, a reminder): the
   * row becomes `cancelled` and its job is removed. One already being sent or sent is
   * refused (409): the carrier may have it.
   */
  async cancel(id: string): Promise<SmsView> {
    const row = await this.repo.get(id);
    if (!row) throw new DiziError('not-found', `no SMS ${id}`, 'id');
    if (
      row.direction !== 'out' ||
      !(await this.repo.transition(id, ['queued'], 'cancelled', { error: 'cancelled' }))
    ) {
      const now = (await this.repo.get(id))?.status ?? row.status;
      throw new DiziError(
        'conflict',
        `SMS ${id} is ${now}; only a queued SMS can be cancelled`,
        'id',
      );
    }
    // The worker would skip the job anyway (its claim needs `queued`); removing it is tidy.
    await this.queue.remove(id).catch(() => undefined);
    this.log.info({ id }, 'SMS cancelled');
    return this.get(id);
  }

  onInbound(listener: InboundSmsListener): void {
    this.inboundListeners.push(listener);
  }

  onFailed(listener: FailedSmsListener): void {
    this.failedListeners.push(listener);
  }

  /** Listeners run in the send path: they must be quick (a failing one is logged). */
  onSubmitted(listener: SubmittedSmsListener): void {
    this.submittedListeners.push(listener);
  }

  onOutbound(listener: OutboundSmsListener): void {
    this.outboundListeners.push(listener);
  }

  private outboundChanged(id: string, status: 'submitted' | 'failed' | 'reported'): void {
    for (const l of this.outboundListeners) {
      try {
        l({ id, status });
      } catch (err) {
        this.log.error({ err, id }, 'outbound SMS listener failed');
      }
    }
  }

  /** Starts the worker that sends (the `worker` role) and re-queues rows without a job. */
  async startWorker(links: SmsLinks): Promise<void> {
    this.links = links;
    this.worker = new Worker(SMS_QUEUE, (job: Job<{ id: string }>) => this.dispatch(job), {
      connection: this.redis,
      concurrency: WORKER_CONCURRENCY,
    });
    this.worker.on('error', (err) => this.log.warn({ err }, 'SMS worker error'));
    await this.reconcile();
    this.reconcileTimer = setInterval(
      () =>
        void this.reconcile().catch((err: Error) => this.log.warn({ err }, 'SMS reconcile failed')),
      60_000,
    );
    this.reconcileTimer.unref();
  }

  /** Gives every unsent row a job (adding an existing job id is a no-op). */
  async reconcile(): Promise<void> {
    const pending = await this.repo.pending();
    for (let i = 0; i < pending.length; i += 500)
      await this.scheduleMany(pending.slice(i, i + 500));
  }

  /** One queue call (one Redis round trip) for the jobs of many rows. */
  private async scheduleMany(rows: SmsMessageEntity[]): Promise<void> {
    const now = Date.now();
    await this.queue.addBulk(
      rows.map((row) => ({
        name: 'send',
        data: { id: row.id },
        opts: {
          jobId: row.id,
          delay: row.sendAt ? Math.max(0, row.sendAt - now) : 0,
          attempts: SEND_ATTEMPTS,
          backoff: { type: 'exponential', delay: 5000 },
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      })),
    );
  }

  /**
   * One try. A row found in `sending` was caught mid-send by a crash: whether the
   * carrier got it cannot be known, so it is sent again (documented: the one case of a
   * possible duplicate). Errors where the carrier may hold the message (a time-out, a
   * partly accepted long SMS) fail the row instead of trying another link.
   */
  private async dispatch(job: Job<{ id: string }>): Promise<void> {
    const row = (await this.writes.submit({ kind: 'claim', id: job.data.id })) as ClaimedSms | null;
    if (!row) return;
    const router = this.links?.router;
    try {
      if (!router) throw new LinkDownError('none');
      const routed = await router.submit({
        id: row.id,
        to: row.toNumber,
        text: row.text,
        sourceExtension: row.sourceExtension ?? undefined,
      });
      await this.writes.submit({
        kind: 'submitted',
        id: row.id,
        linkId: routed.linkId,
        carrierIds: routed.messageIds,
      });
      this.submittedListeners.forEach((l) =>
        guard(this.log, () =>
          l({ id: row.id, segments: routed.messageIds.length, linkId: routed.linkId }),
        ),
      );
      this.outboundChanged(row.id, 'submitted');
      await this.applyEarlyReports(routed.linkId, routed.messageIds);
      this.log.info(
        {
          id: row.id,
          link: routed.linkId,
          segments: routed.messageIds.length,
          failedOver: routed.failedOver.map((f) => f.linkId),
        },
        'SMS submitted',
      );
    } catch (err) {
      // A refusal the carrier calls final (bad destination, bad fee code...) fails the
      // same way in 20 minutes: fail now, so the sender learns it while it matters.
      const retryable =
        !refusedForGood(err) &&
        (err instanceof NoRouteError ||
          err instanceof LinkDownError ||
          (err instanceof SubmitRefusedError && err.acceptedIds.length === 0));
      const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const message = (err as Error).message;
      if (retryable && !lastTry) {
        await this.repo.transition(row.id, ['sending'], 'queued', { error: message });
        this.log.warn(
          { id: row.id, err: message, attempt: job.attemptsMade + 1 },
          'SMS not sent yet; will retry',
        );
        throw err; // BullMQ retries with back-off
      }
      await this.repo.transition(row.id, ['sending'], 'failed', { error: message.slice(0, 1000) });
      this.outboundChanged(row.id, 'failed');
      this.log.error(
        {
          id: row.id,
          err: message,
          gatewayCode: err instanceof GatewayError ? err.code : undefined,
        },
        'SMS failed',
      );
      if (this.failedListeners.length) await this.tellFailed(row.id, err as Error);
    }
  }

  private async tellFailed(id: string, err: Error): Promise<void> {
    const row = await this.repo.get(id).catch((e: Error) => {
      this.log.error({ err: e, id }, 'failed SMS not read back; its handlers are not told');
      return null;
    });
    if (!row) return;
    for (const l of this.failedListeners) {
      await Promise.resolve(l(row, err)).catch((e: Error) =>
        this.log.error({ err: e, id }, 'failed-SMS handler failed'),
      );
    }
  }

  // ---- InboundSink: what the links hand over

  async message(m: InboundMessage): Promise<void> {
    const row = await this.repo.insert({
      id: newSmsId(),
      direction: 'in',
      toNumber: m.to,
      fromNumber: m.from,
      text: m.text,
      status: 'received',
      linkId: m.linkId,
      segments: m.segments,
      error: m.complete ? null : 'incomplete: not every segment arrived in time',
      purpose: 'mo',
      userId: null,
      sendAt: null,
    });
    this.log.info({ id: row.id, from: m.from, link: m.linkId }, 'SMS received');
    for (const l of this.inboundListeners) {
      await Promise.resolve(l(row, m)).catch((err: Error) =>
        this.log.error({ err, id: row.id }, 'inbound SMS handler failed'),
      );
    }
  }

  async report(r: DeliveryReport): Promise<void> {
    const applied = (await this.writes.submit({
      kind: 'report',
      linkId: r.linkId,
      carrierId: r.messageId,
      segmentStatus: segmentStatus(r),
      carrierStatus: r.carrierStatus,
    })) as ReportedSms | null;
    if (applied) return this.reported(applied);
    // A report can overtake the recording of its own submit (the carrier answers the
    // submit and reports at once): keep it a while and apply it once the ids are stored.
    this.earlyReports.set(`${r.linkId} ${r.messageId}`, { report: r, at: Date.now() });
    for (const [k, v] of this.earlyReports)
      if (Date.now() - v.at > EARLY_REPORT_TTL_MS) this.earlyReports.delete(k);
  }

  private async applyEarlyReports(linkId: string, carrierIds: string[]): Promise<void> {
    for (const id of carrierIds) {
      const early = this.earlyReports.get(`${linkId} ${id}`);
      if (!early) continue;
      this.earlyReports.delete(`${linkId} ${id}`);
      const applied = (await this.writes.submit({
        kind: 'report',
        linkId,
        carrierId: id,
        segmentStatus: segmentStatus(early.report),
        carrierStatus: early.report.carrierStatus,
      })) as ReportedSms | null;
      if (applied) await this.reported(applied);
    }
  }

  /**
   * A report was applied. When it made the SMS fail (the carrier took it, then could
   * not deliver it), the failed-SMS listeners are told once, as for a refused submit:
   * a mail sent as SMS bounces to its sender.
   */
  private async reported(r: ReportedSms): Promise<void> {
    this.outboundChanged(r.smsId, 'reported');
    if (r.failedNow && this.failedListeners.length)
      await this.tellFailed(
        r.smsId,
        new CarrierReportedFailure(r.error ?? 'no carrier status', r.status === 'expired'),
      );
  }

  async close(): Promise<void> {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    await this.worker?.close();
    await this.queue.close();
  }

  private view(row: SmsMessageEntity, segments: SmsSegmentEntity[]): SmsView {
    return {
      id: row.id,
      direction: row.direction,
      to: row.toNumber,
      from: row.fromNumber,
      text: row.text,
      status: row.status,
      linkId: row.linkId,
      segments: segments.map((s) => ({
        seq: s.seq,
        carrierId: s.carrierId,
        status: s.status,
        carrierStatus: s.carrierStatus,
      })),
      error: row.error,
      sendAt: row.sendAt ? new Date(row.sendAt).toISOString() : null,
      createdAt: new Date(row.createdAt).toISOString(),
      updatedAt: new Date(row.updatedAt).toISOString(),
    };
  }
}

const EARLY_REPORT_TTL_MS = 10 * 60_000;

/** Runs a listener; its error is logged, never allowed into the send path. */
function guard(log: Logger, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    log.error({ err }, 'SMS submitted listener failed');
  }
}

function segmentStatus(r: DeliveryReport): string {
  if (r.state === 'delivered') return 'delivered';
  if (r.state === 'expired') return 'expired';
  if (r.state === 'accepted' || r.state === 'unknown') return 'submitted';
  return 'failed';
}

/** Digits with an optional leading '+', 5 to 20 of them; spaces and dashes are dropped. */
export function normalizeNumber(input: string): string {
  const s = String(input ?? '').replace(/[\s-]/g, '');
  if (!/^\+?\d{5,20}$/.test(s)) {
    throw new DiziError(
      'invalid',
      `"${input}" is not a phone number (digits, optionally starting with +)`,
      'to',
    );
  }
  return s;
}

/**
 * A final refusal: the carrier refused before accepting any segment and said trying
 * again will not help (directly, or on every link the router tried).
 */
function refusedForGood(err: unknown): boolean {
  const final = (e: unknown) =>
    e instanceof SubmitRefusedError && !e.retryable && e.acceptedIds.length === 0;
  if (err instanceof NoRouteError)
    return err.attempts.length > 0 && err.attempts.every((a) => final(a.error));
  return final(err);
}

/** A new SMS row id: time-ordered, unique. */
export function newSmsId(): string {
  return `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}
