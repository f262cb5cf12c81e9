import type { Logger } from 'pino';
import {
  AlertEntity,
  NotifyRepository,
  SmsCommandName,
  SmsCommandsRepository,
  UserEntity,
} from '@dizi/store';
import { AlertReplies } from './alert-replies';
import type { MailInjector, SmsSender } from './notify-ports';
import { PhoneBindings } from './phone-bindings';
import { canonicalPhone } from './phone-number';
import { MoCommand, parseMoText } from './sms-command-parser';
import { allowedCommands, CommandAnswer, helpText, SmsCommands } from './sms-commands';
import { composeSmsMail } from './sms-mail';

export interface MobileOriginatedOptions {
  /** Mail from a phone comes from `<number>@<smsDomain>`. */
  smsDomain: string;
  /** Automatic answers (help, refusals, command answers) to one number per hour; more are dropped. */
  repliesPerHour: number;
}

/** An MO SMS as the SMS service stores it. */
export interface MoSms {
  id: string;
  fromNumber: string;
  text: string;
  /** The number it was sent to: service number, maybe with an extension. */
  toNumber?: string;
  linkId?: string | null;
}

export type MoOutcome =
  | { kind: 'mailed'; to: string; from: string }
  | { kind: 'replied'; to: string; from: string; alertId: number; via: 'extension' | 'recent' }
  | { kind: 'command'; command: SmsCommandName; result: string; replied: boolean }
  | { kind: 'help'; replied: boolean }
  | {
      kind: 'refused';
      reason: 'unbound' | 'empty' | 'not-offered' | 'no-sender' | 'no-answer';
      replied: boolean;
    };

export const REPLY_PURPOSE = 'mo-reply';

const UNBOUND_TEXT =
  '本号码未绑定邮箱，无法使用短信服务，请先在邮箱设置中绑定手机。This number is not bound to a mailbox.';
const EMPTY_TEXT =
  '邮件内容为空，未发送。格式：地址 内容。The mail text is empty; nothing was sent.';
const NO_SENDER_TEXT =
  '原邮件没有发件人地址，无法回复。The announced mail has no sender address to reply to.';
const NO_DOMAIN_TEXT = '此号码不受理邮箱注册。No mail domain takes registrations at this number.';

/**
 * Mobile-originated SMS (H4/H5). In order:
 * 1. An SMS to service number + an alert's extension, from the number the alert went
 *    to, replies to that alert: a mail to the announced mail's sender.
 * 2. From an unbound number only `register` may act, and only into an open domain;
 *    anything else gets a refusal.
 * 3. From a bound number: "address text" is a mail; account commands the user's domain
 *    allows are carried out and answered; another text shortly after an alert replies
 *    to it (the carrier dropped the extension); anything else gets the help SMS.
 * A command is only carried out when its answer can be sent (see reply()).
 */
export class MobileOriginated {
  constructor(
    private readonly phones: PhoneBindings,
    private readonly repo: NotifyRepository,
    private readonly sms: SmsSender,
    private readonly inject: MailInjector,
    private readonly commands: SmsCommands,
    private readonly replies: AlertReplies,
    private readonly commandsRepo: SmsCommandsRepository,
    private readonly opts: MobileOriginatedOptions,
    private readonly log: Logger,
    /** The service number (srcId) of a link, to read the extension of an MO's destination. */
    private readonly serviceNumberOf: (linkId: string) => string | null = () => null,
  ) {}

  async handle(mo: MoSms): Promise<MoOutcome> {
    const found = await this.phones.userOfNumber(mo.fromNumber);
    const user = found?.enabled ? found : null;
    const cmd = parseMoText(mo.text);

    if (user) {
      const number = canonicalPhone(mo.fromNumber);
      const extension = this.replies.extensionOf(
        mo.toNumber ?? '',
        mo.linkId ? this.serviceNumberOf(mo.linkId) : null,
      );
      const alert = extension ? await this.replies.byExtension(user, number, extension) : null;
      if (alert) return this.replyToAlert(mo, user, number, alert, 'extension');
      return this.fromBound(mo, user, number, cmd);
    }
    if (cmd.kind === 'register') return this.register(mo, found, cmd.name);
    this.log.info({ sms: mo.id, from: mo.fromNumber }, 'MO from an unbound number refused');
    const text = UNBOUND_TEXT + (found ? '' : await this.registrationHint(mo));
    return { kind: 'refused', reason: 'unbound', replied: await this.reply(mo, text) };
  }

  /** Where the number an SMS went to takes registrations, the refusal says how. */
  private async registrationHint(mo: MoSms): Promise<string> {
    const domain = await this.commands.registrationDomain(mo.toNumber ?? '');
    if (!domain?.enabled || domain.smsRegister !== 'open') return '';
    if (!allowedCommands(domain).includes('register')) return '';
    return ` 发送“ZC 名字”可注册 ${domain.name} 邮箱。Send "REG name" to register at ${domain.name}.`;
  }

