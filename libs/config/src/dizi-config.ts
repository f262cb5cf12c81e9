import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** Roles one process can take; all of them by default (see ARCHITECTURE.md, R1). */
export const ALL_ROLES = ['smtp', 'submission', 'imap', 'pop3', 'web', 'worker'] as const;
export type DiziRole = (typeof ALL_ROLES)[number];

const PORT_MAX = 65535;

export class SmtpConfig {
  /** Listen address for every SMTP listener. */
  @IsString() listenHost = '0.0.0.0';
  /** MX: inbound mail for local domains, no AUTH. Production: 25. */
  @IsInt() @Min(0) @Max(PORT_MAX) port = 2525;
  /** Submission with STARTTLS and AUTH. Production: 587. */
  @IsInt() @Min(0) @Max(PORT_MAX) submissionPort = 2587;
  /** Submission over implicit TLS. Production: 465. */
  @IsInt() @Min(0) @Max(PORT_MAX) smtpsPort = 2465;
  @IsOptional() @IsString() banner?: string;
  @IsInt() @Min(1) maxRecipients = 16;
  @IsInt() @Min(1024) maxMessageBytes = 100 * 1024 * 1024;
  /** More Received headers than this is a mail loop (RFC 5321 6.3). */
  @IsInt() @Min(1) maxHops = 32;
  @IsInt() @Min(1) connectionsPerIpPerMinute = 32;
  @IsInt() @Min(1) connectionsPerIpAtOnce = 32;
  @IsInt() @Min(0) authFailureDelayMs = 2000;
  /** Failed AUTH attempts (per client IP and user) before a lock-out. */
  @IsInt() @Min(1) authLockoutAttempts = 5;
  @IsInt() @Min(1) authLockoutSeconds = 900;
  /** Networks (CIDR) that may relay without AUTH, e.g. an internal application server. */
  @IsArray() @IsString({ each: true }) relayNetworks: string[] = [];
  /** Idle time-out of a session. */
  @IsInt() @Min(1000) socketTimeoutMs = 5 * 60 * 1000;
  /**
   * Pause between accepting a connection and the `220` greeting; a client that talks
   * during it is refused ("You talk too soon"). 0 greets at once, like Postfix's smtpd.
   */
  @IsInt() @Min(0) @Max(60_000) greetingDelayMs = 0;
}

export class ImapConfig {
  @IsString() listenHost = '0.0.0.0';
  /** IMAP with STARTTLS. Production: 143. */
  @IsInt() @Min(0) @Max(PORT_MAX) port = 2143;
  /** IMAP over implicit TLS. Production: 993. */
  @IsInt() @Min(0) @Max(PORT_MAX) tlsPort = 2993;
  /** `* OK` keep-alives during IDLE so carrier NAT does not drop phones' push sessions. */
  @IsInt() @Min(10_000) idleKeepaliveMs = 120_000;
  @IsInt() @Min(0) failedLoginDelayMs = 2000;
  @IsInt() @Min(1) maxConnectionsPerIp = 50;
}

export class Pop3Config {
  @IsString() listenHost = '0.0.0.0';
  /** POP3 with STLS. Production: 110. */
  @IsInt() @Min(0) @Max(PORT_MAX) port = 2110;
  /** POP3 over implicit TLS. Production: 995. */
  @IsInt() @Min(0) @Max(PORT_MAX) tlsPort = 2995;
  @IsInt() @Min(0) failedLoginDelayMs = 2000;
  @IsInt() @Min(1) maxConnectionsPerIp = 50;
}

export class SmartHostConfig {
  @IsString() host!: string;
  @IsInt() @Min(1) @Max(PORT_MAX) port = 587;
  /** true: implicit TLS (465); false: STARTTLS when offered. */
  @IsBoolean() secure = false;
  @IsOptional() @IsString() user?: string;
  @IsOptional() @IsString() pass?: string;
}

