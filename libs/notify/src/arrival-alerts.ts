import type { Logger } from 'pino';
import { AlertState, NotifyRepository } from '@dizi/store';
import { readAlertMail } from './alert-mail';
import { buildAlertText } from './alert-text';
import { ArrivalAlertRule, decideAlert, RuleDefaults } from './arrival-alert-rule';
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
}

/** A local delivery, as the spool processor reports it. */
export interface DeliveryEvent {
  userId: number;
  /** messages.id of the new copy. */
  messageId: number;
  blobId: string;
  folder: string;
  receivedAt: number;
}

export type AlertOutcome =
  | { state: 'none'; reason: 'no-rule' | 'no-phone' | 'junk' }
  | { state: AlertState; alertId: number; text: string; smsId?: string };

/** What an alert leaves for the SMS: cut the error text a carrier gave us to the column. */
const ERROR_MAX = 1000;
/** A `decided` alert this old was left by a process that stopped before sending it. */
const STALE_DECIDED_MS = 60_000;

/**
 * Mail-arrival SMS alerts (H2, 方案五 2): for each local delivery, the owner's rules
 * decide on the decoded message; a matching, non-quiet alert takes one of the day's
 * allowance and goes out through the SMS service (its own BullMQ job per SMS, so a
 * link outage delays it instead of losing it). Every decision is an `alerts` row.
 */
export class ArrivalAlerts {
  private running = 0;
  private readonly waiting: DeliveryEvent[] = [];
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly repo: NotifyRepository,
    private readonly messages: MessageReader,
    private readonly sms: SmsSender,
    private readonly opts: ArrivalAlertOptions,
    private readonly log: Logger,
  ) {}

  /** The spool processor's `delivered` hook: never throws, never holds delivery up. */
  delivered(event: DeliveryEvent): void {
    this.waiting.push(event);
    this.pump();
  }

  /** Resolves when every delivery handed over so far has been decided (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.running && !this.waiting.length) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 8;
    while (this.running < limit && this.waiting.length) {
      const event = this.waiting.shift()!;
      this.running++;
      this.handle(event)
        .catch((err: Error) =>
          this.log.error({ err, userId: event.userId, messageId: event.messageId }, 'alert failed'),
        )
        .finally(() => {
          this.running--;
          this.pump();
          if (!this.running && !this.waiting.length) {
            const w = this.idleWaiters;
            this.idleWaiters = [];
            w.forEach((f) => f());
          }
        });
    }
  }

  /** Decides on one delivery and sends the alert when it is due. */
  async handle(event: DeliveryEvent): Promise<AlertOutcome> {
    const rows = (await this.repo.rules(event.userId)).filter((r) => r.enabled);
    if (!rows.length) return { state: 'none', reason: 'no-rule' };
    const phone = await this.repo.phoneOfUser(event.userId);
    if (!phone?.confirmed) return { state: 'none', reason: 'no-phone' };

    const mail = await readAlertMail(await this.messages.read(event.blobId));
    const now = localTime(new Date(), this.opts.timeZone);
    const rules = rows.map((r) => new ArrivalAlertRule(r, this.opts.defaults));
    const decision = decideAlert(rules, { mail, folder: event.folder }, now);
    if (decision.kind === 'none') return { state: 'none', reason: decision.reason };

    const text = buildAlertText(
      {
        from: mail.fromName,
        time: localTime(new Date(event.receivedAt), this.opts.timeZone).label,
        subject: mail.subject,
        body: mail.body,
      },
      {
        template: this.opts.template,
        segments: this.opts.segments,
        gsmPerSegment: this.opts.gsmPerSegment,
      },
    );
    const state: AlertState =
      decision.kind === 'quiet'
        ? 'quiet'
        : (await this.repo.takeAlertAllowance(event.userId, now.day, decision.dailyCap))
          ? 'decided'
          : 'capped';
    const alert = await this.repo.addAlert({
      userId: event.userId,
      ruleId: decision.rule.id,
      messageId: event.messageId,
      phoneNumber: phone.number,
      fromAddress: mail.fromAddress.slice(0, 320),
      mailSubject: mail.subject.slice(0, 998),
      mailMessageId: (mail.messageId ?? '').slice(0, 998),
      replyExtension: null,
      state,
      text,
      smsId: null,
      error: null,
      day: now.day,
    });
    if (state !== 'decided') {
      this.log.info({ userId: event.userId, alert: alert.id, state }, 'alert held back');
      return { state, alertId: alert.id, text };
    }
    return this.dispatch(alert.id, event.userId, phone.number, text);
  }

  /** Sends alerts a stopped process had decided on but not handed to the SMS service. */
  async reconcile(): Promise<number> {
    const stale = await this.repo.undispatchedAlerts(Date.now() - STALE_DECIDED_MS);
    let sent = 0;
    for (const a of stale) {
      if (!(await this.repo.claimAlert(a.id, a.updatedAt))) continue;
      await this.dispatch(a.id, a.userId, a.phoneNumber, a.text);
      sent++;
    }
    if (sent) this.log.info({ count: sent }, 'sent alerts left undispatched');
    return sent;
  }

  private async dispatch(
    alertId: number,
    userId: number,
    to: string,
    text: string,
  ): Promise<AlertOutcome> {
    try {
      const sourceExtension = await this.opts.replyExtension?.(alertId, userId);
      const sms = await this.sms.send({ to, text, purpose: 'alert', userId, sourceExtension });
      await this.repo.updateAlert(alertId, 'sent', { smsId: sms.id });
      this.log.info({ userId, alert: alertId, sms: sms.id }, 'alert sent');
      return { state: 'sent', alertId, text, smsId: sms.id };
    } catch (err) {
      const message = (err as Error).message.slice(0, ERROR_MAX);
      await this.repo.updateAlert(alertId, 'failed', { error: message });
      this.log.warn({ userId, alert: alertId, err: message }, 'alert could not be queued');
      return { state: 'failed', alertId, text };
    }
  }
}
