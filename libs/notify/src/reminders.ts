import type { Logger } from 'pino';
import { DiziError } from '@dizi/errors';
import {
  DirectoryRepository,
  NotifyRepository,
  ReminderEntity,
  ReminderRepeat,
  ReminderRepository,
  UserEntity,
} from '@dizi/store';
import type { SmsSender } from './notify-ports';
import { nextOccurrence } from './reminder-schedule';

export const REMINDER_REPEATS: readonly ReminderRepeat[] = ['none', 'daily', 'weekly', 'monthly'];
export const REMINDER_PURPOSE = 'reminder';
const MAX_TEXT = 500;
const MAX_PER_USER = 100;
/** An occurrence this late (the server was down) is skipped, not sent hours after its time. */
const MISSED_AFTER_MS = 60 * 60_000;
/** A new reminder may start at most this far back (clock skew between client and server). */
const PAST_GRACE_MS = 60_000;

export interface ReminderInput {
  /** ISO 8601 time of the (first) reminder. */
  at: string;
  text: string;
  repeat?: string;
}

export interface ReminderView {
  id: number;
  address: string;
  text: string;
  repeat: ReminderRepeat;
  nextAt: string | null;
  sent: number;
  pendingSmsId: string | null;
  createdAt: string;
}

/** The SMS service as reminders use it: send a scheduled SMS, call one off. */
export interface ScheduledSmsSender extends SmsSender {
  send(input: {
    to: string;
    text: string;
    at?: Date;
    purpose?: string;
    userId?: number | null;
  }): Promise<{ id: string }>;
  cancel(id: string): Promise<unknown>;
}

export interface ReminderOptions {
  timeZone: string;
  /** How often the worker looks for due reminders; occurrences are queued this far ahead x2. */
  checkSeconds: number;
}

/**
 * SMS reminders to a user's own bound phone (H7): once, or every day, week or month at
 * the same local time. Shortly before an occurrence the worker queues it as a scheduled
 * SMS (a delayed job, re-created from SQL after a restart like any scheduled SMS), then
 * moves the reminder to its next occurrence. Queuing claims the occurrence first with a
 * conditional UPDATE, so two worker nodes never queue it twice; a crash in the instant
 * between that claim and the SMS row skips that one occurrence (the price of never
 * sending one twice).
 */
export class Reminders {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<number> | null = null;

  constructor(
    private readonly repo: ReminderRepository,
    private readonly phones: NotifyRepository,
    private readonly users: DirectoryRepository,
    private readonly sms: ScheduledSmsSender | null,
    private readonly opts: ReminderOptions,
    private readonly log: Logger,
  ) {}

  async add(address: string, input: ReminderInput, now = Date.now()): Promise<ReminderView> {
    const user = await this.user(address);
    const text = typeof input.text === 'string' ? input.text.trim() : '';
    if (!text) throw new DiziError('invalid', 'the reminder text is empty', 'text');
    if (Array.from(text).length > MAX_TEXT)
      throw new DiziError('invalid', `the text is longer than ${MAX_TEXT} characters`, 'text');
    const repeat = (input.repeat ?? 'none') as ReminderRepeat;
    if (!REMINDER_REPEATS.includes(repeat))
      throw new DiziError(
        'invalid',
        `repeat must be one of ${REMINDER_REPEATS.join(', ')}`,
        'repeat',
      );
    const at = typeof input.at === 'string' ? Date.parse(input.at) : NaN;
    if (!Number.isFinite(at))
      throw new DiziError(
        'invalid',
        'at must be an ISO 8601 time, e.g. 2026-12-24T09:00:00+08:00',
        'at',
      );
    if (at < now - PAST_GRACE_MS) throw new DiziError('invalid', 'at is in the past', 'at');
    const phone = await this.phones.phoneOfUser(user.id);
    if (!phone?.confirmed)
      throw new DiziError(
        'conflict',
        `${user.address} has no confirmed phone number: bind one first (dizi phone bind)`,
        'address',
      );
    if ((await this.repo.list(user.id)).length >= MAX_PER_USER)
      throw new DiziError('conflict', `${user.address} has ${MAX_PER_USER} reminders already`);
    const row = await this.repo.add({ userId: user.id, text, repeat, anchorAt: at, nextAt: at });
    this.log.info({ user: user.address, reminder: row.id, at: input.at, repeat }, 'reminder added');
    // One due within the look-ahead goes to the queue now, not at the next check.
    if (at <= now + this.lookaheadMs()) {
      await this.tick().catch((err: Error) =>
        this.log.warn({ err }, 'reminder check failed; the worker tries again'),
      );
      return view(user, (await this.repo.get(row.id)) ?? row);
    }
    return view(user, row);
  }

