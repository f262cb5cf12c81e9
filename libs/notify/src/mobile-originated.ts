import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Logger } from 'pino';
import { NotifyRepository } from '@dizi/store';
import type { MailInjector, SmsSender } from './notify-ports';
import { PhoneBindings } from './phone-bindings';
import { canonicalPhone } from './phone-number';

export interface MobileOriginatedOptions {
  /** Mail from a phone comes from `<number>@<smsDomain>`. */
  smsDomain: string;
  /** Automatic answers (help, refusals) to one number per hour; more are dropped. */
  repliesPerHour: number;
}

/** An MO SMS as the SMS service stores it. */
export interface MoSms {
  id: string;
  fromNumber: string;
  text: string;
}

export type MoCommand =
  { kind: 'mail'; to: string; body: string } | { kind: 'help' } | { kind: 'unknown'; word: string };

export type MoOutcome =
  | { kind: 'mailed'; to: string; from: string }
  | { kind: 'help'; replied: boolean }
  | { kind: 'refused'; reason: 'unbound' | 'empty'; replied: boolean };

const HELP_WORDS = new Set(['help', 'h', '?', '？', '帮助', 'bz']);
const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SUBJECT_CHARS = 40;
export const REPLY_PURPOSE = 'mo-reply';

/**
 * Reads an MO text. "address text" is a mail (H5): the address is the first word, split
 * off by a space or Chinese punctuation, with a full-width ＠ taken as @ (Chinese phone
 * keyboards). Help words in Chinese and English ask for the help text.
 */
export function parseMoText(text: string): MoCommand {
  const t = text.replace(/＠/g, '@').trim();
  const m = /^(\S+?)(?:[\s:：,，]+|$)([\s\S]*)$/.exec(t);
  const word = m?.[1] ?? '';
  if (ADDRESS.test(word))
    return { kind: 'mail', to: word.toLowerCase(), body: (m?.[2] ?? '').trim() };
  if (HELP_WORDS.has(word.toLowerCase())) return { kind: 'help' };
  return { kind: 'unknown', word };
}

export const HELP_TEXT =
  '发邮件：地址 内容，如 li@example.com 明天见。HELP: send "address text" to mail it.';
const UNBOUND_TEXT =
  '本号码未绑定邮箱，无法使用短信服务，请先在邮箱设置中绑定手机。This number is not bound to a mailbox.';
const EMPTY_TEXT =
  '邮件内容为空，未发送。格式：地址 内容。The mail text is empty; nothing was sent.';

/**
 * Mobile-originated SMS (H4/H5, first slice): from a bound number, "address text" becomes
 * a mail through the spool like any mail; anything else gets the help text. A number
 * that is not bound (confirmed) acts for nobody: it only ever gets a refusal.
 */
export class MobileOriginated {
  constructor(
    private readonly phones: PhoneBindings,
    private readonly repo: NotifyRepository,
    private readonly sms: SmsSender,
    private readonly inject: MailInjector,
    private readonly opts: MobileOriginatedOptions,
    private readonly log: Logger,
  ) {}

  async handle(mo: MoSms): Promise<MoOutcome> {
    const user = await this.phones.userOfNumber(mo.fromNumber);
    if (!user || !user.enabled) {
      this.log.info({ sms: mo.id, from: mo.fromNumber }, 'MO from an unbound number refused');
      return { kind: 'refused', reason: 'unbound', replied: await this.reply(mo, UNBOUND_TEXT) };
    }
    const cmd = parseMoText(mo.text);
    if (cmd.kind !== 'mail') return { kind: 'help', replied: await this.reply(mo, HELP_TEXT) };
    if (!cmd.body)
      return { kind: 'refused', reason: 'empty', replied: await this.reply(mo, EMPTY_TEXT) };

    const number = canonicalPhone(mo.fromNumber);
    const from = `${number}@${this.opts.smsDomain}`;
    const firstLine = cmd.body.split(/\r?\n/)[0];
    const subject =
      Array.from(firstLine).length > SUBJECT_CHARS
        ? `${Array.from(firstLine).slice(0, SUBJECT_CHARS).join('')}…`
        : firstLine;
    const raw = await new MailComposer({
      from: { name: number, address: from },
      // The mailbox owner answers for what their phone sends (RFC 5322 3.6.2).
      sender: user.address,
      to: cmd.to,
      subject,
      text: cmd.body,
      textEncoding: 'base64',
      date: new Date(),
      messageId: `<sms.${mo.id}.${randomUUID()}@${this.opts.smsDomain}>`,
      headers: { 'X-Dizi-Sms-Id': mo.id },
      xMailer: false,
    })
      .compile()
      .build();
    // Bounces go to the owner's mailbox: the phone's own address has no mailbox yet.
    await this.inject({ sender: user.address, recipient: cmd.to, raw, authUser: user.address });
    this.log.info({ sms: mo.id, user: user.address, to: cmd.to }, 'SMS turned into a mail');
    return { kind: 'mailed', to: cmd.to, from };
  }

  /**
   * Answers by SMS unless this number had its hourly share: two auto-responders (or a
   * carrier echo) must not ping-pong paid SMS forever.
   */
  private async reply(mo: MoSms, text: string): Promise<boolean> {
    let to: string;
    try {
      to = canonicalPhone(mo.fromNumber);
    } catch {
      return false; // an alphanumeric sender cannot be answered
    }
    const sent = await this.repo.smsSentTo(to, [REPLY_PURPOSE], Date.now() - 3_600_000);
    if (sent >= this.opts.repliesPerHour) {
      this.log.warn({ sms: mo.id, to }, 'no answer: this number had its answers for the hour');
      return false;
    }
    await this.sms.send({ to, text, purpose: REPLY_PURPOSE });
    return true;
  }
}
