import type { Logger } from 'pino';
import { DiziError } from '@dizi/errors';
import { newSmsId } from '@dizi/sms';
import { ContactsRepository, DirectoryRepository, MailSmsRepository } from '@dizi/store';
import { readAlertMail } from './alert-mail';
import { buildAlertText } from './alert-text';
import { localTime } from './local-time';
import type { SmsSender, SpooledMail } from './notify-ports';

export interface SendTimeNoticeOptions {
  /** With {from}, {time}, {subject} (and {body}, always empty here). */
  template: string;
  segments: number;
  gsmPerSegment: number;
  timeZone: string;
  /** Notices one mail may cause at most; 0: notices are off. */
  maxPerMail: number;
}

/** A recipient the mail reached: a local mailbox (with its user) or a remote address. */
export interface NoticeTarget {
  address: string;
  userId?: number;
}

export interface NoticeChoice {
  address: string;
  number: string;
  /** Where the number came from: the sender's address book, or the recipient's bound phone. */
  source: 'contact' | 'phone';
}

export interface NoticePlan {
  chosen: NoticeChoice[];
  /** Recipients without a number in the address book nor a confirmed bound phone. */
  noNumber: string[];
  /** Recipients with a number, over the per-mail cap. */
  capped: string[];
}

export const NOTICE_PURPOSE = 'notice';

/**
 * Which recipients get a notice and at which number: the sender's contact for the
 * recipient's e-mail first (the sender knows the number they mean), else a local
 * recipient's confirmed bound phone. The sender is not told of their own mail; a number
 * gets one notice however many of the addresses lead to it; past `cap` numbers the
 * rest are left out, in recipient order.
 */
export function planNotices(
  targets: readonly NoticeTarget[],
  contactMobiles: ReadonlyMap<string, string>,
  boundPhones: ReadonlyMap<number, string>,
  opts: { cap: number; sender: string },
): NoticePlan {
  const plan: NoticePlan = { chosen: [], noNumber: [], capped: [] };
  const numbers = new Set<string>();
  const seen = new Set<string>();
  for (const t of targets) {
    const address = t.address.toLowerCase();
    if (address === opts.sender || seen.has(address)) continue;
    seen.add(address);
    const contact = contactMobiles.get(address);
    const phone = t.userId !== undefined ? boundPhones.get(t.userId) : undefined;
    const number = contact ?? phone;
    if (!number) {
      plan.noNumber.push(address);
      continue;
    }
    if (numbers.has(number)) continue;
    if (plan.chosen.length >= opts.cap) {
      plan.capped.push(address);
      continue;
    }
    numbers.add(number);
    plan.chosen.push({ address, number, source: contact ? 'contact' : 'phone' });
  }
  return plan;
}

/**
 * Send-time SMS notice (H3, 方案五 "发送邮件时同时发送短消息"): an authenticated sender
 * asks (X-Dizi-Notify: sms, or the API) that the recipients are also told by SMS,
 * "<sender> sent you mail: <subject>". Each notice is a paid SMS charged to the sender,
 * recorded in mail_sms so a mail handled again after a crash does not notify twice.
 */
export class SendTimeNotice {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly users: DirectoryRepository,
    private readonly repo: MailSmsRepository,
    private readonly sms: SmsSender,
    private readonly opts: SendTimeNoticeOptions,
    private readonly log: Logger,
  ) {}

  /** Sends the notices of one delivered mail; `raw` is (the head of) the message. */
  async notify(
    mail: SpooledMail,
    raw: Buffer,
    targets: readonly NoticeTarget[],
  ): Promise<NoticePlan> {
    const none: NoticePlan = { chosen: [], noNumber: [], capped: [] };
    const env = mail.envelope;
    // The envelope only carries the request from an authenticated session or the API;
    // checked again so a hand-made spool entry cannot spend SMS.
    if (!env.authUser) {
      this.log.warn({ id: mail.id }, 'SMS notice asked without an authenticated sender: ignored');
      return none;
    }
    if (this.opts.maxPerMail === 0) return none;
    const owner = await this.users.findUser(env.authUser.toLowerCase());
    if (!owner) throw new DiziError('not-found', `no user ${env.authUser}`, 'authUser');

    const addresses = targets.map((t) => t.address.toLowerCase());
    const userIds = targets.flatMap((t) => (t.userId === undefined ? [] : [t.userId]));
    const plan = planNotices(
      targets,
      await this.contacts.mobilesByEmail(owner.id, addresses),
      await this.contacts.confirmedPhones(userIds),
      { cap: this.opts.maxPerMail, sender: owner.address },
    );
    if (plan.noNumber.length)
      this.log.info(
        { id: mail.id, skipped: plan.noNumber },
        'no SMS notice for recipients without a number',
      );
    if (plan.capped.length)
      this.log.warn(
        { id: mail.id, capped: plan.capped.length, cap: this.opts.maxPerMail },
        'SMS notices over the per-mail cap left out',
      );
    if (!plan.chosen.length) return plan;

    const decoded = await readAlertMail(raw);
    const text = buildAlertText(
      {
        from: decoded.fromName || owner.displayName || owner.address,
        time: localTime(new Date(env.receivedAt), this.opts.timeZone).label,
        subject: decoded.subject,
        body: '',
      },
      {
        template: this.opts.template,
        segments: this.opts.segments,
        gsmPerSegment: this.opts.gsmPerSegment,
      },
    );
    for (const c of plan.chosen) {
      const { row, created } = await this.repo.claim({
        spoolId: mail.id,
        kind: 'notice',
        recipient: c.address,
        number: c.number,
        smsId: newSmsId(),
        userId: owner.id,
        sender: env.sender,
        envId: env.envId ?? null,
        arrivedAt: env.receivedAt,
        headers: '',
      });
      if (!created && (await this.repo.smsExists(row.smsId))) continue; // sent before a crash
      await this.sms.send({
        id: row.smsId,
        to: c.number,
        text,
        purpose: NOTICE_PURPOSE,
        userId: owner.id,
      });
      this.log.info(
        { id: mail.id, to: c.address, number: c.number, source: c.source, sms: row.smsId },
        'SMS notice sent',
      );
    }
    return plan;
  }
}
