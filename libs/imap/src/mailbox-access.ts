/**
 * What an IMAP session needs from the message store, for one authenticated user. The
 * IMAP layer depends on this narrow interface only; the store library implements it
 * (and publishes changes between Dizi processes). Folder names here are Unicode with
 * `/` between levels; "INBOX" is the inbox. Modified UTF-7 is the session's business.
 */

/** RFC 6154 special-use attributes. */
export type SpecialUse =
  '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged';

export const SPECIAL_USES: readonly SpecialUse[] = [
  '\\Sent',
  '\\Drafts',
  '\\Trash',
  '\\Junk',
  '\\Archive',
  '\\All',
  '\\Flagged',
];

export interface FolderInfo {
  readonly name: string;
  readonly specialUse?: SpecialUse;
  readonly subscribed: boolean;
}

/** One message of a folder as IMAP sees it. */
export interface MessageState {
  readonly uid: number;
  /** System flags (`\Seen`...) and keywords; never `\Recent`. */
  readonly flags: readonly string[];
  /** RFC 7162 mod-sequence: raised on every flag change. */
  readonly modseq: number;
  readonly internalDate: Date;
  /** Size in bytes of the stored message (RFC822.SIZE). */
  readonly size: number;
}

export interface FolderSnapshot {
  readonly uidValidity: number;
  readonly uidNext: number;
  readonly highestModseq: number;
  /** In ascending UID order: index + 1 is the message sequence number. */
  readonly messages: readonly MessageState[];
  /**
   * UIDs that no session had seen before (`\Recent`). With `claimRecent`, this call
   * claims them, so one session only is told a message is recent (RFC 3501 2.3.2).
   */
  readonly recentUids: readonly number[];
}

export type FlagOperation = 'set' | 'add' | 'remove';

export interface StoreFlagsResult {
  /** The messages whose flags changed, with their new flags and mod-sequence. */
  readonly updated: readonly MessageState[];
  /** UIDs left alone because their mod-sequence passed `unchangedSince` (RFC 7162). */
  readonly modified: readonly number[];
}

export interface CopyResult {
  readonly uidValidity: number;
  /** Source and destination UIDs, pairwise in the same order. */
  readonly sourceUids: readonly number[];
  readonly destinationUids: readonly number[];
}

export interface QuotaUsage {
  readonly storageUsedBytes: number;
  /** Undefined: no limit. */
  readonly storageLimitBytes?: number;
  readonly messageCount: number;
  readonly messageLimit?: number;
}

/** Something changed in a folder of this user, in this process or another one. */
export interface MailboxChange {
  readonly folder: string;
  readonly kind: 'added' | 'flags' | 'expunged' | 'folders';
}

export type MailboxErrorCode =
  'NONEXISTENT' | 'ALREADYEXISTS' | 'OVERQUOTA' | 'CANNOT' | 'NOPERM' | 'LIMIT';

/** A refusal the client should see as `NO [code]`; any other error is a server fault. */
export class MailboxAccessError extends Error {
  constructor(
    readonly code: MailboxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MailboxAccessError';
  }
}

/**
 * Messages of one folder located once for a whole command (FETCH, SEARCH) or POP3
 * session, so that reading each costs no store lookup. Both readers answer undefined for
 * a message that is gone (expunged, or never there); either may answer at once rather
 * than with a promise (a header in memory): a FETCH of thousands of messages then
 * awaits only the answers that are promises.
 */
export interface MessageSource {
  /** The stored bytes, exactly as received. */
  read(uid: number): Buffer | undefined | Promise<Buffer | undefined>;
  /**
   * The header block as stored, up to and including the blank line after it (the whole
   * message when it has none): what ENVELOPE and BODY[HEADER…] need, without the body.
   */
  readHeader(uid: number): Buffer | undefined | Promise<Buffer | undefined>;
}

export interface MailboxAccess {
  listFolders(): Promise<FolderInfo[]>;
  createFolder(name: string, specialUse?: SpecialUse): Promise<void>;
  /** Renames a folder and its children. */
  renameFolder(from: string, to: string): Promise<void>;
  deleteFolder(name: string): Promise<void>;
  setSubscribed(name: string, subscribed: boolean): Promise<void>;

  /** The folder's current state; throws NONEXISTENT. */
  selectFolder(name: string, options: { readonly claimRecent: boolean }): Promise<FolderSnapshot>;
  /** The stored bytes of a message, exactly as received. */
  readMessage(folder: string, uid: number): Promise<Buffer>;
  /**
   * Optional: a reader for many messages of `folder` (`uids`, ascending or not), located
   * with one store query now. A message expunged after this call may still be read while
   * its bytes exist (a command sees the folder as it was when it started); without this
   * method the session calls `readMessage` per message. A folder that no longer exists
   * reads as empty.
   */
  openMessages?(folder: string, uids: readonly number[]): Promise<MessageSource>;
  appendMessage(
    folder: string,
    message: Buffer,
    flags: readonly string[],
    internalDate: Date,
  ): Promise<{ readonly uidValidity: number; readonly uid: number }>;
  storeFlags(
    folder: string,
    uids: readonly number[],
    operation: FlagOperation,
    flags: readonly string[],
    unchangedSince?: number,
  ): Promise<StoreFlagsResult>;
  copyMessages(from: string, uids: readonly number[], to: string): Promise<CopyResult>;
  moveMessages(from: string, uids: readonly number[], to: string): Promise<CopyResult>;
  /** Removes messages flagged \Deleted (only among `uids` when given); returns their UIDs. */
  expunge(folder: string, uids?: readonly number[]): Promise<number[]>;
  /** UIDs expunged after mod-sequence `modseq` (QRESYNC VANISHED). */
  expungedSince(folder: string, modseq: number): Promise<number[]>;
  getQuota(): Promise<QuotaUsage>;
  /** Calls `listener` on every change of this user's folders; returns the unsubscribe. */
  subscribe(listener: (change: MailboxChange) => void): () => void;
}

/** Checks a user's password and opens their mailboxes; null when the login fails. */
export interface ImapAuthenticator {
  authenticate(
    user: string,
    password: string,
    connection: { readonly remoteAddress: string; readonly secure: boolean },
  ): Promise<MailboxAccess | null>;
}
