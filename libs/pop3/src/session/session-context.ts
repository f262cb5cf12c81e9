import type { ImapAuthenticator, MailboxAccess, MessageSource } from '@dizi/imap';
import type { Logger } from 'pino';
import type { CommandLine } from '../protocol/command-line';
import type { ResponseCode } from '../protocol/responses';
import type { Maildrop } from './maildrop';

/** Same contract as IMAP's: checks a password and opens the user's mailboxes, or null. */
export type Pop3Authenticator = ImapAuthenticator;

/** RFC 1939 states; UPDATE is reached only inside QUIT, so it is not a resting state. */
export type Pop3Phase = 'authorization' | 'transaction';

export interface Pop3SessionSettings {
  readonly authenticator: Pop3Authenticator;
  /** A certificate is configured, so STLS can be offered. */
  readonly tlsAvailable: boolean;
  /** Refuse USER/PASS/AUTH on a connection that is not (yet) encrypted. */
  readonly requireTlsForAuth: boolean;
  readonly serverName: string;
  /** Pause before a failed login is answered, to slow down password guessing. */
  readonly failedLoginDelayMs: number;
  /** Failed logins on one connection before it is closed. */
  readonly maxFailedLogins: number;
  /** Longest command line, CRLF included (RFC 2449 4: 255). */
  readonly maxLineLength: number;
  /** Longest SASL response line; RFC 5034 does not hold them to the command limit. */
  readonly maxSaslLineLength: number;
  /** Inactivity before autologout (RFC 1939 3: at least 10 minutes). */
  readonly idleTimeoutMs: number;
  /** Consecutive protocol errors (unknown command, bad syntax) before the session is closed. */
  readonly maxBadCommands: number;
  readonly logger: Logger;
}

export interface Pop3SessionState {
  phase: Pop3Phase;
  secure: boolean;
  readonly remoteAddress: string;
  /** The name given by USER, waiting for PASS. */
  pendingUser?: string;
  failedLogins: number;
  user?: string;
  access?: MailboxAccess;
  maildrop?: Maildrop;
  /** The maildrop's messages located in the store, on the first RETR or TOP. */
  messages?: MessageSource;
  /** Messages sent whole by RETR: they get \Seen in the UPDATE state, as Dovecot does. */
  readonly retrievedUids: Set<number>;
}

/** What a command handler gets: the session state and ways to answer the client. */
export interface Pop3CommandContext {
  readonly state: Pop3SessionState;
  readonly settings: Pop3SessionSettings;
  readonly log: Logger;
  ok(text: string): void;
  err(text: string, code?: ResponseCode): void;
  /** An -ERR for a malformed command; counted towards `maxBadCommands`. */
  syntaxError(text: string): void;
  /** A +OK line then the body pieces (already dot-stuffed) and the final ".". */
  multiline(status: string, body: Iterable<Buffer>): Promise<void>;
  /** Waits for the client's next line (SASL exchange); undefined when it is gone or too long. */
  readLine(maxLength: number): Promise<Buffer | undefined>;
  /** Writes raw bytes now (the SASL "+ " continuation). */
  send(data: Buffer): void;
  /** After the answer went out: switch to TLS, or close the connection. */
  afterResponse(action: 'starttls' | 'close'): void;
  /** The maildrop of the logged-in user; the command runs only in the TRANSACTION state. */
  maildrop(): Maildrop;
  access(): MailboxAccess;
}

export type CommandHandler = (context: Pop3CommandContext, command: CommandLine) => Promise<void>;
