import type { Logger } from 'pino';
import { DiziError } from '@dizi/errors';
import { LinkDownError, NoRouteError, SubmitRefusedError } from '@dizi/gateway-kit';
import { headerEnd } from '@dizi/mail';
import { CarrierReportedFailure, newSmsId } from '@dizi/sms';
import { DirectoryRepository, MailSmsEntity, MailSmsRepository } from '@dizi/store';
import { readAlertMail } from './alert-mail';
import { buildAlertText } from './alert-text';
import { localTime } from './local-time';
import type { FailedMailRecipient, MailBouncer, SmsSender, SpooledMail } from './notify-ports';
import { canonicalPhone } from './phone-number';

export interface MailToSmsOptions {
  /** Mail to `<number>@<smsDomain>` goes out as SMS. */
  smsDomain: string;
  /** Anonymous MX clients may send to it too (notify.mailToSmsFromMx). */
  fromMx: boolean;
  template: string;
  segments: number;
  gsmPerSegment: number;
  timeZone: string;
  /** SMS a user may send by mail a day; 0: no cap (notify.mailToSmsDailyCap). */
  dailyCap?: number;
}

/** The SMTP listener's answer for a recipient (libs/smtp RecipientClaim fits). */
export type SmsRecipientCheck = { accept: true } | { code: number; enhanced: string; text: string };

export const MAIL_TO_SMS_PURPOSE = 'mail2sms';

/**
 * Mail to a phone's own address goes out as SMS (H5, the way back of SMS to mail): a
 * mail to `<number>@<smsDomain>` becomes one SMS per number, with the sender, subject
 * and decoded body fitted to the configured segments, charged to the authenticated
 * sender. Such mail never lands in a mailbox and is never relayed. When the SMS fails
 * for good, the sender gets a DSN, as for any other undeliverable mail.
 */
export class MailToSms {
  private readonly domain: string;

  constructor(
    private readonly repo: MailSmsRepository,
    private readonly users: DirectoryRepository,
    private readonly sms: SmsSender,
    private readonly bounce: MailBouncer,
    private readonly opts: MailToSmsOptions,
    private readonly log: Logger,
  ) {
    this.domain = opts.smsDomain.toLowerCase();
  }

  /** True for an address of the SMS domain (whatever its local part). */
  claims(address: string): boolean {
    return isSmsAddress(address, this.domain);
  }

  /** The RCPT TO check (null: not an SMS address); see checkSmsRecipient. */
  checkRecipient(
    address: string,
    ctx: { authUser?: string; mode: string },
  ): SmsRecipientCheck | null {
    return checkSmsRecipient(address, ctx, { smsDomain: this.domain, fromMx: this.opts.fromMx });
  }

  /**
   * Sends the SMS of one accepted mail; returns the recipients that failed for good.
   * Safe to call again for the same mail (a retry after a crash): a recipient whose
   * SMS was queued before is not sent again.
   */
  async deliver(
    mail: SpooledMail,
    raw: Buffer,
    recipients: string[],
  ): Promise<FailedMailRecipient[]> {
    const env = mail.envelope;
    const failed: FailedMailRecipient[] = [];
    // Alias targets reach here without the RCPT check: the same rule again.
    if (env.via === 'mx' && !env.authUser && !this.opts.fromMx) {
      return recipients.map((recipient) => ({
        recipient,
        status: '5.7.1',
        diagnostic: 'mail to SMS is only for authenticated senders',
      }));
    }
    const user = env.authUser ? await this.users.findUser(env.authUser.toLowerCase()) : null;
    const text = await mailSmsText(raw, env, this.opts);
    const end = headerEnd(raw);
    const headers = (end < 0 ? raw : raw.subarray(0, end)).toString('latin1');
    /** One SMS per number, even when two addresses spell it differently. */
    const sent = new Map<string, string>();
    const cap = this.opts.dailyCap ?? 0;
    let used = cap && user ? await this.repo.sentSince(user.id, this.dayStart()) : 0;
    for (const recipient of recipients) {
      let number: string;
      try {
        number = smsNumberOf(recipient);
      } catch (err) {
        failed.push({ recipient, status: '5.1.1', diagnostic: (err as Error).message });
        continue;
      }
      const { row, created } = await this.repo.claim({
        spoolId: mail.id,
        kind: 'mail2sms',
        recipient,
        number,
        smsId: sent.get(number) ?? newSmsId(),
        userId: user?.id ?? null,
        sender: env.sender,
        envId: env.envId ?? null,
        arrivedAt: env.receivedAt,
        headers,
      });
      if (sent.has(number)) continue;
      sent.set(number, row.smsId);
      if (!created && (await this.repo.smsExists(row.smsId))) continue; // sent before a crash
      // The claimed row itself is counted by sentSince: `used` was read before it.
      if (cap && user && used >= cap) {
        const why = `${user.address} has sent the ${cap} SMS by mail allowed a day; try again tomorrow`;
        await this.repo.failSms(row.smsId, why);
        failed.push({ recipient, status: '5.7.0', diagnostic: why });
        this.log.warn({ id: mail.id, user: user.address, cap }, 'mail to SMS over the daily cap');
        continue;
      }
      used++;
      try {
        await this.sms.send({
          id: row.smsId,
          to: number,
          text,
          purpose: MAIL_TO_SMS_PURPOSE,
          userId: user?.id ?? null,
        });
      } catch (err) {
        if (!(err instanceof DiziError)) throw err; // storage trouble: the entry is tried again
        await this.repo.failSms(row.smsId, err.message);
        failed.push({ recipient, status: '5.6.0', diagnostic: err.message });
        continue;
      }
      this.log.info(
        { id: mail.id, to: number, sms: row.smsId, user: user?.address },
        'mail sent as SMS',
      );
    }
    return failed;
  }

