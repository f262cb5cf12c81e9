import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ConnectionOptions } from 'bullmq';
import { DiziConfig } from '@dizi/config';
import { DirectoryService, RecipientResolver } from '@dizi/directory';
import { ImapServer } from '@dizi/imap';
import { Pop3Server } from '@dizi/pop3';
import { LinkAdmin, SmsLinks, SmsService } from '@dizi/sms';
import { AdminAlerts, ALERT_READ_LIMIT, Notify } from '@dizi/notify';
import { Billing } from '@dizi/billing';
import Redis from 'ioredis';
import { hostname as osHostname } from 'node:os';
import { SMS_GATEWAYS } from '@dizi/sms-gateways';
import { FolderAppender, MailboxEvents, StoreAuthenticator } from '@dizi/mailbox';
import { NoticeTemplates, readHeaderBlock } from '@dizi/mail';
import type { Logger } from '@dizi/logging';
import { redisOptions, RedisSupervisor } from '@dizi/queue';
import {
  AuthGuard,
  ConnectionLimiter,
  dsnRecipientFromResult,
  localFailure,
  ListenerMode,
  MxResolver,
  OutboundDelivery,
  SmtpDeliveryClient,
  SmtpListener,
  Spool,
  SpoolProcessor,
  SystemNotices,
} from '@dizi/smtp';
import {
  ContactsRepository,
  Database,
  DirectoryRepository,
  FsBlobStore,
  MailboxRepository,
  MailSmsRepository,
  NotifyRepository,
  openDataSource,
  OutboundQueueRepository,
  ReminderRepository,
  SmsCommandsRepository,
  SmsLinkRepository,
  SmsRepository,
  UsageRepository,
} from '@dizi/store';
import { loadTlsMaterial } from './tls-material';
import { mailBouncer, mobileMailHooks } from './mobile-mail-hooks';

/** The first `limit` bytes of a stored message: an alert needs the head, not attachments. */
async function readHead(blobs: FsBlobStore, id: string, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of blobs.stream(id, { start: 0, end: limit - 1 }))
    chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The service number a link sends from (its srcId), or null (modems, alphanumeric senders). */
function serviceNumberOf(config: DiziConfig, linkId: string): string | null {
  const link = config.links.find((l) => String(l.id) === linkId);
  return typeof link?.srcId === 'string' && /^\+?\d+$/.test(link.srcId) ? link.srcId : null;
}

const ACCESS_LISTENERS = ['imap', 'imaps', 'pop3', 'pop3s'] as const;
type AccessListener = (typeof ACCESS_LISTENERS)[number];
const isAccessListener = (s: string): s is AccessListener =>
  (ACCESS_LISTENERS as readonly string[]).includes(s);

/** Everything a role needs, built once per process (the composition root). */
export interface DiziServices {
  config: DiziConfig;
  log: Logger;
  db: Database;
  blobs: FsBlobStore;
  directoryRepo: DirectoryRepository;
  mailboxes: MailboxRepository;
  outboundRepo: OutboundQueueRepository;
  directory: DirectoryService;
  resolver: RecipientResolver;
  spool: Spool;
  processor: SpoolProcessor;
  outbound: OutboundDelivery;
  notices: SystemNotices;
  events: MailboxEvents;
  sms: SmsService;
  smsLinks: SmsLinks;
  /** Links configured through the admin API (REST, `dizi link`). */
  linkAdmin: LinkAdmin;
  notify: Notify;
  adminAlerts: AdminAlerts;
  billing: Billing;
}

/**
 * One Dizi process: opens storage and Redis, then starts the roles named in config
 * (smtp, submission, web, worker). `stop()` closes listeners first, finishes the
 * messages in hand, then closes storage.
 */
export class DiziRuntime {
  private readonly listeners = new Map<ListenerMode, SmtpListener>();
  private readonly accessServers = new Map<
    AccessListener,
    { server: ImapServer | Pop3Server; port: number }
  >();
  private httpClose: (() => Promise<void>) | null = null;
  private httpPort = 0;

  private constructor(
    readonly services: DiziServices,
    private readonly redis: RedisSupervisor | null,
    /** The Redis this process uses (the private one's unix socket, or REDIS_URL). */
    readonly redisUrl: string,
    private readonly adminAlertsRedis: Redis,
  ) {}

