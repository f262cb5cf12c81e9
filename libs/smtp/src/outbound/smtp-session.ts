import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { NodemailerError } from 'nodemailer/lib/errors';
import type { DeliveryTimeouts } from './delivery.types';

/** How a session secures itself. `plain-only` is the fallback after a failed opportunistic STARTTLS. */
export type SessionTls = 'implicit' | 'starttls-required' | 'starttls-opportunistic' | 'plain-only';

export interface SmtpSessionOptions {
  /** Address (or name) to connect to. */
  connectTo: string;
  port: number;
  /** Name of the server for SNI and certificate checks; ignored when it is an address. */
  serverName: string;
  heloName: string;
  tls: SessionTls;
  verifyCertificates: boolean;
  trustedCa?: string | Buffer;
  timeouts: DeliveryTimeouts;
}

export interface SmtpEnvelope {
  /** '' for the null sender. */
  sender: string;
  recipients: string[];
  size: number;
  eightBit: boolean;
}

/**
 * What the server said in one transaction: the recipients it refused at RCPT (each error
 * names its recipient), and the end result that applies to all the others.
 */
export interface TransactionOutcome {
  rejected: NodemailerError[];
  /** The final reply to the message data (success), or the error that ended the transaction. */
  finalResponse: string | null;
  error: NodemailerError | null;
}

/** nodemailer keeps the envelope bookkeeping on the connection after a failed DATA. */
interface EnvelopeState {
  rejectedErrors?: NodemailerError[];
}

/**
 * One SMTP client session over nodemailer's SMTPConnection, as promises. Opening covers
 * TCP connect, greeting, EHLO and STARTTLS; a failure there means "try the next host".
 */
export class SmtpSession {
  private constructor(private readonly connection: SMTPConnection) {}

  static open(options: SmtpSessionOptions): Promise<SmtpSession> {
    const tlsOptions: ConnectionOptions = {
      rejectUnauthorized: options.verifyCertificates,
      ...(options.trustedCa ? { ca: options.trustedCa } : {}),
      ...(isIP(options.serverName) ? {} : { servername: options.serverName }),
    };
    const connection = new SMTPConnection({
      host: options.connectTo,
      port: options.port,
      name: options.heloName,
      secure: options.tls === 'implicit',
      requireTLS: options.tls === 'starttls-required',
      opportunisticTLS: options.tls === 'starttls-opportunistic',
      ignoreTLS: options.tls === 'plain-only',
      tls: tlsOptions,
      connectionTimeout: options.timeouts.connectMs,
      greetingTimeout: options.timeouts.greetingMs,
      socketTimeout: options.timeouts.socketMs,
      // Quit without waiting for the peer's FIN: a hung peer must not hold a worker.
      socketCloseTimeout: 0,
      allowInternalNetworkInterfaces: true,
      logger: false,
    });
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error: NodemailerError | null): void => {
        if (settled) return;
        settled = true;
        if (error) {
          connection.close();
          reject(error);
        } else {
          resolve(new SmtpSession(connection));
        }
      };
      // The listener stays for the life of the connection: an 'error' without one would throw.
      connection.on('error', (error: NodemailerError) => {
        // A reset or garbage during the STARTTLS handshake comes as a socket error; call it
        // what it is, so the caller can fall back to plain text in opportunistic mode.
        if (connection.upgrading && error.code !== 'ETLS') {
          error.originalCode ??= error.code;
          error.code = 'ETLS';
        }
        settle(error);
      });
      connection.once('end', () => settle(closedBeforeReady()));
      connection.connect((error) => settle(error ?? null));
    });
  }

  /** true once STARTTLS or implicit TLS protects the session. */
  get secure(): boolean {
    return this.connection.secure;
  }

  login(user: string, pass: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.connection.login({ user, pass }, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Runs MAIL, RCPT..., DATA. Never rejects: every outcome is reported per recipient. */
  send(envelope: SmtpEnvelope, message: Buffer | Readable): Promise<TransactionOutcome> {
    return new Promise((resolve) => {
      this.connection.send(
        {
          // nodemailer sends MAIL FROM:<> for `false`.
          from: envelope.sender === '' ? false : envelope.sender,
          to: envelope.recipients,
          size: envelope.size,
          use8BitMime: envelope.eightBit,
        },
        message,
        (error, info) => {
          if (!error) {
            resolve({
              rejected: info.rejectedErrors ?? [],
              finalResponse: info.response,
              error: null,
            });
            return;
          }
          const state = this.envelopeState();
          resolve({
            rejected: error.rejectedErrors ?? state.rejectedErrors ?? [],
            finalResponse: null,
            error,
          });
        },
      );
    });
  }

  /** QUIT and close; safe to call on a session that already failed. */
  close(): void {
    try {
      this.connection.quit();
    } catch {
      // quit() writes to the socket; a dead socket is what we are closing anyway.
    }
    this.connection.close();
  }

  /**
   * After a refused DATA, nodemailer's error does not say which recipients RCPT had
   * refused; its connection still holds that envelope (an undeclared field, read defensively).
   */
  private envelopeState(): EnvelopeState {
    const holder = this.connection as unknown as { _envelope?: EnvelopeState };
    const state = holder._envelope;
    return state && typeof state === 'object' ? state : {};
  }
}

function closedBeforeReady(): NodemailerError {
  const error: NodemailerError = new Error(
    'the server closed the connection before the session was ready',
  );
  error.code = 'ECONNECTION';
  return error;
}
