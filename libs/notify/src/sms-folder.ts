import MailComposer from 'nodemailer/lib/mail-composer';
import type { Logger } from 'pino';
import { DirectoryRepository, NotifyRepository, SmsFacts, UserEntity } from '@dizi/store';
import { parseMoText } from './sms-command-parser';
import type { FolderWriter } from './notify-ports';
import { canonicalPhone } from './phone-number';

export interface SmsFolderOptions {
  /** The folder's name; '' turns SMS favourites off. */
  folder: string;
  /** Outbound purposes a user sends by choice (api, cli, compose, mail2sms...). */
  purposes: readonly string[];
  /** Phones appear as `<number>@<smsDomain>`. */
  smsDomain: string;
}

/** One SMS as a mail of one user's SMS folder. */
export interface SmsFolderMailInput {
  smsId: string;
  direction: 'out' | 'in';
  from: { name: string; address: string };
  to: { name: string; address: string };
  text: string;
  date: Date;
  /** Message-ID without brackets; one per SMS and user, so filing twice is seen. */
  messageId: string;
}

const SUBJECT_CHARS = 40;

/** A small RFC 5322 mail for an SMS: UTF-8 text, the SMS id in X-Dizi-Sms-Id. */
export async function buildSmsMail(m: SmsFolderMailInput): Promise<Buffer> {
  const firstLine = m.text.split(/\r?\n/)[0].trim();
  const chars = Array.from(firstLine);
  const subject =
    chars.length > SUBJECT_CHARS ? `${chars.slice(0, SUBJECT_CHARS).join('')}…` : firstLine;
  return new MailComposer({
    from: m.from,
    to: m.to,
    subject: subject || '(SMS)',
    text: m.text,
    textEncoding: 'base64',
    date: m.date,
    messageId: `<${m.messageId}>`,
    headers: { 'X-Dizi-Sms-Id': m.smsId, 'X-Dizi-Sms-Direction': m.direction },
    xMailer: false,
  })
    .compile()
    .build();
}

/**
 * SMS favourites (H6): every SMS a user sends or receives is kept as a mail in their SMS
 * folder, visible over IMAP. What counts:
 * - sent: an outbound SMS with the user's id and a purpose in `purposes` (what a person
 *   chose to send: API, CLI, composed, mail to SMS), filed once a link took it. Alerts,
 *   binding codes, automatic answers, admin alerts are not: they would flood the folder.
 * - received: such an SMS whose number is the user's confirmed phone (someone, or an
 *   admin, sent it to them).
 * - from their phone: an MO from the user's confirmed phone, except commands to the
 *   service (help and any account command the MO parser knows: a password must not be
 *   kept in a mailbox); "address text" and free text are kept.
 * A crash between the SMS and its filing loses the folder copy, never the SMS.
 */
export class SmsFolder {
  constructor(
    private readonly repo: NotifyRepository,
    private readonly users: DirectoryRepository,
    private readonly writer: FolderWriter | null,
    private readonly opts: SmsFolderOptions,
    private readonly log: Logger,
  ) {}

  get enabled(): boolean {
    return !!this.opts.folder && !!this.writer;
  }

  /** An outbound SMS a link took (status submitted). */
  async outbound(sms: SmsFacts): Promise<number> {
    if (!this.enabled || sms.direction !== 'out' || !this.opts.purposes.includes(sms.purpose))
      return 0;
    let filed = 0;
    const sender = sms.userId !== null ? await this.users.findUserById(sms.userId) : null;
    const phoneUser = await this.userOfPhone(sms.toNumber);
    const phone = this.phoneAddress(sms.toNumber, phoneUser?.displayName);
    const from = sender
      ? { name: sender.displayName || sender.address, address: sender.address }
      : { name: 'SMS', address: `sms@${this.opts.smsDomain}` };
    if (sender && (await this.file(sender, sms, 'out', from, phone, ['\\Seen']))) filed++;
    if (phoneUser && phoneUser.id !== sender?.id) {
      if (await this.file(phoneUser, sms, 'in', from, phone, [])) filed++;
    }
    return filed;
  }

  /** An MO SMS: kept for the user whose confirmed phone sent it. */
  async inbound(sms: SmsFacts): Promise<boolean> {
    if (!this.enabled || sms.direction !== 'in') return false;
    const user = await this.userOfPhone(sms.fromNumber);
    if (!user) return false;
    const kind = parseMoText(sms.text).kind;
    if (kind !== 'mail' && kind !== 'unknown') return false;
    return this.file(
      user,
      sms,
      'in',
      this.phoneAddress(sms.fromNumber, user.displayName || user.address),
      this.phoneAddress(sms.toNumber),
      ['\\Seen'],
    );
  }

  private async file(
    user: UserEntity,
    sms: SmsFacts,
    direction: 'out' | 'in',
    from: { name: string; address: string },
    to: { name: string; address: string },
    flags: string[],
  ): Promise<boolean> {
    const messageId = `sms.${sms.id}.${user.id}@${this.opts.smsDomain}`;
    if (await this.repo.hasMessageWithId(user.id, this.opts.folder, `<${messageId}>`)) return false;
    const raw = await buildSmsMail({
      smsId: sms.id,
      direction,
      from,
      to,
      text: sms.text,
      date: new Date(sms.createdAt),
      messageId,
    });
    try {
      await this.writer!.append(user.id, this.opts.folder, raw, flags, new Date(sms.createdAt));
    } catch (err) {
      // Over quota, most often: the SMS went out all the same; the copy is dropped.
      this.log.warn(
        { err: (err as Error).message, user: user.address, sms: sms.id },
        'SMS not kept in the SMS folder',
      );
      return false;
    }
    this.log.info({ user: user.address, sms: sms.id, direction }, 'SMS kept in the SMS folder');
    return true;
  }

  private async userOfPhone(number: string): Promise<UserEntity | null> {
    let canonical: string;
    try {
      canonical = canonicalPhone(number);
    } catch {
      return null; // an alphanumeric sender or an empty number belongs to nobody
    }
    const phone = await this.repo.confirmedPhone(canonical);
    if (!phone) return null;
    const user = await this.users.findUserById(phone.userId);
    return user?.enabled ? user : null;
  }

  private phoneAddress(number: string, name?: string): { name: string; address: string } {
    let n = number;
    try {
      n = canonicalPhone(number);
    } catch {
      n = number.replace(/[^0-9A-Za-z+]/g, '') || 'unknown';
    }
    return { name: name || n, address: `${n.replace(/^\+/, '')}@${this.opts.smsDomain}` };
  }
}
