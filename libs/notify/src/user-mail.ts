import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Logger } from 'pino';
import { DiziError } from '@dizi/errors';
import { DirectoryRepository } from '@dizi/store';
import type { MailInjector } from './notify-ports';

export interface UserMailInput {
  to: string[];
  subject: string;
  text: string;
  /** Also tell the recipients by SMS (H3). */
  notifySms?: boolean;
}

export interface UserMailSent {
  messageId: string;
  from: string;
  to: string[];
  notifySms: boolean;
}

const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
export const USER_MAIL_MAX_RECIPIENTS = 100;

/**
 * A plain-text mail written through the API on a user's behalf (H3: "send, and tell
 * the recipients by SMS"). It is composed here and put into the spool as that user's
 * authenticated submission, so it is delivered, relayed, bounced and noticed exactly
 * like a mail from their mail client.
 */
export class UserMail {
  constructor(
    private readonly users: DirectoryRepository,
    private readonly inject: MailInjector,
    private readonly log: Logger,
  ) {}

  async send(address: string, input: UserMailInput): Promise<UserMailSent> {
    const user = await this.users.findUser(
      String(address ?? '')
        .trim()
        .toLowerCase(),
    );
    if (!user) throw new DiziError('not-found', `no user ${address}`, 'address');
    if (!user.enabled) throw new DiziError('forbidden', `${user.address} is disabled`, 'address');
    const to = [...new Set((input.to ?? []).map((a) => String(a).trim().toLowerCase()))];
    if (!to.length) throw new DiziError('invalid', 'to needs at least one address', 'to');
    if (to.length > USER_MAIL_MAX_RECIPIENTS)
      throw new DiziError(
        'invalid',
        `to has more than ${USER_MAIL_MAX_RECIPIENTS} addresses`,
        'to',
      );
    const bad = to.find((a) => !ADDRESS.test(a));
    if (bad) throw new DiziError('invalid', `"${bad}" is not an e-mail address`, 'to');
    const domain = user.address.slice(user.address.lastIndexOf('@') + 1);
    const messageId = `<api.${randomUUID()}@${domain}>`;
    const raw = await new MailComposer({
      from: { name: user.displayName || '', address: user.address },
      to,
      subject: String(input.subject ?? ''),
      text: String(input.text ?? ''),
      date: new Date(),
      messageId,
      xMailer: false,
    })
      .compile()
      .build();
    const notifySms = input.notifySms === true;
    await this.inject({
      sender: user.address,
      recipient: to[0],
      moreRecipients: to.slice(1),
      raw,
      authUser: user.address,
      notifySms,
    });
    this.log.info({ user: user.address, to: to.length, notifySms }, 'mail sent through the API');
    return { messageId, from: user.address, to, notifySms };
  }
}
