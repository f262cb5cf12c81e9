/** What notify needs from the SMS service (libs/sms SmsService fits). */
export interface SmsSender {
  send(input: {
    /** The row id to use (see SmsService newSmsId); default a new one. */
    id?: string;
    to: string;
    text: string;
    purpose?: string;
    userId?: number | null;
  }): Promise<{ id: string }>;
}

/** Puts a mail Dizi writes itself into the spool, like any received mail (the app wires it). */
export type MailInjector = (mail: {
  sender: string;
  recipient: string;
  raw: Buffer;
  /** The mailbox the mail acts for (group post policies see it as authenticated). */
  authUser?: string;
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