  async list(address: string): Promise<ReminderView[]> {
    const user = await this.user(address);
    return (await this.repo.list(user.id)).map((r) => view(user, r));
  }

  /** Removes a reminder and calls off its occurrence already queued, if not sent yet. */
  async remove(address: string, id: number): Promise<void> {
    const user = await this.user(address);
    const row = await this.repo.remove(user.id, id);
    if (!row) throw new DiziError('not-found', `${user.address} has no reminder ${id}`, 'id');
    if (row.pendingSmsId && this.sms)
      await this.sms.cancel(row.pendingSmsId).catch(() => undefined); // sent already: fine
  }

  /** Starts the periodic check (the worker role). */
  start(): void {
    if (this.timer) return;
    const run = () =>
      void this.tick().catch((err: Error) => this.log.warn({ err }, 'reminder check failed'));
    run();
    this.timer = setInterval(run, this.opts.checkSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking?.catch(() => undefined);
  }

  /** Queues every occurrence due within the look-ahead; returns how many were queued. */
  tick(now = Date.now()): Promise<number> {
    // One check at a time in a process; other nodes are kept out by the claim.
    this.ticking ??= this.queueDue(now).finally(() => (this.ticking = null));
    return this.ticking;
  }

  private lookaheadMs(): number {
    return 2 * this.opts.checkSeconds * 1000;
  }

  private async queueDue(now: number): Promise<number> {
    if (!this.sms) return 0;
    let queued = 0;
    for (const r of await this.repo.due(now + this.lookaheadMs())) {
      const due = r.nextAt!;
      if (now - due > MISSED_AFTER_MS) {
        const next = nextOccurrence(r.anchorAt, r.repeat, this.opts.timeZone, now);
        if (await this.repo.advance(r.id, due, next, false))
          this.log.warn(
            { reminder: r.id, due: new Date(due).toISOString() },
            'reminder missed (the server was not running at its time); not sent late',
          );
        continue;
      }
      const next = nextOccurrence(r.anchorAt, r.repeat, this.opts.timeZone, due);
      const phone = await this.phones.phoneOfUser(r.userId);
      if (!phone?.confirmed) {
        if (await this.repo.advance(r.id, due, next, false))
          this.log.warn({ reminder: r.id }, 'reminder not sent: the user has no confirmed phone');
        continue;
      }
      if (!(await this.repo.advance(r.id, due, next, true))) continue; // another node has it
      try {
        const sms = await this.sms.send({
          to: phone.number,
          text: r.text,
          at: new Date(due),
          purpose: REMINDER_PURPOSE,
          userId: r.userId,
        });
        await this.repo.setPendingSms(r.id, sms.id);
        queued++;
      } catch (err) {
        this.log.error({ err, reminder: r.id }, 'reminder SMS could not be queued');
      }
    }
    return queued;
  }

  private async user(address: string): Promise<UserEntity> {
    const user = await this.users.findUser(
      String(address ?? '')
        .trim()
        .toLowerCase(),
    );
    if (!user) throw new DiziError('not-found', `no user ${address}`, 'address');
    return user;
  }
}

function view(user: UserEntity, r: ReminderEntity): ReminderView {
  return {
    id: r.id,
    address: user.address,
    text: r.text,
    repeat: r.repeat,
    nextAt: r.nextAt === null ? null : new Date(r.nextAt).toISOString(),
    sent: r.sent,
    pendingSmsId: r.pendingSmsId,
    createdAt: new Date(r.createdAt).toISOString(),
  };
}
