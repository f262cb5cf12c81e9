import { MailboxAccessError } from '@dizi/imap';
import { BlobStore, DirectoryRepository, MailboxRepository } from '@dizi/store';
import { MailboxEvents } from './mailbox-events';
import { SqlMailboxAccess } from './sql-mailbox-access';

/**
 * Messages the server writes into a user's folder itself (the SMS folder, issue 5),
 * through the same path as IMAP APPEND: blob first, then one transaction for quota,
 * UID and MODSEQ, then the change published so IDLE sessions see it. The folder is
 * created on first use, subscribed, without a special-use attribute (RFC 6154 has none
 * for SMS): clients list it by name.
 */
export class FolderAppender {
  constructor(
    private readonly mailboxes: MailboxRepository,
    private readonly directory: DirectoryRepository,
    private readonly blobs: BlobStore,
    private readonly events: MailboxEvents,
  ) {}

  async append(
    userId: number,
    folder: string,
    raw: Buffer,
    flags: readonly string[],
    date: Date,
  ): Promise<void> {
    const access = new SqlMailboxAccess(
      userId,
      this.mailboxes,
      this.directory,
      this.blobs,
      this.events,
    );
    if (!(await this.mailboxes.findFolder(userId, folder))) {
      try {
        await access.createFolder(folder);
      } catch (err) {
        // Another writer (or the user over IMAP) created it meanwhile: just as good.
        if (!(err instanceof MailboxAccessError && err.code === 'ALREADYEXISTS')) throw err;
      }
    }
    await access.appendMessage(folder, raw, flags, date);
  }
}