  static async start(
    config: DiziConfig,
    log: Logger,
    startHttp?: (s: DiziServices) => Promise<{ port: number; close: () => Promise<void> }>,
  ): Promise<DiziRuntime> {
    mkdirSync(config.dataDir, { recursive: true });
    const db = new Database(
      await openDataSource({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }),
    );
    let supervisor: RedisSupervisor | null = null;
    let redisUrl = config.redisUrl;
    if (!redisUrl) {
      supervisor = new RedisSupervisor(config.dataDir, log.child({ component: 'redis' }), () => {
        void runtime?.services.outbound.reconcile().catch(() => undefined);
        void runtime?.services.sms.reconcile().catch(() => undefined);
        void runtime?.services.adminAlerts
          .crashed('the private redis-server', 'queues were re-created from SQL')
          .catch(() => undefined);
      });
      await supervisor.start();
      redisUrl = supervisor.url();
    }
    const blobs = new FsBlobStore(path.join(config.dataDir, 'blobs'));
    const directoryRepo = new DirectoryRepository(db);
    const mailboxes = new MailboxRepository(db);
    const outboundRepo = new OutboundQueueRepository(db);
    const directory = new DirectoryService(
      directoryRepo,
      { userQuotaMb: config.quota.defaultUserQuotaMb },
      async (ids) => {
        for (const id of ids) await blobs.delete(id);
      },
    );
    const resolver = new RecipientResolver(directoryRepo);
    const events = new MailboxEvents(
      redisOptions(redisUrl),
      log.child({ component: 'mailbox-events' }),
    );
    const adminAlertsRedis = new Redis(redisOptions(redisUrl));
    const smsLinkRepo = new SmsLinkRepository(db);
    const smsLinks = new SmsLinks(
      SmsLinks.registry(SMS_GATEWAYS),
      config.links,
      new Redis(redisOptions(redisUrl)),
      log.child({ component: 'sms-links' }),
      `${osHostname()}:${process.pid}`,
      {
        stored: smsLinkRepo,
        reloadMs: config.sms.linkReloadSeconds * 1000,
        drainMs: config.sms.linkDrainSeconds * 1000,
      },
    );
    const linkAdmin = new LinkAdmin({
      registry: smsLinks.registry,
      configLinks: config.links,
      store: smsLinkRepo,
      announce: (id) => smsLinks.announce(id),
      health: () => smsLinks.allHealth(),
      onAnnounceFailed: (id, err) =>
        log.warn(
          { err, link: id },
          'link change not announced; worker nodes see it at their next re-read',
        ),
    });
    const sms = new SmsService(
      new SmsRepository(db),
      redisOptions(redisUrl) as ConnectionOptions,
      log.child({ component: 'sms' }),
    );
    // Usage records (H16): the hooks below only hand acts to the recorder's buffer.
    const billing = new Billing(
      new UsageRepository(db),
      directoryRepo,
      config.usage,
      log.child({ component: 'usage' }),
    );
    sms.onSubmitted((s) => billing.recorder.smsSubmitted(s));
    const spool = new Spool(config.dataDir, (err, what) =>
      log.child({ component: 'spool' }).error({ err }, what),
    );
    await spool.init();

    // notices -> processor -> notices: the closure below reads `processor` only once it is set.
    const notices = new SystemNotices(
      spool,
      new NoticeTemplates({ directory: config.templatesDir || undefined }),
      config.hostname,
      config.delivery.noticeLanguage,
      (e) => processor.submit(e),
      log.child({ component: 'notices' }),
    );
    const outbound = new OutboundDelivery(
      redisOptions(redisUrl) as ConnectionOptions,
      outboundRepo,
      blobs,
      new SmtpDeliveryClient(new MxResolver({ routes: config.delivery.routes })),
      config.delivery,
      config.hostname,
      {
        failed: async (entry, results) => {
          const headers = await readHeaderBlock(blobs.localPath(entry.message.blobId)).catch(() =>
            Buffer.alloc(0),
          );
          await notices.bounce(
            entry.message.sender,
            new Date(entry.message.createdAt),
            entry.message.envId,
            headers,
            results.map((r) => dsnRecipientFromResult(r, new Date())),
          );
        },
      },
      log.child({ component: 'outbound' }),
    );
    const processor: SpoolProcessor = new SpoolProcessor(
      spool,
      resolver,
      mailboxes,
      outboundRepo,
      blobs,
      {
        scheduleOutbound: (id, domains) => outbound.schedule(id, domains),
        bounce: async (entry, failed) => {
          const raw = await readHeaderBlock(entry.messageFile);
          await notices.bounce(
            entry.envelope.sender,
            new Date(entry.envelope.receivedAt),
            entry.envelope.envId,
            raw,
            failed.map(localFailure),
          );
        },
        delivered: (o, entry) => {
          events.publish(o.userId, { folder: 'INBOX', kind: 'added' });
          billing.recorder.delivered(o.userId, entry);
          notify.alerts.delivered({
            userId: o.userId,
            messageId: o.messageId,
            blobId: entry.id,
            folder: 'INBOX',
            receivedAt: entry.envelope.receivedAt,
          });
        },
        quotaLow: async (userId, used, quota) => {
          const user = await directoryRepo.findUserById(userId);
          if (!user || user.quotaWarned) return;
          await directoryRepo.updateUser(userId, { quotaWarned: true });
          await notices.quotaWarning(user.address, user.displayName, used, quota);
        },
        ...mobileMailHooks(() => notify),
      },
      log.child({ component: 'spool' }),
      config.quota.warningThresholdBytes,
    );
    // Mobile mail services: alerts read the stored copy; MO mails enter the spool like
    // any other mail (relay rights come from the bound mailbox, not from an IP).
    const notify: Notify = new Notify({
      repo: new NotifyRepository(db),
      users: directoryRepo,
      directory,
      commands: new SmsCommandsRepository(db),
      serviceNumberOf: (linkId) => serviceNumberOf(config, linkId),
      messages: { read: (id) => readHead(blobs, id, ALERT_READ_LIMIT) },
      sms,
      scheduledSms: sms,
      reminderRepo: new ReminderRepository(db),
      inject: async (m) => {
        const entry = await spool.put(m.raw, {
          sender: m.sender,
          recipients: [m.recipient, ...(m.moreRecipients ?? [])].map((address) => ({ address })),
          authUser: m.authUser,
          notifySms: m.notifySms,
          clientIp: '127.0.0.1',
          helo: 'localhost',
          receivedAt: Date.now(),
          via: 'internal',
        });
        processor.submit(entry);
      },
      folders: new FolderAppender(mailboxes, directoryRepo, blobs, events),
      settings: config.notify,
      log: log.child({ component: 'notify' }),
      contacts: new ContactsRepository(db),
      mailSms: new MailSmsRepository(db),
      bounce: mailBouncer(notices),
    });
    sms.onInbound((row) => notify.mo.handle(row).then(() => undefined));
    sms.onFailed((row, err) => notify.mailToSms.smsFailed(row, err));
    // Alert states follow their SMS; SMS favourites (the SMS folder) follow both ways.
    sms.onInbound((row) => notify.smsReceived(row));
    sms.onOutbound((change) => notify.smsChanged(change));
    const services: DiziServices = {
      config,
      log,
      db,
      blobs,
      directoryRepo,
      mailboxes,
      outboundRepo,
      directory,
      resolver,
      spool,
      processor,
      outbound,
      notices,
      events,
      sms,
      smsLinks,
      linkAdmin,
      notify,
      adminAlerts: new AdminAlerts(
        {
          phones: config.notify.adminPhones,
          cooldownSeconds: config.notify.adminAlertCooldownSeconds,
          checkSeconds: config.notify.adminAlertCheckSeconds,
          queueBacklog: config.notify.adminAlertQueueBacklog,
          diskFreeMb: config.notify.adminAlertDiskFreeMb,
          linkDownSeconds: config.notify.adminAlertLinkDownSeconds,
        },
        {
          links: () => smsLinks.health(),
          outboundBacklog: () => outboundRepo.pendingCount(),
          dataDir: config.dataDir,
          send: async (to, text) => {
            await sms.send({ to, text, purpose: 'admin-alert' });
          },
        },
        adminAlertsRedis,
        log.child({ component: 'admin-alerts' }),
      ),
      billing,
    };
    const runtime: DiziRuntime = new DiziRuntime(services, supervisor, redisUrl, adminAlertsRedis);
    try {
      await runtime.startRoles(startHttp);
    } catch (err) {
      await runtime.stop().catch(() => undefined);
      throw err;
    }
    return runtime;
  }

