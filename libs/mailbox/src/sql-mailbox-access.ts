import { randomBytes } from 'node:crypto';
import {
  CopyResult,
  FlagOperation,
  FolderInfo,
  FolderSnapshot,
  MailboxAccess,
  MailboxAccessError,
  MailboxChange,
  MessageSource,
  MessageState,
  QuotaUsage,
  SpecialUse,
  StoreFlagsResult,
} from '@dizi/imap';
import { summarizeMessage } from '@dizi/mail';
import {
  BlobStore,
  DirectoryRepository,
  headerEnd,
  MailboxError,
  MailboxRepository,
  MessageEntity,
  splitFlags,
} from '@dizi/store';
import { MailboxEvents } from './mailbox-events';

/**
 * One user's mailboxes for IMAP (and POP3) sessions, over SQL rows and the blob store.
 * Every change is published through MailboxEvents so other sessions, in any process,
 * learn of it.
 */
export class SqlMailboxAccess implements MailboxAccess {
  constructor(
    private readonly userId: number,
    private readonly mailboxes: MailboxRepository,
    private readonly directory: DirectoryRepository,
    private readonly blobs: BlobStore,
    private readonly events: MailboxEvents,
  ) {}

  async listFolders(): Promise<FolderInfo[]> {
    return (await this.mailboxes.listFolders(this.userId)).map((f) => ({
      name: f.name,
      specialUse: (f.specialUse ?? undefined) as SpecialUse | undefined,
      subscribed: f.subscribed,
    }));
  }

  async createFolder(name: string, specialUse?: SpecialUse): Promise<void> {
    await this.guard(() => this.mailboxes.createFolder(this.userId, name, specialUse ?? null));
    this.emit({ folder: name, kind: 'folders' });
  }

  async renameFolder(from: string, to: string): Promise<void> {
    if (from.toUpperCase() === 'INBOX') {
      throw new MailboxAccessError(
        'CANNOT',
        'INBOX cannot be renamed here; move its messages instead',
      );
    }
    await this.guard(() => this.mailboxes.renameFolder(this.userId, from, to));
    this.emit({ folder: from, kind: 'folders' });
  }

  async deleteFolder(name: string): Promise<void> {
    if (name.toUpperCase() === 'INBOX')
      throw new MailboxAccessError('CANNOT', 'INBOX cannot be deleted');
    const folders = await this.mailboxes.listFolders(this.userId);
    if (folders.some((f) => f.name.startsWith(`${name}/`))) {
      throw new MailboxAccessError('CANNOT', `${name} has subfolders; delete them first`);
    }
    const freed = await this.guard(() => this.mailboxes.deleteFolder(this.userId, name));
    await this.free(freed);
    this.emit({ folder: name, kind: 'folders' });
  }

  async setSubscribed(name: string, subscribed: boolean): Promise<void> {
    await this.guard(() => this.mailboxes.setSubscribed(this.userId, name, subscribed));
  }

  async selectFolder(
    name: string,
    options: { readonly claimRecent: boolean },
  ): Promise<FolderSnapshot> {
    const s = await this.guard(() =>
      this.mailboxes.snapshot(this.userId, name, options.claimRecent),
    );
    return {
      uidValidity: s.folder.uidValidity,
      uidNext: s.folder.uidNext,
      highestModseq: s.folder.highestModseq,
      messages: s.messages.map(state),
      recentUids: s.recentUids,
    };
  }

  async readMessage(folder: string, uid: number): Promise<Buffer> {
    const where = await this.mailboxes.locateMessage(this.userId, folder, uid);
    if (!where)
      throw new MailboxAccessError('NONEXISTENT', `message ${uid} in ${folder} no longer exists`);
    return this.blobs.read(where.blobId, where.size);
  }

