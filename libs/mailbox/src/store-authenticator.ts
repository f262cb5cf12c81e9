import type { ImapAuthenticator, MailboxAccess } from '@dizi/imap';
import { DirectoryService } from '@dizi/directory';
import { BlobStore, DirectoryRepository, MailboxRepository } from '@dizi/store';
import { MailboxEvents } from './mailbox-events';
import { SqlMailboxAccess } from './sql-mailbox-access';

/**
 * Logs a user in (the directory's password check) and opens their mailboxes, for IMAP
 * or POP3; a domain whose switch for the protocol is off refuses the login (M6).
 */
export class StoreAuthenticator implements ImapAuthenticator {
  constructor(
    private readonly protocol: 'imap' | 'pop3',
    private readonly directory: DirectoryService,
    private readonly directoryRepo: DirectoryRepository,
    private readonly mailboxes: MailboxRepository,
    private readonly blobs: BlobStore,
    private readonly events: MailboxEvents,
  ) {}

  async authenticate(user: string, password: string): Promise<MailboxAccess | null> {
    const account = await this.directory.authenticate(user, password);
    if (!account) return null;
    if (!(await this.directory.accessAllowed(account.address, this.protocol))) return null;
    return new SqlMailboxAccess(
      account.id,
      this.mailboxes,
      this.directoryRepo,
      this.blobs,
      this.events,
    );
  }
}
