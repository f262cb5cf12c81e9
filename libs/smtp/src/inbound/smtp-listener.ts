import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import {
  SMTPServer,
  SMTPServerAddress,
  SMTPServerAuthentication,
  SMTPServerDataStream,
  SMTPServerSession,
} from 'smtp-server';
import { SmtpConfig } from '@dizi/config';
import { DirectoryService, RecipientResolver, Resolution } from '@dizi/directory';
import { summarizeMessage } from '@dizi/mail';
import { DirectoryRepository } from '@dizi/store';
import { MessageTooBigError, Spool, SpoolEntry } from '../spool';
import { AuthGuard } from './auth-guard';
import { ConnectionLimiter } from './connection-limiter';
import { GREETING_DELAY_OPTION, installGreetingDelay } from './greeting-delay';
import { installEnhancedCodePassThrough, SmtpReplyError } from './smtp-reply-error';
import { ReverseDnsCache } from './reverse-dns-cache';
import {
  NOTIFY_HEADER,
  parseNotifyRequest,
  TakenHeaders,
  withoutHeaders,
} from './submission-headers';

export type ListenerMode = 'mx' | 'submission' | 'smtps';

/** A claimed recipient is taken as is, or refused with this reply. */
export type RecipientClaim = { accept: true } | { code: number; enhanced: string; text: string };

export interface SmtpListenerDeps {
  mode: ListenerMode;
  config: SmtpConfig;
  hostname: string;
  tls: { key: Buffer; cert: Buffer };
  directory: DirectoryService;
  directoryRepo: DirectoryRepository;
  resolver: RecipientResolver;
  spool: Spool;
  limiter: ConnectionLimiter;
  authGuard: AuthGuard;
  log: Logger;
  /** Called once a message is durable and acknowledged; starts its delivery. */
  onAccepted: (entry: SpoolEntry) => void;
  /**
   * Recipients another service delivers (mail to SMS: `<number>@<smsDomain>`), asked
   * before the directory: null when not claimed.
   */
  claimRecipient?: (
    address: string,
    ctx: { authUser?: string; mode: ListenerMode },
  ) => RecipientClaim | null;
}

interface DiziSession extends SMTPServerSession {
  /** Set in onConnect when the connection counted against the limiter. */
  diziAdmitted?: boolean;
  /** This transaction's accepted recipients, as resolved at RCPT (reset by MAIL). */
  diziResolved?: Map<string, Resolution>;
  /** When the first of them was resolved. */
  diziResolvedAt?: number;
}

/**
 * One SMTP listener: the MX (port 25: mail for local domains, no AUTH), submission
 * (587, STARTTLS then AUTH) or SMTPS (465, implicit TLS then AUTH). Protocol handling is
 * smtp-server's; this class holds Dizi's policy at each stage and the durable hand-over
 * to the spool before `250`.
 */
export class SmtpListener {
  private server: SMTPServer | null = null;
  private readonly relayNets = new BlockList();
  private readonly reverseDns = new ReverseDnsCache();

  constructor(private readonly d: SmtpListenerDeps) {
    installEnhancedCodePassThrough();
    installGreetingDelay();
    for (const cidr of d.config.relayNetworks) {
      const [net, bits] = cidr.split('/');
      const type = isIPv6(net) ? 'ipv6' : 'ipv4';
      if (!isIPv4(net) && !isIPv6(net))
        throw new Error(`smtp.relayNetworks: ${cidr} is not an address or CIDR`);
      if (bits === undefined) this.relayNets.addAddress(net, type);
      else this.relayNets.addSubnet(net, Number(bits), type);
    }
  }