  private async startRoles(
    startHttp?: (s: DiziServices) => Promise<{ port: number; close: () => Promise<void> }>,
  ): Promise<void> {
    const { config, log } = this.services;
    const roles = new Set(config.roles);
    // A bad link configuration stops the start with the link and field named.
    this.services.smsLinks.validate();
    if (roles.has('worker')) {
      await this.services.outbound.startWorker();
      await this.services.smsLinks.start(this.services.sms);
      await this.services.sms.startWorker(this.services.smsLinks);
      // Deliveries a stopped process left undecided, alerts it left unsent: in the background.
      void this.services.notify.alerts
        .startCatchUp(config.notify.alertCatchUpSeconds * 1000)
        .catch((err: Error) => log.warn({ err }, 'alert catch-up failed; it runs again later'));
      this.services.notify.reminders.start();
      this.services.adminAlerts.start();
      await this.services.billing.start();
    }
    // The spool is local to the node that accepted the mail: finish it before listening.
    await this.services.processor.recover();
    if (roles.has('smtp') || roles.has('submission')) {
      const tls = await loadTlsMaterial(config);
      const limiter = new ConnectionLimiter(
        config.smtp.connectionsPerIpAtOnce,
        config.smtp.connectionsPerIpPerMinute,
      );
      const guard = new AuthGuard(
        config.smtp.authFailureDelayMs,
        config.smtp.authLockoutAttempts,
        config.smtp.authLockoutSeconds,
      );
      const plan: Array<[ListenerMode, number]> = [];
      if (roles.has('smtp')) plan.push(['mx', config.smtp.port]);
      if (roles.has('submission'))
        plan.push(['submission', config.smtp.submissionPort], ['smtps', config.smtp.smtpsPort]);
      for (const [mode, port] of plan) {
        const listener = new SmtpListener({
          mode,
          config: config.smtp,
          hostname: config.hostname,
          tls,
          directory: this.services.directory,
          directoryRepo: this.services.directoryRepo,
          resolver: this.services.resolver,
          spool: this.services.spool,
          limiter,
          authGuard: guard,
          log: log.child({ component: `smtp-${mode}` }),
          onAccepted: (entry) => {
            this.services.billing.recorder.accepted(entry);
            this.services.processor.submit(entry);
          },
          claimRecipient: (a, ctx) => this.services.notify.mailToSms.checkRecipient(a, ctx),
        });
        await listener.listen(port, config.smtp.listenHost);
        this.listeners.set(mode, listener);
      }
    }
    if (roles.has('imap')) {
      const tls = await loadTlsMaterial(config);
      const authenticator = new StoreAuthenticator(
        'imap',
        this.services.directory,
        this.services.directoryRepo,
        this.services.mailboxes,
        this.services.blobs,
        this.services.events,
      );
      const imapLog = log.child({ component: 'imap' });
      for (const [name, port, implicitTls] of [
        ['imap', config.imap.port, false],
        ['imaps', config.imap.tlsPort, true],
      ] as const) {
        const server = new ImapServer({
          authenticator,
          host: config.imap.listenHost,
          port,
          implicitTls,
          tls,
          idleKeepaliveMs: config.imap.idleKeepaliveMs,
          failedLoginDelayMs: config.imap.failedLoginDelayMs,
          maxConnectionsPerIp: config.imap.maxConnectionsPerIp,
          serverName: config.hostname,
          onError: (err) => imapLog.warn({ err }, 'IMAP session error'),
        });
        const addr = await server.listen();
        this.accessServers.set(name, { server, port: addr.port });
        imapLog.info({ port: addr.port, implicitTls }, 'IMAP listener ready');
      }
    }
    if (roles.has('pop3')) {
      const tls = await loadTlsMaterial(config);
      const authenticator = new StoreAuthenticator(
        'pop3',
        this.services.directory,
        this.services.directoryRepo,
        this.services.mailboxes,
        this.services.blobs,
        this.services.events,
      );
      const popLog = log.child({ component: 'pop3' });
      for (const [name, port, implicitTls] of [
        ['pop3', config.pop3.port, false],
        ['pop3s', config.pop3.tlsPort, true],
      ] as const) {
        const server = new Pop3Server({
          authenticator,
          host: config.pop3.listenHost,
          port,
          implicitTls,
          tls,
          failedLoginDelayMs: config.pop3.failedLoginDelayMs,
          maxConnectionsPerIp: config.pop3.maxConnectionsPerIp,
          serverName: config.hostname,
          logger: popLog,
        });
        const addr = await server.listen();
        this.accessServers.set(name, { server, port: addr.port });
        popLog.info({ port: addr.port, implicitTls }, 'POP3 listener ready');
      }
    }
    if (roles.has('web') && startHttp) {
      const http = await startHttp(this.services);
      this.httpClose = http.close;
      this.httpPort = http.port;
    }
  }

  /** The port a listener got (useful when configured as 0). */
  port(which: ListenerMode | 'http' | AccessListener): number {
    if (which === 'http') return this.httpPort;
    if (isAccessListener(which)) return this.accessServers.get(which)?.port ?? 0;
    return this.listeners.get(which)?.port ?? 0;
  }

  async stop(): Promise<void> {
    this.redis?.beginStop();
    for (const l of this.listeners.values()) await l.close();
    this.listeners.clear();
    for (const { server } of this.accessServers.values()) await server.close();
    this.accessServers.clear();
    await this.httpClose?.();
    await this.services.processor.idle();
    this.services.processor.stop();
    this.services.adminAlerts.stop();
    await this.services.notify.reminders.stop();
    this.adminAlertsRedis.disconnect();
    await this.services.notify.alerts.idle();
    await this.services.notify.alerts.close();
    await this.services.notify.settled();
    await this.services.outbound.close();
    await this.services.sms.close();
    await this.services.smsLinks.stop();
    await this.services.events.close();
    await this.services.billing.close();
    await this.services.db.close();
    await this.services.spool.close();
    await this.services.blobs.close();
    await this.redis?.stop();
  }
}
