import { EventEmitter } from 'node:events';
import {
  type CopyResult,
  type FlagOperation,
  type FolderInfo,
  type FolderSnapshot,
  type ImapAuthenticator,
  type MailboxAccess,
  MailboxAccessError,
  type MailboxChange,
  type MessageSource,
  type MessageState,
  type QuotaUsage,
  type SpecialUse,
  type StoreFlagsResult,
} from '../mailbox-access';
import { findBodyStart } from '../mime/header-block';

/**
 * TEST DOUBLE. An in-memory `MailboxAccess` for the IMAP tests only, standing in for the
 * message store (libs/store), which is being written at the same time and will provide
 * the real implementation. It keeps the semantics the session relies on: UIDs and
 * mod-sequences that only grow, \Recent claimed once, expunge history for QRESYNC,
 * change events to every session of the user. Not for production use.
 */

interface StoredMessage {
  state: MessageState;
  readonly bytes: Buffer;
}

interface Folder {
  name: string;
  specialUse?: SpecialUse;
  subscribed: boolean;
  readonly uidValidity: number;
  uidNext: number;
  highestModseq: number;
  readonly messages: Map<number, StoredMessage>;
  readonly expunged: { readonly uid: number; readonly modseq: number }[];
  /** UIDs up to this were shown to a session as \Recent already. */
  recentClaimedUpTo: number;
}

interface UserMailbox {
  readonly password: string;
  readonly folders: Map<string, Folder>;
  readonly events: EventEmitter;
  storageLimitBytes?: number;
}

let nextUidValidity = 1_700_000_000;

function normalize(name: string): string {
  return name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}

export class InMemoryMailStore implements ImapAuthenticator {
  private readonly users = new Map<string, UserMailbox>();

  /** Adds a user with INBOX and the special-use folders every new Dizi user gets. */
  addUser(
    user: string,
    password: string,
    options: { storageLimitBytes?: number } = {},
  ): InMemoryMailboxAccess {
    const mailbox: UserMailbox = {
      password,
      folders: new Map(),
      events: new EventEmitter(),
      storageLimitBytes: options.storageLimitBytes,
    };
    mailbox.events.setMaxListeners(0);
    this.users.set(user, mailbox);
    const access = new InMemoryMailboxAccess(mailbox);
    access.createFolderSync('INBOX');
    access.createFolderSync('Sent', '\\Sent');
    access.createFolderSync('Drafts', '\\Drafts');
    access.createFolderSync('Trash', '\\Trash');
    access.createFolderSync('Junk', '\\Junk');
    return access;
  }

  async authenticate(user: string, password: string): Promise<MailboxAccess | null> {
    const mailbox = this.users.get(user);
    if (!mailbox || mailbox.password !== password) return null;
    return new InMemoryMailboxAccess(mailbox);
  }
}

export class InMemoryMailboxAccess implements MailboxAccess {
  constructor(private readonly mailbox: UserMailbox) {}

  private folder(name: string): Folder {
    const folder = this.mailbox.folders.get(normalize(name));
    if (!folder) throw new MailboxAccessError('NONEXISTENT', `No folder ${name}`);
    return folder;
  }

  private emit(folder: string, kind: MailboxChange['kind']): void {
    const change: MailboxChange = { folder, kind };
    // Like a store publishing through Redis: listeners hear of it after the call returns.
    setImmediate(() => this.mailbox.events.emit('change', change));
  }

  createFolderSync(name: string, specialUse?: SpecialUse): void {
    const key = normalize(name);
    if (this.mailbox.folders.has(key))
      throw new MailboxAccessError('ALREADYEXISTS', `${name} exists`);
    this.mailbox.folders.set(key, {
      name: key,
      specialUse,
      subscribed: true,
      uidValidity: nextUidValidity++,
      uidNext: 1,
      highestModseq: 1,
      messages: new Map(),
      expunged: [],
      recentClaimedUpTo: 0,
    });
  }

