import type { Logger } from 'pino';
import { DirectoryService } from '@dizi/directory';
import { GroupCommit } from '@dizi/sms';
import {
  ContactsRepository,
  DirectoryRepository,
  MailSmsRepository,
  NotifyRepository,
  ReminderRepository,
  SmsCommandsRepository,
  SmsFacts,
} from '@dizi/store';
import { alertHistory, AlertHistoryEntry } from './alert-history';
import { AlertReplies } from './alert-replies';
import { AlertRuleBook } from './alert-rule-book';
import { ArrivalAlerts } from './arrival-alerts';
import { ContactBook } from './contact-book';
import { DomainAlertSettings } from './domain-alert-settings';
import { MailToSms } from './mail-to-sms';
import { MobileOriginated } from './mobile-originated';
import type {
  FolderWriter,
  MailBouncer,
  MailInjector,
  MessageReader,
  SmsSender,
} from './notify-ports';
import { PhoneBindings } from './phone-bindings';
import { Reminders, ScheduledSmsSender } from './reminders';
import { SendTimeNotice } from './send-time-notice';
import { SmsCommands } from './sms-commands';
import { SmsFolder } from './sms-folder';
import { UserMail } from './user-mail';

/** The `notify` settings this module uses (libs/config NotifyConfig fits). */
export interface NotifySettings {
  smsDomain: string;
  timeZone: string;
  alertTemplate: string;
  alertSegments: number;
  gsmCharsPerSegment: number;
  defaultDailyCap: number;
  defaultQuietHours: string;
  codeTtlSeconds: number;
  codeMaxAttempts: number;
  codeLockSeconds: number;
  codeResendSeconds: number;
  repliesPerHour: number;
  reminderCheckSeconds: number;
  mailToSmsFromMx: boolean;
  mailToSmsTemplate: string;
  mailToSmsSegments: number;
  mailToSmsDailyCap: number;
  noticeTemplate: string;
  noticeSegments: number;
  noticeMaxPerMail: number;
  registerDomain: string;
  cancelCodeTtlSeconds: number;
  unreadSegments: number;
  replyExtensionPrefix: string;
  replyExtensionDigits: number;
  replyWindowHours: number;
  alertCatchUpSeconds: number;
  alertCatchUpMaxAgeMinutes: number;
  smsFolder: string;
  smsFolderPurposes: string[];
}

export interface NotifyDeps {
  repo: NotifyRepository;
  users: DirectoryRepository;
  /** Creates mailboxes and sets passwords with the CLI/API's rules (SMS commands). */
  directory: DirectoryService;
  commands: SmsCommandsRepository;
  /** The service number (srcId) of an SMS link: replies to alerts come to it + extension. */
  serviceNumberOf?: (linkId: string) => string | null;
  messages: MessageReader;
  sms: SmsSender;
  /** Scheduled SMS and cancelling them (reminders); the SMS service fits both. */
  scheduledSms: ScheduledSmsSender;
  reminderRepo: ReminderRepository;
  inject: MailInjector;
  /** Where SMS favourites are written; absent: no SMS folder (the CLI). */
  folders?: FolderWriter;
  settings: NotifySettings;
  log: Logger;
  /** Address books and the SMS sent because of a mail (H3, H5). */
  contacts: ContactsRepository;
  mailSms: MailSmsRepository;
  /** DSNs for mail sent as SMS whose SMS failed for good. */
  bounce: MailBouncer;
}

/** Mobile mail services (issue 5), built once by the app: bindings, rules, alerts, MO. */
export class Notify {
  readonly phones: PhoneBindings;
  readonly rules: AlertRuleBook;
  readonly alerts: ArrivalAlerts;
  readonly mo: MobileOriginated;
  readonly reminders: Reminders;
  readonly contacts: ContactBook;
  readonly mailToSms: MailToSms;
  readonly notices: SendTimeNotice;
  readonly mail: UserMail;
  readonly replies: AlertReplies;
  readonly commands: SmsCommands;
  readonly domainSettings: DomainAlertSettings;
  readonly smsFolder: SmsFolder;
  private readonly followers = new Set<Promise<unknown>>();
  /** SMS rows read in batches: one query for the SMS a burst submitted, not one each. */
  private readonly facts = new GroupCommit<string, SmsFacts | undefined>(async (ids) => {
    const found = new Map((await this.deps.repo.smsFacts(ids)).map((r) => [r.id, r]));
    return ids.map((id) => found.get(id));
  });

