import type { Logger } from 'pino';
import { GroupCommit, newSmsId } from '@dizi/sms';
import { AlertContext, AlertEntity, AlertState, NewAlert, NotifyRepository } from '@dizi/store';
import { readAlertMail } from './alert-mail';
import { buildAlertText } from './alert-text';
import { ArrivalAlertRule, decideAlert, RuleDefaults } from './arrival-alert-rule';
import { DecisionWatermarks } from './decision-watermarks';
import { localTime } from './local-time';
import type { MessageReader, SmsSender } from './notify-ports';

export interface ArrivalAlertOptions {
  /** IANA zone for quiet hours, the day of the cap and the time an alert shows. */
  timeZone: string;
  template: string;
  segments: number;
  gsmPerSegment: number;
  defaults: RuleDefaults;
  /** Messages read and decided at once; the rest wait in line (a storm must not flood I/O). */
  concurrency?: number;
  /** The source extension an alert goes out with, so a reply finds it (H5); none when absent. */
  replyExtension?: (alertId: number, userId: number) => Promise<string | undefined>;
  /** Deliveries older than this are not alerted by the catch-up (an alert comes late or never). */
  catchUpMaxAgeMs?: number;
  /** Periodic catch-ups leave deliveries younger than this to the live paths (default 5 s). */
  catchUpGraceMs?: number;
  /** How often decided watermarks are written (one batch for every user). */
  watermarkFlushMs?: number;
}

/** A local delivery, as the spool processor reports it. */
export interface DeliveryEvent {
  userId: number;
  /** messages.id of the new copy. */
  messageId: number;
  blobId: string;
  folder: string;
  receivedAt: number;
  /** The copy's flags, when a filter set some (a future virus scanner's `$Virus`). */
  flags?: readonly string[];
}

export type AlertOutcome =
  | { state: 'none'; reason: 'no-rule' | 'no-phone' | 'junk' | 'decided-before' }
  | { state: AlertState; alertId: number; text: string; smsId?: string };

/** A decision: nothing to send (with why), or an alert row whose SMS is to go out. */
type Decided = { outcome: AlertOutcome } | { alert: AlertEntity };

/** What the catch-up did. */
export interface CatchUpReport {
  /** Deliveries above the watermarks it decided on. */
  decided: number;
  /** Of those, alerts it sent (decided, then queued). */
  alerted: number;
  /** Deliveries above the watermarks too old to alert: skipped, never alerted. */
  tooOld: number;
  failed: number;
}

/** What an alert leaves for the SMS: cut the error text a carrier gave us to the column. */
const ERROR_MAX = 1000;
/** A `decided` alert this old was left by a process that stopped before sending it. */
const STALE_DECIDED_MS = 60_000;
const CATCH_UP_PAGE = 500;

/**
 * Mail-arrival SMS alerts (H2, 方案五 2): for each local delivery, the owner's rules
 * decide on the decoded message; a matching, non-quiet alert takes one of the day's
 * allowance and goes out through the SMS service (its own BullMQ job per SMS, so a
 * link outage delays it instead of losing it). Every decision is an `alerts` row, one
 * per user and stored message, whose state then follows its SMS (followSms).
 *
 * Durability without touching the delivery transaction: the spool processor's hook
 * only queues the delivery in memory. Per user, a watermark of the highest INBOX
 * message id whose decision is done is written every second; the catch-up (at start and
 * periodically, `catchUp()`) decides every INBOX delivery above the watermark that is
 * younger than `catchUpMaxAgeMs`, so a crash between the commit and the decision delays
 * the alert instead of losing it. Older ones are skipped and never alerted (a 3-hour-old
 * alert helps nobody). The (user, blob) key makes a delivery decided twice alert once.
 */
export class ArrivalAlerts {
  private running = 0;
  private readonly waiting: DeliveryEvent[] = [];
  private idleWaiters: Array<() => void> = [];
  private readonly marks = new DecisionWatermarks();
  private flushTimer: NodeJS.Timeout | null = null;
  private catchUpTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private catchingUp: Promise<CatchUpReport> | null = null;
  private readonly smsChanged = new Set<string>();
  private followTimer: NodeJS.Timeout | null = null;
  private following: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly sending = new Set<Promise<unknown>>();
  // Under load many deliveries are decided at once: their reads and writes go in
  // batches (one query for the rules of many users, one transaction for many decisions)
  // instead of a round trip each through the one SQLite connection (docs/benchmarks.md).
  // On PostgreSQL several batches run side by side, a user always in the same one (so
  // two batches never wait on each other's allowance row); on SQLite one at a time.
  private readonly contexts: Array<GroupCommit<number, AlertContext>> = [];
  private readonly decisions: Array<
    GroupCommit<{ alert: NewAlert; cap: number | null }, AlertEntity | null>
  > = [];