  async listFolders(): Promise<FolderInfo[]> {
    return [...this.mailbox.folders.values()].map((f) => ({
      name: f.name,
      subscribed: f.subscribed,
      ...(f.specialUse && { specialUse: f.specialUse }),
    }));
  }

  async createFolder(name: string, specialUse?: SpecialUse): Promise<void> {
    this.createFolderSync(name, specialUse);
    this.emit(normalize(name), 'folders');
  }

  async renameFolder(from: string, to: string): Promise<void> {
    const source = this.folder(from);
    if (source.name === 'INBOX')
      throw new MailboxAccessError('CANNOT', 'INBOX cannot be renamed here');
    if (this.mailbox.folders.has(normalize(to)))
      throw new MailboxAccessError('ALREADYEXISTS', `${to} exists`);
    const oldName = source.name;
    for (const folder of [...this.mailbox.folders.values()]) {
      if (folder.name === oldName || folder.name.startsWith(`${oldName}/`)) {
        this.mailbox.folders.delete(folder.name);
        folder.name = to + folder.name.slice(oldName.length);
        this.mailbox.folders.set(folder.name, folder);
      }
    }
    this.emit(to, 'folders');
  }

  async deleteFolder(name: string): Promise<void> {
    const folder = this.folder(name);
    if (folder.name === 'INBOX') throw new MailboxAccessError('CANNOT', 'INBOX cannot be deleted');
    this.mailbox.folders.delete(folder.name);
    this.emit(folder.name, 'folders');
  }

  async setSubscribed(name: string, subscribed: boolean): Promise<void> {
    this.folder(name).subscribed = subscribed;
  }

  async selectFolder(name: string, options: { claimRecent: boolean }): Promise<FolderSnapshot> {
    const folder = this.folder(name);
    const messages = [...folder.messages.values()]
      .map((m) => m.state)
      .sort((a, b) => a.uid - b.uid);
    const recentUids = messages.filter((m) => m.uid > folder.recentClaimedUpTo).map((m) => m.uid);
    if (options.claimRecent && messages.length)
      folder.recentClaimedUpTo = messages[messages.length - 1].uid;
    return {
      uidValidity: folder.uidValidity,
      uidNext: folder.uidNext,
      highestModseq: folder.highestModseq,
      messages,
      recentUids,
    };
  }

  async readMessage(folder: string, uid: number): Promise<Buffer> {
    const message = this.folder(folder).messages.get(uid);
    if (!message) throw new MailboxAccessError('NONEXISTENT', `No message ${uid}`);
    return message.bytes;
  }

  /**
   * Goes through `readMessage` per message (so a test that replaces `readMessage` still
   * sees every read), cutting the header block off for `readHeader` as the store does.
   */
  async openMessages(folder: string, uids: readonly number[]): Promise<MessageSource> {
    void uids; // Everything is in memory: nothing to locate in advance.
    const read = async (uid: number): Promise<Buffer | undefined> => {
      try {
        return await this.readMessage(folder, uid);
      } catch (error) {
        if (error instanceof MailboxAccessError && error.code === 'NONEXISTENT') return undefined;
        throw error;
      }
    };
    return {
      read,
      readHeader: async (uid) => {
        const bytes = await read(uid);
        return bytes?.subarray(0, findBodyStart(bytes, 0, bytes.length));
      },
    };
  }

  private usedBytes(): number {
    let total = 0;
    for (const folder of this.mailbox.folders.values()) {
      for (const message of folder.messages.values()) total += message.state.size;
    }
    return total;
  }

  private insert(
    folder: Folder,
    bytes: Buffer,
    flags: readonly string[],
    internalDate: Date,
  ): number {
    const limit = this.mailbox.storageLimitBytes;
    if (limit !== undefined && this.usedBytes() + bytes.length > limit) {
      throw new MailboxAccessError('OVERQUOTA', 'Quota exceeded');
    }
    const uid = folder.uidNext++;
    const modseq = ++folder.highestModseq;
    folder.messages.set(uid, {
      state: { uid, flags: [...new Set(flags)], modseq, internalDate, size: bytes.length },
      bytes,
    });
    return uid;
  }