  private async fromBound(
    mo: MoSms,
    user: UserEntity,
    number: string,
    cmd: MoCommand,
  ): Promise<MoOutcome> {
    switch (cmd.kind) {
      case 'mail':
        return this.mail(mo, user, number, cmd.to, cmd.body);
      case 'register':
        return this.answer(mo, 'register', this.commands.alreadyBound(user));
      case 'password':
      case 'cancel':
      case 'unread': {
        const domain = await this.commands.domainOf(user);
        if (!domain || !allowedCommands(domain).includes(cmd.kind)) {
          const name = domain?.name ?? user.address;
          return {
            kind: 'refused',
            reason: 'not-offered',
            replied: await this.reply(
              mo,
              `${name} 不提供此短信服务。This SMS service is not offered for ${name}.`,
            ),
          };
        }
        // The answer may carry a password or a code: no answer, no action.
        if (!(await this.canReply(mo)))
          return { kind: 'refused', reason: 'no-answer', replied: false };
        if (cmd.kind === 'password') {
          if (cmd.password) await this.commandsRepo.redactSms(mo.id, '[password change by SMS]');
          return this.answer(mo, 'password', await this.commands.password(user, cmd.password));
        }
        if (cmd.kind === 'cancel')
          return this.answer(mo, 'cancel', await this.commands.cancel(user, cmd.code));
        return this.answer(mo, 'unread', await this.commands.unread(user));
      }
      case 'help':
        return this.help(mo, user);
      case 'unknown': {
        const alert = await this.replies.recent(user, number);
        if (alert && mo.text.trim()) return this.replyToAlert(mo, user, number, alert, 'recent');
        return this.help(mo, user);
      }
    }
  }

  private async register(
    mo: MoSms,
    holder: UserEntity | null,
    name: string | null,
  ): Promise<MoOutcome> {
    if (holder) return this.answer(mo, 'register', this.commands.alreadyBound(holder));
    let number: string;
    try {
      number = canonicalPhone(mo.fromNumber);
    } catch {
      return { kind: 'refused', reason: 'unbound', replied: false };
    }
    const domain = await this.commands.registrationDomain(mo.toNumber ?? '');
    if (!domain || !domain.enabled)
      return {
        kind: 'refused',
        reason: 'not-offered',
        replied: await this.reply(mo, NO_DOMAIN_TEXT),
      };
    if (domain.smsRegister !== 'open' || !allowedCommands(domain).includes('register')) {
      this.log.info({ sms: mo.id, domain: domain.name }, 'SMS registration refused: domain closed');
      return {
        kind: 'refused',
        reason: 'not-offered',
        replied: await this.reply(
          mo,
          `${domain.name} 未开放短信注册。${domain.name} does not take registrations by SMS.`,
        ),
      };
    }
    // The answer carries the password: a registration nobody can learn it from is none.
    if (!(await this.canReply(mo))) return { kind: 'refused', reason: 'no-answer', replied: false };
    return this.answer(mo, 'register', await this.commands.register(number, name, domain));
  }

  private async help(mo: MoSms, user: UserEntity): Promise<MoOutcome> {
    const domain = await this.commands.domainOf(user);
    const commands = domain ? allowedCommands(domain).filter((c) => c !== 'register') : [];
    return { kind: 'help', replied: await this.reply(mo, helpText(commands)) };
  }

  private async mail(
    mo: MoSms,
    user: UserEntity,
    number: string,
    to: string,
    body: string,
  ): Promise<MoOutcome> {
    if (!body)
      return { kind: 'refused', reason: 'empty', replied: await this.reply(mo, EMPTY_TEXT) };
    const { from, raw } = await composeSmsMail({
      number,
      smsDomain: this.opts.smsDomain,
      owner: user.address,
      to,
      text: body,
      smsId: mo.id,
    });
    // Bounces go to the owner's mailbox: the phone's own address has no mailbox yet.
    await this.inject({ sender: user.address, recipient: to, raw, authUser: user.address });
    this.log.info({ sms: mo.id, user: user.address, to }, 'SMS turned into a mail');
    return { kind: 'mailed', to, from };
  }

  private async replyToAlert(
    mo: MoSms,
    user: UserEntity,
    number: string,
    alert: AlertEntity,
    via: 'extension' | 'recent',
  ): Promise<MoOutcome> {
    const text = mo.text.trim();
    if (!text)
      return { kind: 'refused', reason: 'empty', replied: await this.reply(mo, EMPTY_TEXT) };
    const sent = await this.replies.reply(alert, user, number, text, mo.id);
    if (!sent)
      return {
        kind: 'refused',
        reason: 'no-sender',
        replied: await this.reply(mo, NO_SENDER_TEXT),
      };
    return { kind: 'replied', to: sent.to, from: sent.from, alertId: alert.id, via };
  }

  private async answer(
    mo: MoSms,
    command: SmsCommandName,
    answer: CommandAnswer,
  ): Promise<MoOutcome> {
    this.log.info({ sms: mo.id, command, result: answer.result }, 'SMS command');
    return {
      kind: 'command',
      command,
      result: answer.result,
      replied: await this.reply(mo, answer.text),
    };
  }

  /** Whether this number may get another automatic answer this hour. */
  private async canReply(mo: MoSms): Promise<boolean> {
    let to: string;
    try {
      to = canonicalPhone(mo.fromNumber);
    } catch {
      return false; // an alphanumeric sender cannot be answered
    }
    const sent = await this.repo.smsSentTo(to, [REPLY_PURPOSE], Date.now() - 3_600_000);
    return sent < this.opts.repliesPerHour;
  }

  /**
   * Answers by SMS unless this number had its hourly share: two auto-responders (or a
   * carrier echo) must not ping-pong paid SMS forever.
   */
  private async reply(mo: MoSms, text: string): Promise<boolean> {
    if (!(await this.canReply(mo))) {
      this.log.warn(
        { sms: mo.id, from: mo.fromNumber },
        'no answer: this number had its answers for the hour',
      );
      return false;
    }
    await this.sms.send({ to: canonicalPhone(mo.fromNumber), text, purpose: REPLY_PURPOSE });
    return true;
  }
}
