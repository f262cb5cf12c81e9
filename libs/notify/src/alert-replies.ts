import type { Logger } from 'pino';
import { AlertEntity, SmsCommandsRepository, UserEntity } from '@dizi/store';
import type { MailInjector } from './notify-ports';
import { composeSmsMail, subjectOfSms } from './sms-mail';

export interface AlertReplyOptions {
  smsDomain: string;
  /** Digits after the service number that mark a reply extension ('' = none). */
  extensionPrefix: string;
  /** Digits of the alert's ordinal after the prefix; 0 = alerts carry no extension. */
  extensionDigits: number;
  /** A non-command text within this many hours of an alert replies to it; 0 = never. */
  windowHours: number;
}

/**
 * Replies to arrival alerts (H5). Each alert SMS goes out from the service number plus
 * an extension naming it among the user's alerts; an MO to that number is a reply, and
 * becomes a mail to the sender of the announced mail, threaded under it. When the
 * carrier drops the extension, a plain text soon after an alert replies to the latest.
 */
export class AlertReplies {
  constructor(
    private readonly repo: SmsCommandsRepository,
    private readonly inject: MailInjector,
    private readonly opts: AlertReplyOptions,
    private readonly log: Logger,
  ) {}

  /**
   * The extension an alert goes out with, stored on its row; undefined when replies by
   * extension are off. The ordinal among the user's alerts makes it unique among that
   * phone's last 10^digits alerts, whatever other users get meanwhile.
   */
  async assign(alertId: number, userId: number): Promise<string | undefined> {
    const digits = this.opts.extensionDigits;
    if (digits <= 0) return undefined;
    const ordinal = await this.repo.alertOrdinal(userId, alertId);
    const extension =
      this.opts.extensionPrefix + String(ordinal % 10 ** digits).padStart(digits, '0');
    await this.repo.setReplyExtension(alertId, extension);
    return extension;
  }

  /**
   * The reply extension an MO was sent to: what follows the link's service number in
   * its destination, when that is the prefix and the right number of digits.
   */
  extensionOf(toNumber: string, serviceNumber: string | null): string | null {
    return replyExtensionIn(
      toNumber,
      serviceNumber,
      this.opts.extensionPrefix,
      this.opts.extensionDigits,
    );
  }

  /** The latest sent alert to this user's number that went out with the extension. */
  byExtension(user: UserEntity, number: string, extension: string): Promise<AlertEntity | null> {
    return this.repo.alertByExtension(user.id, number, extension);
  }

  /** The alert a plain text answers when no extension came through, or null. */
  async recent(user: UserEntity, number: string): Promise<AlertEntity | null> {
    if (this.opts.windowHours <= 0) return null;
    return this.repo.latestAlert(user.id, number, Date.now() - this.opts.windowHours * 3_600_000);
  }

  /**
   * Mails the SMS text to the sender of the mail the alert announced: from the phone's
   * address, "Re: <subject>", In-Reply-To and References naming the announced message.
   * Null when that mail had no sender address to answer.
   */
  async reply(
    alert: AlertEntity,
    user: UserEntity,
    number: string,
    text: string,
    smsId: string,
  ): Promise<{ to: string; from: string } | null> {
    const to = alert.fromAddress.trim();
    if (!to.includes('@')) return null;
    const { from, raw } = await composeSmsMail({
      number,
      smsDomain: this.opts.smsDomain,
      owner: user.address,
      to,
      subject: alert.mailSubject ? replySubject(alert.mailSubject) : `Re: ${subjectOfSms(text)}`,
      text,
      smsId,
      inReplyTo: messageIdOf(alert.mailMessageId),
    });
    // Bounces go to the owner's mailbox, as for any mail from the phone.
    await this.inject({ sender: user.address, recipient: to, raw, authUser: user.address });
    this.log.info(
      { sms: smsId, user: user.address, to, alert: alert.id },
      'SMS reply to an alert mailed',
    );
    return { to, from };
  }
}

/**
 * The reply extension in an MO's destination: what follows the service number, when it
 * is `prefix` and then exactly `digits` digits; null otherwise (or when off).
 */
export function replyExtensionIn(
  toNumber: string,
  serviceNumber: string | null,
  prefix: string,
  digits: number,
): string | null {
  const service = (serviceNumber ?? '').replace(/^\+/, '');
  const to = String(toNumber ?? '').replace(/^\+/, '');
  if (digits <= 0 || !/^\d*$/.test(prefix)) return null;
  if (!/^\d+$/.test(service) || !to.startsWith(service)) return null;
  const rest = to.slice(service.length);
  return new RegExp(`^${prefix}\\d{${digits}}$`).test(rest) ? rest : null;
}

/** "Re: " once: a subject that already says Re:/回复: keeps its own. */
export function replySubject(subject: string): string {
  const s = subject.replace(/\s+/g, ' ').trim();
  return /^(re|回复|答复)\s*[:：]/i.test(s) ? s : `Re: ${s}`;
}

/** The first `<id>` of a Message-ID header value, or undefined. */
function messageIdOf(value: string): string | undefined {
  const m = /<[^<>\s]+>/.exec(value ?? '');
  return m ? m[0] : undefined;
}