  constructor(
    private readonly repo: NotifyRepository,
    private readonly messages: MessageReader,
    private readonly sms: SmsSender,
    private readonly opts: ArrivalAlertOptions,
    private readonly log: Logger,
  ) {
    this.flushTimer = setInterval(() => void this.flushWatermarks(), opts.watermarkFlushMs ?? 1000);
    this.flushTimer.unref();
    const lanes = repo.concurrentTransactions ? 4 : 1;
    for (let i = 0; i < lanes; i++) {
      this.contexts.push(
        new GroupCommit(async (userIds) => {
          const found = await repo.alertContexts(userIds);
          return userIds.map((id) => found.get(id)!);
        }),
      );
      this.decisions.push(new GroupCommit((items) => repo.decideAlerts(items)));
    }
  }

  /** The spool processor's `delivered` hook: never throws, never holds delivery up. */
  delivered(event: DeliveryEvent): void {
    this.marks.handed(event.userId, event.messageId, event.receivedAt);
    this.waiting.push(event);
    this.pump();
  }

  /** Resolves when every delivery handed over so far is decided and its SMS queued (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.running && !this.waiting.length && !this.sending.size) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private wakeIdle(): void {
    if (this.running || this.waiting.length || this.sending.size) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    w.forEach((f) => f());
  }

  /**
   * A slot of `concurrency` covers reading and deciding; handing the SMS over does not
   * hold it (the SMS service batches its own writes), or slow SMS writes would starve
   * the decisions behind them.
   */
  private pump(): void {
    const limit = this.opts.concurrency ?? 64;
    while (this.running < limit && this.waiting.length) {
      const event = this.waiting.shift()!;
      this.running++;
      this.decideTracked(event)
        .then((d) => {
          if (!('alert' in d)) return;
          const send: Promise<unknown> = this.dispatch(d.alert).finally(() => {
            this.sending.delete(send);
            this.wakeIdle();
          });
          this.sending.add(send);
        })
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.pump();
          this.wakeIdle();
        });
    }
  }

  /** `decide` with the watermark kept: done moves it up, a failure holds it below. */
  private async decideTracked(event: DeliveryEvent): Promise<Decided> {
    try {
      const decided = await this.decide(event);
      this.marks.decided(event.userId, event.messageId);
      return decided;
    } catch (err) {
      this.marks.failed(event.userId, event.messageId, event.receivedAt);
      this.log.error(
        { err, userId: event.userId, messageId: event.messageId },
        'alert decision failed; the catch-up tries it again',
      );
      throw err;
    }
  }

  /** Decides on one delivery and sends the alert when it is due. */
  async handle(event: DeliveryEvent): Promise<AlertOutcome> {
    const d = await this.decide(event);
    return 'alert' in d ? this.dispatch(d.alert) : d.outcome;
  }

  /** Decides on one delivery: the outcome, or the alert to send. */
  private async decide(event: DeliveryEvent): Promise<Decided> {
    const lane = event.userId % this.decisions.length;
    const ctx = await this.contexts[lane].submit(event.userId);
    const rows = ctx.rules.filter((r) => r.enabled);
    if (!rows.length) return { outcome: { state: 'none', reason: 'no-rule' } };
    const phone = ctx.phone;
    if (!phone?.confirmed) return { outcome: { state: 'none', reason: 'no-phone' } };

    const mail = await readAlertMail(await this.messages.read(event.blobId));
    const now = localTime(new Date(), this.opts.timeZone);
    const rules = rows.map((r) => new ArrivalAlertRule(r, this.opts.defaults));
    const decision = decideAlert(rules, { mail, folder: event.folder, flags: event.flags }, now);
    if (decision.kind === 'none') return { outcome: { state: 'none', reason: decision.reason } };

    // The user's domain may have its own template and length (DomainAlertSettings).
    const text = buildAlertText(
      {
        from: mail.fromName,
        time: localTime(new Date(event.receivedAt), this.opts.timeZone).label,
        subject: mail.subject,
        body: mail.body,
      },
      {
        template: ctx.template ?? this.opts.template,
        segments: ctx.segments ?? this.opts.segments,
        gsmPerSegment: this.opts.gsmPerSegment,
      },
    );
    const alert = await this.decisions[lane].submit({
      alert: {
        userId: event.userId,
        ruleId: decision.rule.id,
        messageId: event.messageId,
        blobId: event.blobId,
        phoneNumber: phone.number,
        fromAddress: mail.fromAddress.slice(0, 320),
        mailSubject: mail.subject.slice(0, 998),
        mailMessageId: (mail.messageId ?? '').slice(0, 998),
        replyExtension: null,
        state: decision.kind === 'quiet' ? 'quiet' : 'decided',
        text,
        // Chosen now and kept with the decision: the SMS row written under this id is how
        // the alert knows it was queued (no write of its own), and a crash before the
        // send is told apart from one after it.
        smsId: decision.kind === 'quiet' ? null : newSmsId(),
        error: null,
        day: now.day,
      },
      cap: decision.kind === 'alert' ? decision.dailyCap : null,
    });
    if (!alert) return { outcome: { state: 'none', reason: 'decided-before' } };
    if (alert.state !== 'decided') {
      this.log.info(
        { userId: event.userId, alert: alert.id, state: alert.state },
        'alert held back',
      );
      return { outcome: { state: alert.state, alertId: alert.id, text } };
    }
    return { alert };
  }

  /**
   * Decides on the INBOX deliveries above every watermark that no process decided on
   * (it stopped between the delivery commit and the decision): at start and every
   * `notify.alertCatchUpSeconds` on the worker. One at a time per process.
   */
  catchUp(graceMs = this.opts.catchUpGraceMs ?? 5000): Promise<CatchUpReport> {
    this.catchingUp ??= this.runCatchUp(graceMs).finally(() => (this.catchingUp = null));
    return this.catchingUp;
  }

  private async runCatchUp(graceMs: number): Promise<CatchUpReport> {
    const report: CatchUpReport = { decided: 0, alerted: 0, tooOld: 0, failed: 0 };
    const now = Date.now();
    const since = now - (this.opts.catchUpMaxAgeMs ?? 30 * 60_000);
    const until = now - graceMs;
    const tried = new Set<number>();
    for (;;) {
      const page = (await this.repo.undecidedDeliveries(since, until, CATCH_UP_PAGE)).filter(
        (d) => !tried.has(d.messageId) && !this.marks.isWaiting(d.userId, d.messageId),
      );
      if (!page.length) break;
      for (const d of page) {
        tried.add(d.messageId);
        const event: DeliveryEvent = {
          userId: d.userId,
          messageId: d.messageId,
          blobId: d.blobId,
          folder: 'INBOX',
          receivedAt: d.internalDate,
          flags: d.flags ? d.flags.split(' ').filter(Boolean) : [],
        };
        try {
          const d = await this.decideTracked(event);
          const outcome = 'alert' in d ? await this.dispatch(d.alert) : d.outcome;
          report.decided++;
          if (outcome.state !== 'none' && outcome.state !== 'capped' && outcome.state !== 'quiet')
            report.alerted++;
        } catch {
          report.failed++;
        }
      }
    }
    // What stayed above a watermark past the age limit is not alerted: say so, move on.
    for (const s of await this.repo.staleDeliveries(since)) {
      report.tooOld += s.count;
      this.marks.decided(s.userId, s.maxId);
    }
    this.marks.prune(since);
    if (report.tooOld)
      this.log.warn(
        { count: report.tooOld, maxAgeMinutes: Math.round((now - since) / 60_000) },
        'deliveries left undecided by a stopped process are too old to alert: not alerted',
      );
    if (report.decided || report.failed)
      this.log.info(report, 'alert catch-up decided deliveries a stopped process left');
    await this.flushWatermarks();
    await this.reconcile();
    await this.sweepStates();
    return report;
  }

  /**
   * Runs the catch-up now and every `everyMs` (the worker role). The first run takes
   * every delivery up to now: nothing of this process's is in flight yet.
   */
  startCatchUp(everyMs: number): Promise<CatchUpReport> {
    this.catchUpTimer ??= setInterval(
      () =>
        void this.catchUp().catch((err: Error) =>
          this.log.warn({ err }, 'alert catch-up failed; it runs again later'),
        ),
      everyMs,
    );
    this.catchUpTimer.unref();
    return this.catchUp(0);
  }

  /** Writes the watermarks that rose (one transaction); a failed write is tried again next time. */
  flushWatermarks(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const marks = this.marks.take();
      if (!marks.length) return;
      try {
        await this.repo.raiseWatermarks(marks);
      } catch (err) {
        this.marks.restore(marks);
        this.log.warn({ err }, 'alert watermarks not written; tried again');
      }
    });
    return this.flushing;
  }

  /**
   * Alerts a stopped process had decided on: those whose SMS row exists follow it; the
   * others are sent now (under a new SMS id, see renewAlertSms).
   */
  async reconcile(): Promise<number> {
    const stale = await this.repo.undispatchedAlerts(Date.now() - STALE_DECIDED_MS);
    let sent = 0;
    const queued: string[] = [];
    for (const a of stale) {
      if (!(await this.repo.claimAlert(a.id, a.updatedAt))) continue;
      if (a.smsId && (await this.repo.smsExists(a.smsId))) {
        queued.push(a.smsId);
        continue;
      }
      const smsId = newSmsId();
      if (!(await this.repo.renewAlertSms(a.id, smsId))) continue;
      await this.dispatch({ ...a, smsId });
      sent++;
    }
    await this.repo.followSms(queued, null);
    if (sent) this.log.info({ count: sent }, 'sent alerts left undispatched');
    return sent;
  }

  /** An SMS changed status (SmsService.onOutbound): its alert follows, in batches. */
  smsChange(smsId: string): void {
    if (this.closed) return; // stopping: the next start's sweep brings it in line
    this.smsChanged.add(smsId);
    // Batched: one transaction for the changes of a quarter second (commits are the cost).
    this.followTimer ??= setTimeout(() => {
      this.followTimer = null;
      void this.followNow();
    }, 250);
  }

  /** Applies the SMS changes seen so far to their alerts (tests, shutdown). */
  followNow(): Promise<void> {
    this.following = this.following.then(async () => {
      const ids = [...this.smsChanged];
      this.smsChanged.clear();
      if (!ids.length) return;
      try {
        for (let i = 0; i < ids.length; i += 500)
          await this.repo.followSms(ids.slice(i, i + 500), Date.now());
      } catch (err) {
        // The periodic sweep brings them in line later.
        this.log.warn({ err, count: ids.length }, 'alert states not updated from their SMS');
      }
    });
    return this.following;
  }

  /** Aligns alerts still open with their SMS rows (after a restart, a lost change). */
  async sweepStates(): Promise<number> {
    let changed = 0;
    const ids = await this.repo.openAlertSms();
    for (let i = 0; i < ids.length; i += 500)
      changed += (await this.repo.followSms(ids.slice(i, i + 500), null)).length;
    return changed;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.catchUpTimer) clearInterval(this.catchUpTimer);
    if (this.followTimer) clearTimeout(this.followTimer);
    this.flushTimer = this.catchUpTimer = this.followTimer = null;
    await this.catchingUp?.catch(() => undefined);
    await this.followNow();
    await this.flushWatermarks();
  }

  private async dispatch(
    alert: Pick<AlertEntity, 'id' | 'userId' | 'phoneNumber' | 'text' | 'smsId'>,
  ): Promise<AlertOutcome> {
    const { id: alertId, userId, phoneNumber: to, text } = alert;
    try {
      // Its own extension after the service number, so that a reply finds it (H5).
      const sourceExtension = await this.opts.replyExtension?.(alertId, userId);
      const sms = await this.sms.send({
        id: alert.smsId ?? undefined,
        to,
        text,
        purpose: 'alert',
        userId,
        sourceExtension,
      });
      // The alert becomes `queued` from its SMS row (followSms), in the next batch.
      this.smsChange(sms.id);
      this.log.info({ userId, alert: alertId, sms: sms.id }, 'alert queued');
      return { state: 'queued', alertId, text, smsId: sms.id };
    } catch (err) {
      const message = (err as Error).message.slice(0, ERROR_MAX);
      await this.repo.alertFailed(alertId, message);
      this.log.warn({ userId, alert: alertId, err: message }, 'alert could not be queued');
      return { state: 'failed', alertId, text };
    }
  }
}
