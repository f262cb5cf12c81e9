import type { Logger } from 'pino';
import { GroupCommit } from '@dizi/sms';
import { DirectoryRepository, NotifyRepository, SmsFacts } from '@dizi/store';
import { alertHistory, AlertHistoryEntry } from './alert-history';
import { AlertRuleBook } from './alert-rule-book';
import { ArrivalAlerts } from './arrival-alerts';
import { DomainAlertSettings } from './domain-alert-settings';
import { MobileOriginated } from './mobile-originated';
import type { FolderWriter, MailInjector, MessageReader, SmsSender } from './notify-ports';
import { PhoneBindings } from './phone-bindings';
import { SmsFolder } from './sms-folder';

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
  alertCatchUpSeconds: number;
  alertCatchUpMaxAgeMinutes: number;
  smsFolder: string;
  smsFolderPurposes: string[];
}

export interface NotifyDeps {
  repo: NotifyRepository;
  users: DirectoryRepository;
  messages: MessageReader;
  sms: SmsSender;
  inject: MailInjector;
  /** Where SMS favourites are written; absent: no SMS folder (the CLI). */
  folders?: FolderWriter;
  settings: NotifySettings;
  log: Logger;
}

/** Mobile mail services (issue 5), built once by the app: bindings, rules, alerts, MO. */
export class Notify {
  readonly phones: PhoneBindings;
  readonly rules: AlertRuleBook;
  readonly alerts: ArrivalAlerts;
  readonly mo: MobileOriginated;
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
        catchUpMaxAgeMs: s.alertCatchUpMaxAgeMinutes * 60_000,
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