export class DeliveryConfig {
  /** Concurrent outbound deliveries of this process (M2: 25 workers). */
  @IsInt() @Min(1) workers = 25;
  @IsInt() @Min(1) concurrencyPerDomain = 5;
  /** Seconds between tries of a deferred delivery. */
  @IsInt() @Min(1) retryIntervalSeconds = 480;
  @IsInt() @Min(1) maxAttempts = 16;
  @IsIn(['never', 'on-failure', 'always']) smartHostMode: 'never' | 'on-failure' | 'always' =
    'never';
  @IsOptional() @ValidateNested() @Type(() => SmartHostConfig) smartHost?: SmartHostConfig;
  /**
   * Static routes: destination domain (or `*`) to `host:port`, used before MX lookup.
   * Tests point a domain at a loopback receiver with it.
   */
  @IsObject() routes: Record<string, string> = {};
  @IsIn(['opportunistic', 'required']) tls: 'opportunistic' | 'required' = 'opportunistic';
  @IsInt() @Min(1000) connectTimeoutMs = 30_000;
  /** Language of bounces and notices: zh or en. */
  @IsIn(['zh', 'en']) noticeLanguage: 'zh' | 'en' = 'zh';
}

export class QuotaConfig {
  /** Default quota of a new user, in MB (0 = unlimited). */
  @IsInt() @Min(0) defaultUserQuotaMb = 1024;
  /** A warning mail is sent when free space falls under this many bytes (M5: 500 KB). */
  @IsInt() @Min(0) warningThresholdBytes = 500 * 1024;
}

export class TlsConfig {
  @IsOptional() @IsString() certFile?: string;
  @IsOptional() @IsString() keyFile?: string;
}

export class HttpConfig {
  @IsString() listenHost = '0.0.0.0';
  @IsInt() @Min(0) @Max(PORT_MAX) port = 8080;
  /** Bearer token for /api/admin, in addition to HTTP Basic with an admin account. */
  @IsOptional() @IsString() adminToken?: string;
}

