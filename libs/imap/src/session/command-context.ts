import type { ImapAuthenticator, MailboxAccess } from '../mailbox-access';
import type { StatusCondition } from '../response/responses';
import type { SelectedFolder } from './selected-folder';
import type { SessionState } from './session-state';

/** How a command ended: the tagged response the session writes after any updates. */
export interface CommandResult {
  readonly condition: Exclude<StatusCondition, 'BYE' | 'PREAUTH'>;
  readonly text: string;
  readonly code?: string;
}

export const ok = (text: string, code?: string): CommandResult => ({ condition: 'OK', text, code });
export const no = (text: string, code?: string): CommandResult => ({ condition: 'NO', text, code });
export const bad = (text: string, code?: string): CommandResult => ({
  condition: 'BAD',
  text,
  code,
});

export interface SessionSettings {
  readonly authenticator: ImapAuthenticator;
  readonly tlsAvailable: boolean;
  readonly requireTlsForAuth: boolean;
  /** `* OK` keep-alive period during IDLE, so carrier NAT keeps the connection. */
  readonly idleKeepaliveMs: number;
  /** IDLE longer than this ends with BYE (RFC 2177 allows logging the client off). */
  readonly idleTimeoutMs: number;
  readonly serverName: string;
  /** Pause before answering a failed login, to slow down password guessing. */
  readonly failedLoginDelayMs: number;
  /** Failed logins on one connection before it is closed. */
  readonly maxFailedLogins: number;
}

/** What a command handler gets: the session's state and ways to talk to the client. */
export interface CommandContext {
  readonly tag: string;
  readonly state: SessionState;
  readonly settings: SessionSettings;
  /** Largest literal (so message) the session accepts once logged in. */
  readonly appendLimit: number;
  /** Writes untagged data or a continuation request now. */
  send(data: Buffer): void;
  /** Resolves when the client has taken what was sent (large FETCH answers). */
  drain(): Promise<void>;
  /** The user's mailboxes; the command runs only in authenticated states. */
  access(): MailboxAccess;
  /** The selected mailbox; the command runs only in the selected state. */
  selected(): SelectedFolder;
  /** Re-reads the selected folder and tells the client what changed. */
  updateSelected(allowExpunge: boolean): Promise<void>;
  /** After the tagged OK: switch to TLS / to compression / close. */
  afterResponse(action: 'starttls' | 'compress' | 'close'): void;
  /** Waits for one more line from the client (SASL exchange). Undefined: connection gone. */
  readLine(): Promise<Buffer | undefined>;
  /** Puts the session into IDLE; the session ends it on DONE. */
  startIdle(): void;
  /** Logs the user in (after LOGIN or AUTHENTICATE succeeded). */
  login(user: string, access: MailboxAccess): void;
}