  get port(): number {
    const addr = this.server?.server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  async listen(port: number, host: string): Promise<void> {
    const { mode, config } = this.d;
    const submit = mode !== 'mx';
    const server = new SMTPServer({
      name: this.d.hostname,
      banner: config.banner ?? 'Dizi ESMTP',
      secure: mode === 'smtps',
      key: this.d.tls.key,
      cert: this.d.tls.cert,
      size: config.maxMessageBytes,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: !submit,
      disabledCommands: submit ? [] : ['AUTH'],
      allowInsecureAuth: false,
      hideENHANCEDSTATUSCODES: false,
      hideDSN: false,
      socketTimeout: config.socketTimeoutMs,
      resolver: this.reverseDns,
      logger: false,
      onConnect: (session, cb) => this.onConnect(session as DiziSession, cb),
      onClose: (session) => this.onClose(session as DiziSession),
      onAuth: (auth, session, cb) => void this.onAuth(auth, session, cb),
      onMailFrom: (address, session, cb) =>
        void this.onMailFrom(address, session).then(() => cb(), cb),
      onRcptTo: (address, session, cb) => void this.onRcptTo(address, session).then(() => cb(), cb),
      onData: (stream, session, cb) => void this.onData(stream, session, cb),
      // Not in smtp-server's types: read by installGreetingDelay's init.
      ...{ [GREETING_DELAY_OPTION]: config.greetingDelayMs },
    });
    server.on('error', (err) => this.d.log.warn({ err, mode }, 'SMTP connection error'));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.d.log.info({ mode, port: this.port, host }, 'SMTP listener ready');
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- stages

  private onConnect(session: DiziSession, cb: (err?: Error | null) => void): void {
    const refusal = this.d.limiter.admit(session.remoteAddress);
    if (refusal) {
      this.d.log.warn({ ip: session.remoteAddress }, refusal);
      return cb(new SmtpReplyError(421, '4.7.0', `${refusal}; try again later`));
    }
    session.diziAdmitted = true;
    cb();
  }

  private onClose(session: DiziSession): void {
    if (session.diziAdmitted) this.d.limiter.release(session.remoteAddress);
  }

  private async onAuth(
    auth: SMTPServerAuthentication,
    session: SMTPServerSession,
    cb: (err: Error | null | undefined, response?: { user?: string }) => void,
  ): Promise<void> {
    const ip = session.remoteAddress;
    const login = auth.username ?? '';
    const guard = this.d.authGuard;
    if (guard.isLocked(ip, login)) {
      await delay(guard.delayMs);
      return cb(new SmtpReplyError(454, '4.7.0', 'too many failed logins; try again later'));
    }
    const user = await this.d.directory.authenticate(login, auth.password ?? '').catch(() => null);
    if (!user) {
      guard.recordFailure(ip, login);
      this.d.log.warn({ ip, login, mode: this.d.mode }, 'SMTP AUTH failed');
      await delay(guard.delayMs);
      return cb(new SmtpReplyError(535, '5.7.8', 'authentication failed'));
    }
    guard.recordSuccess(ip, login);
    cb(null, { user: user.address });
  }

  private async onMailFrom(address: SMTPServerAddress, session: DiziSession): Promise<void> {
    session.diziResolved = undefined;
    if (address.address.includes(NOT_UTF8))
      throw new SmtpReplyError(501, '5.1.7', 'the sender address is not valid UTF-8');
    if (this.d.mode === 'mx') return;
    const authUser = String(session.user ?? '');
    const sender = address.address.toLowerCase();
    if (!sender)
      throw new SmtpReplyError(553, '5.7.1', 'a submission needs a sender address, not <>');
    if (sender === authUser) return;
    // An alias that delivers to the authenticated user may be used as its sender.
    const targets = await this.d.directoryRepo.aliasTargets(sender);
    if (targets.includes(authUser)) return;
    throw new SmtpReplyError(553, '5.7.1', `${authUser} is not allowed to send as <${sender}>`);
  }

  private async onRcptTo(address: SMTPServerAddress, session: DiziSession): Promise<void> {
    const resolution = await this.checkRecipient(address, session);
    // A recipient another service claimed (mail to SMS) has no resolution: the spool
    // processor then looks every recipient up again, and asks the claim again.
    if (!resolution) return;
    if (!session.diziResolved) {
      session.diziResolved = new Map();
      session.diziResolvedAt = Date.now();
    }
    session.diziResolved.set(address.address, resolution);
  }

  /**
   * Dizi's RCPT policy; returns how the recipient resolved when it is accepted
   * (undefined for one another service claimed).
   */
  private async checkRecipient(
    address: SMTPServerAddress,
    session: SMTPServerSession,
  ): Promise<Resolution | undefined> {
    const { config } = this.d;
    if (session.envelope.rcptTo.length >= config.maxRecipients) {
      throw new SmtpReplyError(
        452,
        '4.5.3',
        `too many recipients (at most ${config.maxRecipients} per message)`,
      );
    }
    const rcpt = address.address;
    if (rcpt.includes(NOT_UTF8))
      throw new SmtpReplyError(501, '5.1.3', 'the recipient address is not valid UTF-8');
    const authUser = session.user ? String(session.user) : undefined;
    const claim = this.d.claimRecipient?.(rcpt, { authUser, mode: this.d.mode });
    if (claim) {
      if ('accept' in claim) return;
      throw new SmtpReplyError(claim.code, claim.enhanced, claim.text);
    }
    const resolution = await this.d.resolver.resolve(rcpt, {
      sender: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      authUser,
    });
    switch (resolution.kind) {
      case 'unknown':
        throw new SmtpReplyError(550, '5.1.1', `<${rcpt}>: no such mailbox here`);
      case 'refused':
        throw new SmtpReplyError(550, '5.7.1', `<${rcpt}>: ${resolution.reason}`);
      case 'remote':
        if (
          authUser ||
          this.relayNets.check(
            session.remoteAddress,
            isIPv6(session.remoteAddress) ? 'ipv6' : 'ipv4',
          )
        ) {
          return resolution;
        }
        throw new SmtpReplyError(
          550,
          '5.7.1',
          `<${rcpt}>: relay access denied; authenticate on the submission port`,
        );
      case 'local': {
        // SIZE= from MAIL FROM (RFC 1870), when the client declared one.
        const args = session.envelope.mailFrom ? session.envelope.mailFrom.args : false;
        const declared = Number((args && (args as Record<string, string>).SIZE) || 0);
        for (const mb of resolution.mailboxes) {
          if (!mb.quotaBytes) continue;
          if (declared > mb.quotaBytes) {
            throw new SmtpReplyError(
              552,
              '5.2.2',
              `<${rcpt}>: the message is larger than the mailbox quota`,
            );
          }
          if (mb.usedBytes + Math.max(declared, 1) > mb.quotaBytes) {
            throw new SmtpReplyError(452, '4.2.2', `<${rcpt}>: mailbox full; try again later`);
          }
        }
        return resolution;
      }
    }
  }

  private async onData(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    cb: (err?: Error | null, message?: string) => void,
  ): Promise<void> {
    const id = this.d.spool.newId();
    // Orders to this server in a submission's header (X-Dizi-Notify) are taken out
    // before the mail is stored; on the MX nobody may give them, so they stay as text.
    const taken: TakenHeaders = new Map();
    const input = this.d.mode === 'mx' ? stream : withoutHeaders(stream, [NOTIFY_HEADER], taken);
    let pending;
    try {
      pending = await this.d.spool.receive(
        input,
        this.receivedHeader(session, id),
        this.d.config.maxMessageBytes,
        id,
      );
    } catch (err) {
      if (err instanceof MessageTooBigError || stream.sizeExceeded) {
        return cb(
          new SmtpReplyError(
            552,
            '5.3.4',
            `message too big (limit ${this.d.config.maxMessageBytes} bytes)`,
          ),
        );
      }
      // The client went away mid-DATA (nothing to answer) or the disk failed.
      this.d.log.warn({ err, ip: session.remoteAddress }, 'message not received in full');
      return cb(
        new SmtpReplyError(451, '4.3.0', 'local error while storing the message; try again later'),
      );
    }
    if (stream.sizeExceeded) {
      await pending.discard();
      return cb(
        new SmtpReplyError(
          552,
          '5.3.4',
          `message too big (limit ${this.d.config.maxMessageBytes} bytes)`,
        ),
      );
    }
    const summary = summarizeMessage(pending.head);
    const hops = summary.receivedCount;
    if (hops > this.d.config.maxHops) {
      await pending.discard();
      return cb(
        new SmtpReplyError(
          554,
          '5.4.6',
          `mail loop detected: ${hops} Received headers (limit ${this.d.config.maxHops})`,
        ),
      );
    }
    const env = session.envelope;
    try {
      const entry = await pending.commit({
        sender: env.mailFrom ? env.mailFrom.address : '',
        recipients: env.rcptTo.map((r) => ({
          address: r.address,
          notify: env.dsn ? (r.dsn?.notify?.join(',') ?? undefined) : undefined,
          orcpt: r.dsn?.orcpt ?? undefined,
        })),
        authUser: session.user ? String(session.user) : undefined,
        clientIp: session.remoteAddress,
        helo: session.hostNameAppearsAs ?? '',
        receivedAt: Date.now(),
        envId: env.dsn?.envid ?? undefined,
        ret: env.dsn?.ret ?? undefined,
        via: this.d.mode,
        notifySms: parseNotifyRequest(taken.get(NOTIFY_HEADER) ?? []).sms || undefined,
        size: pending.size,
        summary: {
          subject: summary.subject,
          from: summary.from,
          to: summary.to,
          messageId: summary.messageId,
        },
      });
      this.d.log.info(
        {
          id,
          from: entry.envelope.sender,
          rcpt: entry.envelope.recipients.length,
          size: pending.size,
          ip: session.remoteAddress,
        },
        'message accepted',
      );
      cb(null, `Ok: queued as ${id}`);
      const resolved = (session as DiziSession).diziResolved;
      const resolutions = env.rcptTo.map((r) => resolved?.get(r.address));
      if (resolutions.every((r) => r !== undefined))
        entry.resolved = { at: (session as DiziSession).diziResolvedAt ?? 0, resolutions };
      this.d.onAccepted(entry);
    } catch (err) {
      await pending.discard().catch(() => undefined);
      this.d.log.error({ err }, 'spool commit failed');
      cb(
        new SmtpReplyError(451, '4.3.0', 'local error while storing the message; try again later'),
      );
    }
  }

  private receivedHeader(session: SMTPServerSession, id: string): Buffer {
    const tls = !!session.secure;
    const auth = !!session.user;
    const proto = `ESMTP${tls ? 'S' : ''}${auth ? 'A' : ''}`;
    const helo = (session.hostNameAppearsAs ?? 'unknown').replace(/[^\x21-\x7e]/g, '');
    const rdns =
      session.clientHostname && !session.clientHostname.startsWith('[')
        ? `${session.clientHostname} `
        : '';
    const rcpt =
      session.envelope.rcptTo.length === 1
        ? `\r\n\tfor <${session.envelope.rcptTo[0].address}>`
        : '';
    return Buffer.from(
      `Received: from ${helo} (${rdns}[${session.remoteAddress}])\r\n\tby ${this.d.hostname} (Dizi) with ${proto} id ${id}${rcpt};\r\n\t${new Date().toUTCString().replace('GMT', '+0000')}\r\n`,
      'utf8',
    );
  }
}

/**
 * smtp-server decodes command lines as UTF-8, so bytes that are not UTF-8 reach the
 * handlers as U+FFFD: such an address is not the one the client sent and is refused.
 */
const NOT_UTF8 = '\uFFFD';

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
