import { Database } from './database';
import { MailSmsEntity, SmsMessageEntity } from './entities';
import { rows } from './raw-sql';

export type NewMailSms = Omit<MailSmsEntity, 'id' | 'state' | 'error' | 'createdAt' | 'updatedAt'>;

/** SQL for `mail_sms`: the SMS sent because of a mail (mail to SMS, send-time notices). */
export class MailSmsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Records that this SMS is going out for (spool id, kind, recipient), unless a row for
   * it exists (the entry is being handled again after a crash or a retry): then that
   * row is returned with `created: false`.
   */
  claim(row: NewMailSms): Promise<{ row: MailSmsEntity; created: boolean }> {
    return this.db.tx(async (m) => {
      const key = { spoolId: row.spoolId, kind: row.kind, recipient: row.recipient };
      const existing = await m.findOneBy(MailSmsEntity, key);
      if (existing) return { row: existing, created: false };
      const now = Date.now();
      const saved = await m.save(
        m.create(MailSmsEntity, {
          ...row,
          // PostgreSQL text cannot hold NUL; a header block never needs one.
          headers: row.headers.replace(/\0/g, ''),
          state: 'queued',
          error: null,
          createdAt: now,
          updatedAt: now,
        }),
      );
      return { row: saved, created: true };
    });
  }

  /** Whether the SMS service has a row for this id (the claim was followed by a send). */
  smsExists(smsId: string): Promise<boolean> {
    return this.db.run(async (m) => (await m.countBy(SmsMessageEntity, { id: smsId })) > 0);
  }

  bySms(smsId: string): Promise<MailSmsEntity[]> {
    return this.db.run((m) => m.find(MailSmsEntity, { where: { smsId }, order: { id: 'ASC' } }));
  }

  /**
   * Marks the rows of a failed SMS `failed` and returns those that were still `queued`:
   * a conditional UPDATE per row, so a failure reported twice bounces once.
   */
  failSms(smsId: string, error: string): Promise<MailSmsEntity[]> {
    return this.db.tx(async (m) => {
      const queued = await m.findBy(MailSmsEntity, { smsId, state: 'queued' });
      const taken: MailSmsEntity[] = [];
      const now = Date.now();
      for (const r of queued) {
        const u = await m.update(
          MailSmsEntity,
          { id: r.id, state: 'queued' },
          { state: 'failed', error: error.slice(0, 1000), updatedAt: now },
        );
        if ((u.affected ?? 0) > 0) taken.push(r);
      }
      return taken;
    });
  }

  /**
   * SMS a user sent from mail since `since` (one per SMS, however many addresses of a
   * mail named its number); SMS that failed are not counted.
   */
  async sentSince(userId: number, since: number): Promise<number> {
    const [r] = await this.db.run((m) =>
      rows<{ n: number | string }>(
        m,
        "SELECT COUNT(DISTINCT sms_id) AS n FROM mail_sms WHERE user_id = ? AND created_at >= ? AND kind = 'mail2sms' AND state = 'queued'",
        [userId, since],
      ),
    );
    return Number(r?.n ?? 0);
  }

  /** Rows of one mail, oldest first (admin look-ups, tests). */
  forSpool(spoolId: string): Promise<MailSmsEntity[]> {
    return this.db.run((m) => m.find(MailSmsEntity, { where: { spoolId }, order: { id: 'ASC' } }));
  }
}