  async openMessages(folder: string, uids: readonly number[]): Promise<MessageSource> {
    let from = Infinity;
    let to = -Infinity;
    for (const uid of uids) {
      if (uid < from) from = uid;
      if (uid > to) to = uid;
    }
    const located = uids.length
      ? await this.mailboxes.locateMessages(this.userId, folder, from, to)
      : new Map<number, { blobId: string; size: number }>();
    const blobs = this.blobs;
    // A blob deleted since it was located (its last copy expunged) reads as gone.
    const gone = (err: unknown): undefined => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    };
    return {
      async read(uid) {
        const where = located.get(uid);
        if (!where) return undefined;
        return blobs.read(where.blobId, where.size).catch(gone);
      },
      readHeader(uid) {
        const where = located.get(uid);
        if (!where) return undefined;
        // Most headers of a folder listed before are in memory: no promise for them.
        const cached = blobs.cachedHeader?.(where.blobId);
        if (cached) return cached;
        const header = blobs.readHeader
          ? blobs.readHeader(where.blobId, where.size)
          : blobs.read(where.blobId, where.size).then(headerOnly);
        return header.catch(gone);
      },
    };
  }

  async appendMessage(
    folder: string,
    message: Buffer,
    flags: readonly string[],
    internalDate: Date,
  ) {
    const blobId = `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
    await this.blobs.put(blobId, message);
    const s = summarizeMessage(message);
    try {
      const r = await this.guard(() =>
        this.mailboxes.append(
          this.userId,
          folder,
          {
            blobId,
            size: message.length,
            internalDate: internalDate.getTime(),
            summary: { subject: s.subject, from: s.from, to: s.to, messageId: s.messageId },
          },
          flags.join(' '),
        ),
      );
      this.emit({ folder, kind: 'added' });
      return r;
    } catch (err) {
      await this.blobs.delete(blobId);
      throw err;
    }
  }

  async storeFlags(
    folder: string,
    uids: readonly number[],
    operation: FlagOperation,
    flags: readonly string[],
    unchangedSince?: number,
  ): Promise<StoreFlagsResult> {
    const change = (current: string[]): string[] => {
      // \Recent is session state, never stored (RFC 3501 2.3.2).
      const wanted = flags.filter((f) => f.toLowerCase() !== '\\recent');
      if (operation === 'set') return [...wanted];
      if (operation === 'add') return [...current, ...wanted];
      const drop = new Set(wanted.map((f) => f.toLowerCase()));
      return current.filter((f) => !drop.has(f.toLowerCase()));
    };
    const r = await this.guard(() =>
      this.mailboxes.storeFlags(this.userId, folder, uids, change, unchangedSince),
    );
    if (r.updated.length) this.emit({ folder, kind: 'flags' });
    return { updated: r.updated.map(state), modified: r.modified };
  }

  copyMessages(from: string, uids: readonly number[], to: string): Promise<CopyResult> {
    return this.copyOrMove(from, uids, to, false);
  }

  moveMessages(from: string, uids: readonly number[], to: string): Promise<CopyResult> {
    return this.copyOrMove(from, uids, to, true);
  }

  private async copyOrMove(
    from: string,
    uids: readonly number[],
    to: string,
    move: boolean,
  ): Promise<CopyResult> {
    const r = await this.guard(() =>
      this.mailboxes.copyMessages(this.userId, from, uids, to, move),
    );
    await this.free(r.freed);
    if (r.destinationUids.length) this.emit({ folder: to, kind: 'added' });
    if (move && r.sourceUids.length) this.emit({ folder: from, kind: 'expunged' });
    return {
      uidValidity: r.uidValidity,
      sourceUids: r.sourceUids,
      destinationUids: r.destinationUids,
    };
  }

  async expunge(folder: string, uids?: readonly number[]): Promise<number[]> {
    const r = await this.guard(() => this.mailboxes.expunge(this.userId, folder, uids));
    await this.free(r.freed);
    if (r.uids.length) this.emit({ folder, kind: 'expunged' });
    return r.uids;
  }

  expungedSince(folder: string, modseq: number): Promise<number[]> {
    return this.guard(() => this.mailboxes.expungedSince(this.userId, folder, modseq));
  }

  async getQuota(): Promise<QuotaUsage> {
    const user = await this.directory.findUserById(this.userId);
    if (!user) throw new MailboxAccessError('NONEXISTENT', 'the account no longer exists');
    return {
      storageUsedBytes: user.usedBytes,
      storageLimitBytes: user.quotaBytes > 0 ? user.quotaBytes : undefined,
      messageCount: await this.mailboxes.countMessages(this.userId),
    };
  }

  subscribe(listener: (change: MailboxChange) => void): () => void {
    return this.events.subscribe(this.userId, listener);
  }

  private emit(change: MailboxChange): void {
    this.events.publish(this.userId, change);
  }

  private async free(blobIds: string[]): Promise<void> {
    for (const id of blobIds) await this.blobs.delete(id);
  }

  /** Store refusals become IMAP `NO [CODE]` answers. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof MailboxError) throw new MailboxAccessError(err.code, err.message);
      throw err;
    }
  }
}

/** The header block of a whole message (through the blank line), as BlobStore.readHeader. */
function headerOnly(message: Buffer): Buffer {
  const end = headerEnd(message);
  return end === -1 ? message : message.subarray(0, end);
}

function state(
  m: Pick<MessageEntity, 'uid' | 'flags' | 'modseq' | 'internalDate' | 'size'>,
): MessageState {
  return {
    uid: m.uid,
    flags: splitFlags(m.flags),
    modseq: m.modseq,
    internalDate: new Date(m.internalDate),
    size: m.size,
  };
}
