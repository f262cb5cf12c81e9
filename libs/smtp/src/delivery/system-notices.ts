import type { Logger } from 'pino';
import {
  buildUserNotice,
  DsnBuilder,
  DsnRecipient,
  NoticeLanguage,
  NoticeTemplates,
} from '@dizi/mail';
import { Spool, SpoolEntry } from '../spool';

/** A recipient that failed here, before any remote server was asked. */
export interface FailedRecipient {
  recipient: string;
  /** Enhanced status code (RFC 3463), e.g. 5.1.1. */
  status: string;
  /** What went wrong, in our own words. */
  diagnostic: string;
}

/** The DSN entry for a recipient that failed locally. */
export function localFailure(f: FailedRecipient): DsnRecipient {
  return {
    finalRecipient: f.recipient,
    status: f.status,
    localDiagnostic: f.diagnostic,
    lastAttemptDate: new Date(),
  };
}

/**
 * Sends the mails the system itself writes (M10): DSN bounces and quota warnings, built
 * from the editable templates and passed through the spool like any other mail, from
 * the null sender `<>` so they can never bounce back (no bounce storms, S10).
 */
export class SystemNotices {
  constructor(
    private readonly spool: Spool,
    private readonly templates: NoticeTemplates,
    private readonly hostname: string,
    private readonly language: NoticeLanguage,
    private readonly submit: (entry: SpoolEntry) => void,
    private readonly log: Logger,
  ) {}

  async bounce(
    sender: string,
    arrivalDate: Date,
    envId: string | null | undefined,
    originalHeaders: Buffer,
    failed: DsnRecipient[],
  ): Promise<void> {
    if (!sender) return; // never a bounce to <>
    const dsn = await new DsnBuilder(this.templates).build({
      action: 'failed',
      reportingMta: this.hostname,
      returnPath: sender,
      arrivalDate,
      originalEnvelopeId: envId ?? undefined,
      original: originalHeaders,
      language: this.language,
      recipients: failed,
    });
    await this.send(sender, dsn.message);
    this.log.info({ to: sender, failed: failed.map((f) => f.finalRecipient) }, 'bounce sent');
  }

  async quotaWarning(
    to: string,
    name: string,
    usedBytes: number,
    quotaBytes: number,
  ): Promise<void> {
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
    const raw = await buildUserNotice(this.templates, {
      name: 'quota-warning',
      language: this.language,
      to,
      from: `postmaster@${this.hostname}`,
      hostname: this.hostname,
      values: {
        address: to,
        name: name || to,
        used: mb(usedBytes),
        quota: mb(quotaBytes),
        free: mb(Math.max(0, quotaBytes - usedBytes)),
        postmaster: `postmaster@${this.hostname}`,
      },
    });
    await this.send(to, raw);
    this.log.info({ to, usedBytes, quotaBytes }, 'quota warning sent');
  }

  private async send(to: string, raw: Buffer): Promise<void> {
    const entry = await this.spool.put(raw, {
      sender: '',
      recipients: [{ address: to }],
      clientIp: '127.0.0.1',
      helo: 'localhost',
      receivedAt: Date.now(),
      via: 'internal',
    });
    this.submit(entry);
  }
}