  async appendMessage(
    name: string,
    message: Buffer,
    flags: readonly string[],
    internalDate: Date,
  ): Promise<{ uidValidity: number; uid: number }> {
    const folder = this.folder(name);
    const uid = this.insert(folder, Buffer.from(message), flags, internalDate);
    this.emit(folder.name, 'added');
    return { uidValidity: folder.uidValidity, uid };
  }

  async storeFlags(
    name: string,
    uids: readonly number[],
    operation: FlagOperation,
    flags: readonly string[],
    unchangedSince?: number,
  ): Promise<StoreFlagsResult> {
    const folder = this.folder(name);
    const updated: MessageState[] = [];
    const modified: number[] = [];
    for (const uid of uids) {
      const message = folder.messages.get(uid);
      if (!message) continue;
      if (unchangedSince !== undefined && message.state.modseq > unchangedSince) {
        modified.push(uid);
        continue;
      }
      const current = new Set(message.state.flags);
      const next =
        operation === 'set'
          ? new Set(flags)
          : operation === 'add'
            ? new Set([...current, ...flags])
            : new Set([...current].filter((f) => !flags.includes(f)));
      const same = next.size === current.size && [...next].every((f) => current.has(f));
      if (same) continue;
      message.state = { ...message.state, flags: [...next], modseq: ++folder.highestModseq };
      updated.push(message.state);
    }
    if (updated.length) this.emit(folder.name, 'flags');
    return { updated, modified };
  }

  async copyMessages(from: string, uids: readonly number[], to: string): Promise<CopyResult> {
    const source = this.folder(from);
    const target = this.folder(to);
    const sourceUids: number[] = [];
    const destinationUids: number[] = [];
    for (const uid of [...uids].sort((a, b) => a - b)) {
      const message = source.messages.get(uid);
      if (!message) continue;
      sourceUids.push(uid);
      destinationUids.push(
        this.insert(target, message.bytes, message.state.flags, message.state.internalDate),
      );
    }
    if (destinationUids.length) this.emit(target.name, 'added');
    return { uidValidity: target.uidValidity, sourceUids, destinationUids };
  }

  async moveMessages(from: string, uids: readonly number[], to: string): Promise<CopyResult> {
    const result = await this.copyMessages(from, uids, to);
    const source = this.folder(from);
    for (const uid of result.sourceUids) this.remove(source, uid);
    if (result.sourceUids.length) this.emit(source.name, 'expunged');
    return result;
  }

  private remove(folder: Folder, uid: number): void {
    folder.messages.delete(uid);
    folder.expunged.push({ uid, modseq: ++folder.highestModseq });
  }

  async expunge(name: string, uids?: readonly number[]): Promise<number[]> {
    const folder = this.folder(name);
    const removed: number[] = [];
    for (const [uid, message] of [...folder.messages].sort((a, b) => a[0] - b[0])) {
      if (!message.state.flags.includes('\\Deleted')) continue;
      if (uids && !uids.includes(uid)) continue;
      this.remove(folder, uid);
      removed.push(uid);
    }
    if (removed.length) this.emit(folder.name, 'expunged');
    return removed;
  }

  async expungedSince(name: string, modseq: number): Promise<number[]> {
    return this.folder(name)
      .expunged.filter((entry) => entry.modseq > modseq)
      .map((entry) => entry.uid);
  }

  async getQuota(): Promise<QuotaUsage> {
    let messageCount = 0;
    for (const folder of this.mailbox.folders.values()) messageCount += folder.messages.size;
    return {
      storageUsedBytes: this.usedBytes(),
      messageCount,
      ...(this.mailbox.storageLimitBytes !== undefined && {
        storageLimitBytes: this.mailbox.storageLimitBytes,
      }),
    };
  }

  subscribe(listener: (change: MailboxChange) => void): () => void {
    this.mailbox.events.on('change', listener);
    return () => this.mailbox.events.off('change', listener);
  }
}
