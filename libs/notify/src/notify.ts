import type { Logger } from 'pino';
import { DiziError } from '@dizi/errors';
import { DirectoryRepository, NotifyRepository, ReminderRepository } from '@dizi/store';
import { AlertRuleBook } from './alert-rule-book';
import { ArrivalAlerts } from './arrival-alerts';
import { MobileOriginated } from './mobile-originated';
import type { MailInjector, MessageReader, SmsSender } from './notify-ports';
import { PhoneBindings } from './phone-bindings';
import { Reminders, ScheduledSmsSender } from './reminders';

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
}

export interface NotifyDeps {
  repo: NotifyRepository;
  users: DirectoryRepository;
  messages: MessageReader;
  sms: SmsSender;
  /** Scheduled SMS and cancelling them (reminders); the SMS service fits both. */
  scheduledSms: ScheduledSmsSender;
  reminderRepo: ReminderRepository;
  inject: MailInjector;
  settings: NotifySettings;
  log: Logger;
}

/** Mobile mail services (issue 5), built once by the app: bindings, rules, alerts, MO. */
export class Notify {
  readonly phones: PhoneBindings;
  readonly rules: AlertRuleBook;
  readonly alerts: ArrivalAlerts;
  readonly mo: MobileOriginated;
  readonly reminders: Reminders;

  constructor(readonly deps: NotifyDeps) {
    const s = deps.settings;
    this.phones = new PhoneBindings(deps.repo, deps.users, deps.sms, s, deps.log);
    this.rules = new AlertRuleBook(deps.repo, deps.users);
    const [quietStart = '', quietEnd = ''] = s.defaultQuietHours
      ? s.defaultQuietHours.split('-')
      : [];
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
      },
      deps.log.child({ component: 'alerts' }),
    );
    this.mo = new MobileOriginated(
      this.phones,
      deps.repo,
      deps.sms,
      deps.inject,
      { smsDomain: s.smsDomain, repliesPerHour: s.repliesPerHour },
      deps.log.child({ component: 'sms-mo' }),
    );
    this.reminders = new Reminders(
      deps.reminderRepo,
      deps.repo,
      deps.users,
      deps.scheduledSms,
      { timeZone: s.timeZone, checkSeconds: s.reminderCheckSeconds },
      deps.log.child({ component: 'reminders' }),
    );
  }

  /** Lists alerts a user got, newest first (admin API). */
  async history(address: string, limit = 50) {
    const user = await this.deps.users.findUser(address.trim().toLowerCase());
    if (!user) throw new DiziError('not-found', `no user ${address}`, 'address');
    return (await this.deps.repo.alerts(user.id, limit)).map((a) => ({
      id: a.id,
      ruleId: a.ruleId,
      state: a.state,
      text: a.text,
      from: a.fromAddress,
      smsId: a.smsId,
      error: a.error,
      createdAt: new Date(a.createdAt).toISOString(),
    }));
  }
}
