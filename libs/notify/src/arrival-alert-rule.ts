import type { AlertRuleEntity } from '@dizi/store';
import type { AlertMail } from './alert-mail';
import { inQuietHours, LocalTime, parseClock } from './local-time';

/** Defaults for what a rule leaves open (from the `notify` configuration). */
export interface RuleDefaults {
  dailyCap: number;
  /** "HH:MM" or '' for none. */
  quietStart: string;
  quietEnd: string;
}

/** A delivered message as the rule engine sees it. */
export interface DeliveredMail {
  mail: AlertMail;
  /** The folder the copy went into (INBOX until user filters file mail elsewhere). */
  folder: string;
  /** The copy's IMAP flags and keywords (a scanner may mark it, see JUNK_FLAGS). */
  flags?: readonly string[];
}

/**
 * Folders whose mail never alerts: spam (Junk, Spam) and infected mail (Virus). There is
 * no virus scanner yet; the one to come files infected mail into `Virus` or marks the
 * copy with the `$Virus` keyword, and either keeps it from alerting.
 */
export const JUNK_FOLDERS: readonly string[] = ['junk', 'spam', 'virus'];
/** Keywords a filter sets on a copy it judged spam or infected (lower-cased). */
export const JUNK_FLAGS: readonly string[] = ['$junk', '$virus', '$infected'];

/** Spam or virus mail: marked in its headers, filed into a junk folder, or flagged so. */
export function isJunkDelivery(delivered: DeliveredMail): boolean {
  if (delivered.mail.junk) return true;
  if (JUNK_FOLDERS.includes(delivered.folder.toLowerCase())) return true;
  return (delivered.flags ?? []).some((f) => JUNK_FLAGS.includes(f.toLowerCase()));
}

export type AlertDecision =
  | { kind: 'none'; reason: 'junk' | 'no-rule' }
  | { kind: 'quiet'; rule: ArrivalAlertRule }
  | { kind: 'alert'; rule: ArrivalAlertRule; dailyCap: number };

/**
 * One arrival alert rule (H2) as logic: every condition it sets must hold; a condition
 * it leaves empty holds for any mail. Senders match the From address exactly, or its
 * domain when given as `@domain` (or `domain`); keywords match case-insensitively in
 * the subject or the decoded body.
 */
export class ArrivalAlertRule {
  readonly senders: string[];
  readonly keywords: string[];

  constructor(
    readonly row: AlertRuleEntity,
    private readonly defaults: RuleDefaults,
  ) {
    this.senders = splitList(row.senders).map((s) => s.toLowerCase());
    this.keywords = splitList(row.keywords).map((k) => k.toLowerCase());
  }

  get id(): number {
    return this.row.id;
  }

  get dailyCap(): number {
    return this.row.dailyCap ?? this.defaults.dailyCap;
  }

  matches({ mail, folder }: DeliveredMail): boolean {
    if (!this.row.enabled) return false;
    if (this.row.highPriority && mail.priority !== 'high') return false;
    if (this.row.folder && this.row.folder.toLowerCase() !== folder.toLowerCase()) return false;
    if (this.senders.length && !this.senders.some((s) => senderMatches(s, mail.fromAddress)))
      return false;
    if (this.keywords.length) {
      const hay = `${mail.subject}\n${mail.body}`.toLowerCase();
      if (!this.keywords.some((k) => hay.includes(k))) return false;
    }
    return true;
  }

  /** Quiet hours of the rule, or the default ones when it names none. */
  isQuiet(at: LocalTime): boolean {
    const start = parseClock(this.row.quietStart ?? this.defaults.quietStart);
    const end = parseClock(this.row.quietEnd ?? this.defaults.quietEnd);
    return start !== null && end !== null && inQuietHours(at.minuteOfDay, start, end);
  }
}

/**
 * Decides whether a delivered mail alerts: junk (spam or virus, see isJunkDelivery) never does; otherwise the first enabled
 * rule (oldest first) that matches decides, and its quiet hours may hold the alert back.
 * The daily cap is not checked here: it needs the shared counter (see ArrivalAlerts).
 */
export function decideAlert(
  rules: readonly ArrivalAlertRule[],
  delivered: DeliveredMail,
  at: LocalTime,
): AlertDecision {
  if (isJunkDelivery(delivered)) return { kind: 'none', reason: 'junk' };
  const rule = rules.find((r) => r.matches(delivered));
  if (!rule) return { kind: 'none', reason: 'no-rule' };
  if (rule.isQuiet(at)) return { kind: 'quiet', rule };
  return { kind: 'alert', rule, dailyCap: rule.dailyCap };
}

export function splitList(s: string): string[] {
  return s
    .split(/[\n,;]/)
    .map((x) => x.trim())
    .filter(Boolean);
}

function senderMatches(pattern: string, address: string): boolean {
  if (!address) return false;
  if (pattern.includes('@') && !pattern.startsWith('@')) return pattern === address;
  const domain = pattern.replace(/^@/, '');
  const at = address.slice(address.lastIndexOf('@') + 1);
  return at === domain || at.endsWith(`.${domain}`);
}
