import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ImapAuthenticator } from '../mailbox-access';
import type { SessionSettings } from '../session/command-context';
import { DEFAULT_SESSION_LIMITS, ImapSession, type SessionLimits } from '../session/imap-session';
import { statusResponse } from '../response/responses';
import { SocketTransport } from './socket-transport';

export interface ImapServerOptions {
  readonly authenticator: ImapAuthenticator;
  /** Interface to listen on; loopback unless configured otherwise. */
  readonly host?: string;
  /** 0 lets the system choose (tests). */
  readonly port: number;
  /** Implicit TLS (the IMAPS port) instead of plain text with STARTTLS. */
  readonly implicitTls?: boolean;
  /** Certificate and key (PEM); without them there is no STARTTLS and no IMAPS. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Refuse LOGIN/AUTHENTICATE before TLS (default: true when TLS is configured). */
  readonly requireTlsForAuth?: boolean;
  /** Keep-alive period during IDLE; 2 minutes by default (mobile NAT drops idle flows). */
  readonly idleKeepaliveMs?: number;
  /** Longest IDLE before the server logs the client off; 29 minutes by default. */
  readonly idleTimeoutMs?: number;
  readonly limits?: Partial<SessionLimits>;
  /** Pause before a failed login is answered; 2 seconds by default. */
  readonly failedLoginDelayMs?: number;
  /** Failed logins before the connection is closed; 3 by default. */
  readonly maxFailedLogins?: number;
  /** Open connections allowed from one IP address; 50 by default. */
  readonly maxConnectionsPerIp?: number;
  readonly serverName?: string;
  readonly onError?: (error: unknown) => void;
}

/** The IMAP listener: one `ImapSession` per connection, over TCP or implicit TLS. */
export class ImapServer {
  private readonly server: net.Server;
  private readonly sessions = new Set<ImapSession>();
  private readonly sockets = new Set<net.Socket>();
  private readonly secureContext?: tls.SecureContext;
  private readonly settings: SessionSettings;
  private readonly limits: SessionLimits;

  constructor(private readonly options: ImapServerOptions) {
    if (options.implicitTls && !options.tls) throw new Error('Implicit TLS needs a certificate');
    this.secureContext = options.tls ? tls.createSecureContext(options.tls) : undefined;
    this.settings = {
      authenticator: options.authenticator,
      tlsAvailable: Boolean(options.tls),
      requireTlsForAuth: options.requireTlsForAuth ?? Boolean(options.tls),
      idleKeepaliveMs: options.idleKeepaliveMs ?? 2 * 60_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 29 * 60_000,
      serverName: options.serverName ?? 'localhost',
      failedLoginDelayMs: options.failedLoginDelayMs ?? 2_000,
      maxFailedLogins: options.maxFailedLogins ?? 3,
    };
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...options.limits };
    this.server = options.implicitTls
      ? tls.createServer({ ...options.tls }, (socket) => this.accept(socket, true))
      : net.createServer((socket) => this.accept(socket, false));
    this.server.on('error', (error) => options.onError?.(error));
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  private accept(socket: net.Socket, secure: boolean): void {
    socket.setNoDelay(true);
    const address = socket.remoteAddress ?? '';
    const fromSameAddress = [...this.sockets].filter(
      (open) => open.remoteAddress === address,
    ).length;
    if (fromSameAddress >= (this.options.maxConnectionsPerIp ?? 50)) {
      socket.end(statusResponse('*', 'BYE', 'Too many connections from your address'));
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // The transport needs the session's input callback and the session needs the transport.
    const link: { session?: ImapSession } = {};
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
    const session = new ImapSession(transport, this.settings, this.limits, this.options.onError);
    link.session = session;
    this.sessions.add(session);
    session.start();
  }

  listen(): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host ?? '127.0.0.1', () => {
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
