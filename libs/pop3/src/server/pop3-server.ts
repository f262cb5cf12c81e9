import * as net from 'node:net';
import * as tls from 'node:tls';
import pino, { type Logger } from 'pino';
import { errLine } from '../protocol/responses';
import { Pop3Session } from '../session/pop3-session';
import type { Pop3Authenticator, Pop3SessionSettings } from '../session/session-context';
import { ConnectionsPerAddress } from './connections-per-address';
import { SocketTransport } from './socket-transport';

export interface Pop3ServerOptions {
  /** Same contract as IMAP's: `authenticate(user, pass, {remoteAddress, secure})`. */
  readonly authenticator: Pop3Authenticator;
  /** Interface to listen on; loopback unless configured otherwise. */
  readonly host?: string;
  /** 0 lets the system choose (tests). */
  readonly port: number;
  /** Implicit TLS (the POP3S port) instead of plain text with STLS. */
  readonly implicitTls?: boolean;
  /** Certificate and key (PEM); without them there is no STLS and no POP3S. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Refuse USER/PASS/AUTH before TLS (default: true when TLS is configured). */
  readonly requireTlsForAuth?: boolean;
  /** Pause before a failed login is answered; 2 seconds by default. */
  readonly failedLoginDelayMs?: number;
  /** Failed logins before the connection is closed; 3 by default. */
  readonly maxFailedLogins?: number;
  /** Open connections allowed from one IP address; 50 by default. */
  readonly maxConnectionsPerIp?: number;
  /** Longest command line with its CRLF; 255 by default (RFC 2449 4). */
  readonly maxLineLength?: number;
  /** Inactivity before autologout; 10 minutes by default (RFC 1939 3). */
  readonly idleTimeoutMs?: number;
  /** Consecutive malformed commands before the connection is closed; 10 by default. */
  readonly maxBadCommands?: number;
  /** Name in the greeting and sign-off. */
  readonly serverName?: string;
  /** Silent when not given. */
  readonly logger?: Logger;
}

/** Big enough for a PLAIN response with a 255-octet name and password in base64. */
const MAX_SASL_LINE_LENGTH = 1024;

/** The POP3 listener: one `Pop3Session` per connection, over TCP (with STLS) or implicit TLS. */
export class Pop3Server {
  private readonly server: net.Server;
  private readonly sessions = new Set<Pop3Session>();
  private readonly sockets = new Set<net.Socket>();
  private readonly perAddress: ConnectionsPerAddress;
  private readonly secureContext?: tls.SecureContext;
  private readonly settings: Pop3SessionSettings;
  private readonly logger: Logger;
  private readonly listenOptions: { readonly port: number; readonly host: string };

  constructor(options: Pop3ServerOptions) {
    if (options.implicitTls && !options.tls) throw new Error('Implicit TLS needs a certificate');
    this.secureContext = options.tls ? tls.createSecureContext(options.tls) : undefined;
    this.logger = options.logger ?? pino({ enabled: false });
    this.settings = {
      authenticator: options.authenticator,
      tlsAvailable: Boolean(options.tls),
      requireTlsForAuth: options.requireTlsForAuth ?? Boolean(options.tls),
      serverName: options.serverName ?? 'localhost',
      failedLoginDelayMs: options.failedLoginDelayMs ?? 2_000,
      maxFailedLogins: options.maxFailedLogins ?? 3,
      maxLineLength: options.maxLineLength ?? 255,
      maxSaslLineLength: Math.max(MAX_SASL_LINE_LENGTH, options.maxLineLength ?? 0),
      idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
      maxBadCommands: options.maxBadCommands ?? 10,
      logger: this.logger,
    };
    this.perAddress = new ConnectionsPerAddress(options.maxConnectionsPerIp ?? 50);
    // tls.createServer ignores a `secureContext` option: it takes the key and certificate.
    this.server =
      options.implicitTls && options.tls
        ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, (socket) =>
            this.accept(socket, true),
          )
        : net.createServer((socket) => this.accept(socket, false));
    this.server.on('error', (error) => this.logger.error({ err: error }, 'pop3 listener error'));
    // A failed implicit-TLS handshake concerns that client only.
    this.server.on('tlsClientError', (error: Error) =>
      this.logger.debug({ err: error }, 'pop3 TLS handshake failed'),
    );
    this.listenOptions = { port: options.port, host: options.host ?? '127.0.0.1' };
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  private accept(socket: net.Socket, secure: boolean): void {
    socket.setNoDelay(true);
    const address = socket.remoteAddress ?? '';
    if (!this.perAddress.tryAcquire(address)) {
      this.logger.warn({ remoteAddress: address }, 'pop3 connection refused: per-IP limit');
      socket.on('error', () => socket.destroy());
      socket.end(errLine('Too many connections from your address', 'SYS/TEMP'));
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.perAddress.release(address);
    });
    // The transport needs the session's input callback and the session needs the transport.
    const link: { session?: Pop3Session } = {};
    const transport = new SocketTransport(
      socket,
      secure,
      (chunk) => link.session?.receive(chunk),
      () => {
        if (!link.session) return;
        link.session.closedByPeer();
        this.sessions.delete(link.session);
      },
      this.secureContext,
    );
    const session = new Pop3Session(transport, this.settings);
    link.session = session;
    this.sessions.add(session);
    session.start();
  }

  listen(): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.listenOptions.port, this.listenOptions.host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  /** Stops accepting and cuts every open connection; resolves when the listener is closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const session of this.sessions) session.closedByPeer();
      this.sessions.clear();
      for (const socket of this.sockets) socket.destroy();
    });
  }
}