  constructor(readonly deps: NotifyDeps) {
    const s = deps.settings;
    this.domainSettings = new DomainAlertSettings(deps.repo, deps.users, {
      template: s.alertTemplate,
      segments: s.alertSegments,
    });
    this.phones = new PhoneBindings(deps.repo, deps.users, deps.sms, s, deps.log);
    this.rules = new AlertRuleBook(deps.repo, deps.users);
    const [quietStart = '', quietEnd = ''] = s.defaultQuietHours
      ? s.defaultQuietHours.split('-')
      : [];
    this.replies = new AlertReplies(
      deps.commands,
      deps.inject,
      {
        smsDomain: s.smsDomain,
        extensionPrefix: s.replyExtensionPrefix,
        extensionDigits: s.replyExtensionDigits,
        windowHours: s.replyWindowHours,
      },
      deps.log.child({ component: 'sms-replies' }),
    );
    this.commands = new SmsCommands(
      deps.directory,
      deps.users,
      deps.repo,
      deps.commands,
      {
        registerDomain: s.registerDomain,
        cancelCodeTtlSeconds: s.cancelCodeTtlSeconds,
        codeMaxAttempts: s.codeMaxAttempts,
        codeLockSeconds: s.codeLockSeconds,
        codeResendSeconds: s.codeResendSeconds,
        unreadSegments: s.unreadSegments,
        gsmCharsPerSegment: s.gsmCharsPerSegment,
      },
      deps.log.child({ component: 'sms-commands' }),
    );
    this.alerts = new ArrivalAlerts(
      deps.repo,
      deps.messages,
      deps.sms,
      {
        timeZone: s.timeZone,
        template: s.alertTemplate,
        segments: s.alertSegments,
        gsmPerSegment: s.gsmCharsPerSegment,
        defaults: { dailyCap: s.defaultDailyCap, quietStart, quietEnd },
        replyExtension: (alertId, userId) => this.replies.assign(alertId, userId),
        catchUpMaxAgeMs: s.alertCatchUpMaxAgeMinutes * 60_000,
      },
      deps.log.child({ component: 'alerts' }),
    );
    this.mo = new MobileOriginated(
      this.phones,
      deps.repo,
      deps.sms,
      deps.inject,
      this.commands,
      this.replies,
      deps.commands,
      { smsDomain: s.smsDomain, repliesPerHour: s.repliesPerHour },
      deps.log.child({ component: 'sms-mo' }),
      deps.serviceNumberOf,
    );
    this.reminders = new Reminders(
      deps.reminderRepo,
      deps.repo,
      deps.users,
      deps.scheduledSms,
      { timeZone: s.timeZone, checkSeconds: s.reminderCheckSeconds },
      deps.log.child({ component: 'reminders' }),
    );
    this.contacts = new ContactBook(deps.contacts, deps.users);
    this.mailToSms = new MailToSms(
      deps.mailSms,
      deps.users,
      deps.sms,
      deps.bounce,
      {
        smsDomain: s.smsDomain,
        fromMx: s.mailToSmsFromMx,
        template: s.mailToSmsTemplate,
        segments: s.mailToSmsSegments,
        dailyCap: s.mailToSmsDailyCap,
        gsmPerSegment: s.gsmCharsPerSegment,
        timeZone: s.timeZone,
      },
      deps.log.child({ component: 'mail-to-sms' }),
    );
    this.notices = new SendTimeNotice(
      deps.contacts,
      deps.users,
      deps.mailSms,
      deps.sms,
      {
        template: s.noticeTemplate,
        segments: s.noticeSegments,
        gsmPerSegment: s.gsmCharsPerSegment,
        timeZone: s.timeZone,
        maxPerMail: s.noticeMaxPerMail,
      },
      deps.log.child({ component: 'sms-notice' }),
    );
    this.mail = new UserMail(deps.users, deps.inject, deps.log.child({ component: 'api-mail' }));
    this.smsFolder = new SmsFolder(
      deps.repo,
      deps.users,
      deps.folders ?? null,
      { folder: s.smsFolder, purposes: s.smsFolderPurposes, smsDomain: s.smsDomain },
      deps.log.child({ component: 'sms-folder' }),
    );
  }

  /**
   * An outbound SMS changed status (SmsService.onOutbound): its alert follows; once a
   * link took it, it is kept in the SMS folders it belongs to.
   */
  smsChanged(change: { id: string; status: string }): void {
    this.alerts.smsChange(change.id);
    if (change.status !== 'submitted' || !this.smsFolder.enabled) return;
    this.track(
      this.facts.submit(change.id).then(async (row) => {
        if (row) await this.smsFolder.outbound(row);
      }),
    );
  }

  /** An MO SMS arrived: kept in the SMS folder of the user whose phone sent it. */
  smsReceived(row: { id: string }): Promise<void> {
    if (!this.smsFolder.enabled) return Promise.resolve();
    return this.track(
      this.deps.repo.smsFacts([row.id]).then(async ([r]) => {
        if (r) await this.smsFolder.inbound(r);
      }),
    );
  }

  /** Waits for the SMS folder writes under way (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.followers.size) await Promise.all([...this.followers]);
  }

  private track(p: Promise<unknown>): Promise<void> {
    const done: Promise<void> = p
      .then(() => undefined)
      .catch((err: Error) => this.deps.log.warn({ err }, 'SMS folder write failed'))
      .finally(() => this.followers.delete(done));
    this.followers.add(done);
    return done;
  }

  /** Lists alerts a user got, newest first, each with the time of every state (admin API). */
  history(address: string, limit = 50): Promise<AlertHistoryEntry[]> {
    return alertHistory(this.deps.repo, this.deps.users, address, limit);
  }
}