/** Mobile mail services (issue 5): arrival alerts, phone binding, SMS to mail. */
export class NotifyConfig {
  /** Domain of the phones' own addresses (`<number>@<smsDomain>`); empty: `sms.<hostname>`. */
  @IsString()
  @Matches(/^([A-Za-z0-9.-]+)?$/, { message: 'smsDomain must be a DNS name' })
  smsDomain = '';
  /** IANA time zone for quiet hours, the daily cap's day and alert times; empty: the server's. */
  @IsString() timeZone = '';
  /** Alert SMS text with {from}, {time}, {subject}, {body}. */
  @IsString()
  @Matches(/\{(subject|body)\}/, { message: 'alertTemplate must contain {subject} or {body}' })
  alertTemplate = '{from} {time} [{subject}] {body}';
  /** Segments an alert may use (H2: one SMS, 70 Chinese / 160 GSM characters). */
  @IsInt() @Min(1) @Max(5) alertSegments = 1;
  /** GSM characters per single SMS: 160; 140 for links that send Latin text as 8-bit ASCII. */
  @IsInt() @Min(140) @Max(160) gsmCharsPerSegment = 160;
  /** Alerts a user gets a day when the rule sets no cap; alert storms stop here. */
  @IsInt() @Min(0) defaultDailyCap = 50;
  /** "HH:MM-HH:MM" without alerts when the rule sets none; empty: no quiet hours. */
  @IsString()
  @Matches(/^((([01]\d|2[0-3]):[0-5]\d)-(([01]\d|2[0-3]):[0-5]\d))?$/, {
    message: 'defaultQuietHours must be HH:MM-HH:MM or empty',
  })
  defaultQuietHours = '';
  /** Phone binding codes: lifetime, wrong tries before a lock, lock time, resend spacing. */
  @IsInt() @Min(60) codeTtlSeconds = 600;
  @IsInt() @Min(1) codeMaxAttempts = 5;
  @IsInt() @Min(1) codeLockSeconds = 900;
  @IsInt() @Min(0) codeResendSeconds = 60;
  /** Automatic SMS answers (help, refusals, command answers) to one number per hour. */
  @IsInt() @Min(0) repliesPerHour = 5;
  /**
   * Mail to `<number>@<smsDomain>` from anonymous MX clients (no AUTH) is refused unless
   * this is on: each such mail is a paid SMS, and an open mail-to-SMS gateway is the
   * first thing spammers look for. Submission (AUTH) and Dizi's own mails may always.
   */
  @IsBoolean() mailToSmsFromMx = false;
  /** Mail sent as SMS: text with {from}, {time}, {subject}, {body}. */
  @IsString()
  @Matches(/\{(subject|body)\}/, { message: 'mailToSmsTemplate must contain {subject} or {body}' })
  mailToSmsTemplate = '{from} [{subject}] {body}';
  /** Segments a mail sent as SMS may use (the rest of the body is cut). */
  @IsInt() @Min(1) @Max(10) mailToSmsSegments = 3;
  /**
   * SMS one user may send by mail a day (local day of `timeZone`); past it the mail
   * bounces (5.7.0) and nothing is sent. Each is a paid SMS, and a hijacked account or a
   * mail loop must not spend without end. 0: no cap.
   */
  @IsInt() @Min(0) mailToSmsDailyCap = 200;
  /** Send-time SMS notice (X-Dizi-Notify: sms): text with {from}, {time}, {subject}. */
  @IsString()
  @Matches(/\{(from|subject)\}/, { message: 'noticeTemplate must contain {from} or {subject}' })
  noticeTemplate = '{from} 给您发了邮件：{subject}';
  @IsInt() @Min(1) @Max(5) noticeSegments = 1;
  /** Send-time notices one mail may cause at most (a mail to a big group); 0: notices off. */
  @IsInt() @Min(0) noticeMaxPerMail = 10;
  /**
   * Domain an SMS "register" creates the mailbox in when no domain's `smsNumber` matches
   * the number it was sent to; empty: only those numbers register.
   */
  @IsString()
  @Matches(/^([A-Za-z0-9.-]+)?$/, { message: 'registerDomain must be a DNS name or empty' })
  registerDomain = '';
  /** How long the code of an SMS "cancel" is good for. */
  @IsInt() @Min(60) @Max(3600) cancelCodeTtlSeconds = 300;
  /** SMS the answer to "unread" may use. */
  @IsInt() @Min(1) @Max(5) unreadSegments = 2;
  /**
   * Alerts go out from service number + prefix + the last `replyExtensionDigits` digits
   * of the alert's number among the user's alerts; an MO to that number replies to it.
   * Digits 0: alerts carry no extension (replies then rely on replyWindowHours).
   */
  @IsString()
  @Matches(/^\d{0,4}$/, { message: 'replyExtensionPrefix must be up to 4 digits' })
  replyExtensionPrefix = '9';
  @IsInt() @Min(0) @Max(4) replyExtensionDigits = 3;
  /**
   * A text that is neither a command nor "address text", from a number that got an alert
   * this many hours ago or less, replies to the latest alert (carriers that drop the
   * extension). 0: such texts get the help SMS.
   */
  @IsInt() @Min(0) @Max(720) replyWindowHours = 24;
  /** Admins' mobile numbers for admin alerts by SMS (H15); empty: off. */
  @IsArray()
  @Matches(/^\+?\d{5,20}$/, { each: true, message: 'adminPhones must be phone numbers' })
  adminPhones: string[] = [];
  /** The same admin alert is not repeated within this time. */
  @IsInt() @Min(1) adminAlertCooldownSeconds = 1800;
  @IsInt() @Min(1) adminAlertCheckSeconds = 60;
  /** Outbound recipients waiting before the queue counts as backed up. */
  @IsInt() @Min(1) adminAlertQueueBacklog = 1000;
  /** Free MB on the data folder's disk below which admins are told. */
  @IsInt() @Min(0) adminAlertDiskFreeMb = 500;
  /** A link must be down this long before admins are told (reconnects are normal). */
  @IsInt() @Min(0) adminAlertLinkDownSeconds = 60;
  /** How often the worker looks for due SMS reminders (H7); each is queued ahead of time. */
  @IsInt() @Min(1) @Max(3600) reminderCheckSeconds = 30;
  /**
   * How often the worker decides deliveries a stopped process left undecided (the
   * alert catch-up; it also runs at start).
   */
  @IsInt() @Min(5) @Max(3600) alertCatchUpSeconds = 60;
  /** Undecided deliveries older than this are never alerted (a late alert helps nobody). */
  @IsInt() @Min(1) @Max(1440) alertCatchUpMaxAgeMinutes = 30;
  /** The folder SMS favourites go into (H6), created on first use; empty: off. */
  @IsString()
  @Matches(/^([^\s/*%"\\][^/*%"\\]*[^\s/*%"\\]|[^\s/*%"\\])?$/, {
    message: 'smsFolder must be a folder name without / * % " \\ (or empty)',
  })
  smsFolder = 'SMS';
  /** Outbound SMS purposes that count as sent by the user and go into their SMS folder. */
  @IsArray()
  @Matches(/^[a-z0-9-]{1,20}$/, { each: true, message: 'smsFolderPurposes are purpose names' })
  smsFolderPurposes: string[] = ['api', 'cli', 'compose', 'mail2sms'];
}

/** Usage records and billing (H16, issue 5). */
export class UsageConfig {
  /** IANA zone of the billing day (storage records, date-only periods); empty: notify.timeZone. */
  @IsString() timeZone = '';
  /** Plan of users who have none and whose domain has none; empty: such usage is not priced. */
  @IsString() defaultPlan = '';
  /** Records are buffered and written at least this often (what a crash can lose, see docs). */
  @IsInt() @Min(50) @Max(60_000) flushIntervalMs = 1000;
}

/** SMS links (issue 4): how changes made through the admin API reach the running links. */
export class SmsConfig {
  /**
   * Seconds between re-reads of the links stored through the admin API. Changes are
   * announced on Redis at once; this only catches a missed announcement.
   */
  @IsInt() @Min(1) linkReloadSeconds = 30;
  /** Seconds a removed or changed link may finish the SMS it has under way before it stops. */
  @IsInt() @Min(0) linkDrainSeconds = 30;
}

export class LogConfig {
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) level = 'info';
}

/**
 * The whole configuration of a Dizi process: defaults < config file (DIZI_CONFIG) <
 * environment. Validated once at start; see docs/configuration.md.
 */
export class DiziConfig {
  @IsString() dataDir = './data';
  @IsString()
  @Matches(/^[A-Za-z0-9.-]+$/, { message: 'hostname must be a DNS name' })
  hostname = 'localhost';
  /** Empty: the embedded SQLite file `<dataDir>/dizi.sqlite`. */
  @IsString() databaseUrl = '';
  /** Empty: a private redis-server started and supervised by Dizi on a unix socket. */
  @IsString() redisUrl = '';
  @IsArray() @IsIn(ALL_ROLES, { each: true }) roles: DiziRole[] = [...ALL_ROLES];
  /** Directory of editable notice templates; empty: the built-in ones. */
  @IsString() templatesDir = '';
  @ValidateNested() @Type(() => SmtpConfig) smtp = new SmtpConfig();
  @ValidateNested() @Type(() => ImapConfig) imap = new ImapConfig();
  @ValidateNested() @Type(() => Pop3Config) pop3 = new Pop3Config();
  @ValidateNested() @Type(() => DeliveryConfig) delivery = new DeliveryConfig();
  @ValidateNested() @Type(() => QuotaConfig) quota = new QuotaConfig();
  @ValidateNested() @Type(() => TlsConfig) tls = new TlsConfig();
  @ValidateNested() @Type(() => HttpConfig) http = new HttpConfig();
  @ValidateNested() @Type(() => LogConfig) log = new LogConfig();
  @ValidateNested() @Type(() => NotifyConfig) notify = new NotifyConfig();
  @ValidateNested() @Type(() => UsageConfig) usage = new UsageConfig();
  @ValidateNested() @Type(() => SmsConfig) sms = new SmsConfig();
  /** SMS and other gateway links (issue 4), kept as data here and validated by each gateway. */
  @IsArray() links: Record<string, unknown>[] = [];
}
