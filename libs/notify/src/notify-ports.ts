/** What notify needs from the SMS service (libs/sms SmsService fits). */
export interface SmsSender {
  send(input: {
    /** The row id to use (see SmsService newSmsId); default a new one. */
    id?: string;
    to: string;
    text: string;
    purpose?: string;
    userId?: number | null;
    /** Digits after the service number: an answer to number + extension comes back to it. */
    sourceExtension?: string;
  }): Promise<{ id: string }>;
}

/** Puts a mail Dizi writes itself into the spool, like any received mail (the app wires it). */
export type MailInjector = (mail: {
  sender: string;
  recipient: string;
  raw: Buffer;
  /** The mailbox the mail acts for (group post policies see it as authenticated). */
  authUser?: string;
  /** Further envelope recipients of the same mail. */
  moreRecipients?: string[];
  /** Recipients are also told by SMS (H3 send-time notice; needs authUser). */
  notifySms?: boolean;
}) => Promise<void>;

/** A mail as the spool holds it (libs/smtp SpoolEntry fits). */
export interface SpooledMail {
  id: string;
  envelope: {
    sender: string;
    authUser?: string;
    /** How it came in: mx, submission, smtps, internal. */
    via: string;
    receivedAt: number;
    envId?: string;
  };
}

/** A recipient that failed here (libs/smtp FailedRecipient fits): it is bounced. */
export interface FailedMailRecipient {
  recipient: string;
  /** Enhanced status code (RFC 3463). */
  status: string;
  diagnostic: string;
}

/** Sends a DSN for recipients that failed after the mail was accepted (SystemNotices fits). */
export type MailBouncer = (bounce: {
  sender: string;
  arrivalDate: Date;
  envId: string | null;
  /** The mail's header block, quoted in the DSN. */
  headers: Buffer;
  failed: FailedMailRecipient[];
}) => Promise<void>;

/** Reads a stored message (the blob store fits). */
export interface MessageReader {
  read(id: string): Promise<Buffer>;
}

/**
 * Adds a message Dizi writes itself to a user's folder through the mailbox store's
 * normal append path (quota, UIDs, MODSEQ, IDLE pushes), creating the folder on first
 * use (libs/mailbox FolderAppender fits).
 */
export interface FolderWriter {
  append(
    userId: number,
    folder: string,
    raw: Buffer,
    flags: readonly string[],
    date: Date,
  ): Promise<void>;
}
