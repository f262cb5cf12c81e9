/** What the SMTP session knew about a message: written next to it in the spool. */
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
}

export interface SpoolEntry {
  id: string;
  messageFile: string;
  envelope: SpoolEnvelope;
}
