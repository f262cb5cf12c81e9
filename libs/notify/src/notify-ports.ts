/** What notify needs from the SMS service (libs/sms SmsService fits). */
export interface SmsSender {
  send(input: {
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
}) => Promise<void>;

/** Reads a stored message (the blob store fits). */
export interface MessageReader {
  read(id: string): Promise<Buffer>;
}