  /** When today began in the notify time zone (to the minute, as the cap needs). */
  private dayStart(): number {
    const now = Date.now();
    const minute = now - (now % 60_000);
    return minute - localTime(new Date(now), this.opts.timeZone).minuteOfDay * 60_000;
  }

  /**
   * The SMS service's failed-SMS hook: a mail sent as SMS that failed for good (the
   * link refused it, or every try was used) bounces to its sender with a DSN.
   */
  async smsFailed(
    sms: { id: string; purpose: string; error: string | null },
    err: Error,
  ): Promise<void> {
    if (sms.purpose !== MAIL_TO_SMS_PURPOSE) return;
    const rows = await this.repo.failSms(sms.id, sms.error ?? err.message);
    const bySpool = new Map<string, MailSmsEntity[]>();
    for (const r of rows) bySpool.set(r.spoolId, [...(bySpool.get(r.spoolId) ?? []), r]);
    for (const list of bySpool.values()) {
      const first = list[0];
      if (!first.sender) continue; // never a bounce to <>
      await this.bounce({
        sender: first.sender,
        arrivalDate: new Date(first.arrivedAt),
        envId: first.envId,
        headers: Buffer.from(first.headers, 'latin1'),
        failed: list.map((r) => ({
          recipient: r.recipient,
          status: dsnStatus(err),
          diagnostic: `SMS to ${r.number} failed: ${sms.error ?? err.message}`,
        })),
      });
      this.log.info({ sms: sms.id, to: first.sender }, 'mail sent as SMS bounced');
    }
  }
}

/**
 * RFC 3463 code of a failed SMS: a carrier's refusal, or its report that the SMS was
 * not delivered, is permanent (5.0.0; 5.4.7 when it expired); no link
 * taking it for all the tries is a routing failure (5.4.4); anything else, such as a
 * time-out after which the carrier may or may not have it, 5.4.0.
 */
export function dsnStatus(err: Error): string {
  if (err instanceof SubmitRefusedError) return '5.0.0';
  // Reported after the carrier took it: expired is RFC 3463's "delivery time expired".
  if (err instanceof CarrierReportedFailure) return err.expired ? '5.4.7' : '5.0.0';
  if (err instanceof NoRouteError) {
    return err.attempts.length && err.attempts.every((a) => a.error instanceof SubmitRefusedError)
      ? '5.0.0'
      : '5.4.4';
  }
  if (err instanceof LinkDownError) return '5.4.4';
  return '5.4.0';
}

export function isSmsAddress(address: string, smsDomain: string): boolean {
  const at = address.lastIndexOf('@');
  return at > 0 && address.slice(at + 1).toLowerCase() === smsDomain.toLowerCase();
}

/** The canonical phone number of `<number>@<smsDomain>`; a DiziError when it is none. */
export function smsNumberOf(address: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  try {
    return canonicalPhone(local, 'to');
  } catch {
    const domain = address.slice(at + 1).toLowerCase();
    throw new DiziError(
      'invalid',
      `${local} is not a phone number: mail for SMS goes to <digits>@${domain}, e.g. 13800138000@${domain}`,
      'to',
    );
  }
}

/**
 * The RCPT TO answer for an address of the SMS domain (null for any other). A bad
 * number is refused at once (550 5.1.1); an anonymous MX client is refused (550 5.7.1)
 * unless `fromMx` allows it: each accepted mail is a paid SMS, and an open mail-to-SMS
 * relay is abused within days.
 */
export function checkSmsRecipient(
  address: string,
  ctx: { authUser?: string; mode: string },
  opts: { smsDomain: string; fromMx: boolean },
): SmsRecipientCheck | null {
  if (!isSmsAddress(address, opts.smsDomain)) return null;
  try {
    smsNumberOf(address);
  } catch (err) {
    return { code: 550, enhanced: '5.1.1', text: `<${address}>: ${(err as Error).message}` };
  }
  if (ctx.mode === 'mx' && !ctx.authUser && !opts.fromMx)
    return {
      code: 550,
      enhanced: '5.7.1',
      text: `<${address}>: mail to SMS is only for authenticated senders; use the submission port`,
    };
  return { accept: true };
}

/**
 * The SMS a mail becomes: sender (display name, else address), time, subject and the
 * decoded body (any charset, HTML as text, quotes and signature dropped), fitted to
 * the configured segments.
 */
export async function mailSmsText(
  raw: Buffer,
  env: { sender: string; receivedAt: number },
  opts: Pick<MailToSmsOptions, 'template' | 'segments' | 'gsmPerSegment' | 'timeZone'>,
): Promise<string> {
  const decoded = await readAlertMail(raw);
  return buildAlertText(
    {
      from: decoded.fromName || env.sender || 'Dizi',
      time: localTime(new Date(env.receivedAt), opts.timeZone).label,
      subject: decoded.subject,
      body: decoded.body,
    },
    { template: opts.template, segments: opts.segments, gsmPerSegment: opts.gsmPerSegment },
  );
}
