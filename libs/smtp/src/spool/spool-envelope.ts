import type { Resolution } from '@dizi/directory';

/** What the SMTP session knew about a message: its record in the spool journal. */
export interface SpoolEnvelope {
  /** Envelope sender; '' is the null sender `<>`. */
  sender: string;
  recipients: Array<{ address: string; notify?: string; orcpt?: string }>;
  /** The authenticated submitter, if any (group post policies, relay rights). */
  authUser?: string;
  clientIp: string;
  helo: string;
  receivedAt: number;
  envId?: string;
  ret?: string;
  /** How it came in, for logs: mx, submission, smtps, internal. */
  via: 'mx' | 'submission' | 'smtps' | 'internal';
  /**
   * The authenticated sender asked that recipients are also told by SMS (H3: the
   * `X-Dizi-Notify: sms` submission header, or the API).
   */
  notifySms?: boolean;
  /**
   * Size and decoded header fields, worked out while receiving, so delivery need not
   * read the file again. Absent for entries written by older versions or by `put`.
   */
  size?: number;
  summary?: { subject: string; from: string; to: string; messageId: string };
}

export interface SpoolEntry {
  id: string;
  messageFile: string;
  envelope: SpoolEnvelope;
  /**
   * In memory only (never in the journal): how each recipient resolved at RCPT time,
   * in envelope order, and when. Delivery uses it instead of looking the recipients up
   * again while it is fresh (see SpoolProcessor); an entry recovered at start has none.
   */
  resolved?: { at: number; resolutions: Resolution[] };
}
