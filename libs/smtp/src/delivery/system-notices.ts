import type { Logger } from 'pino';
import { Spool, SpoolEntry } from '../spool';
import type { FailedRecipient } from './spool-processor';

/** Builds the raw bytes of the mails Dizi writes itself (M10 templates). */
export interface NoticeComposer {
  /** An RFC 3464 failure DSN for `failed` recipients of a message from `sender`. */
  failureDsn(input: {
    sender: string;
    arrivalDate: Date;
    envId?: string | null;
    originalHeaders: Buffer;
    failed: Array<FailedRecipient & { remoteHost?: string | null }>;
  }): Buffer;
  /** The quota warning mail (M5). */
  quotaWarning(input: { to: string; usedBytes: number; quotaBytes: number }): Buffer;
}

/**
 * Sends the mails the system itself writes, bounces and quota warnings, through the
 * spool like any other mail, from the null sender `<>` so they can never bounce back
 * (no bounce storms, S10).
 */
export class SystemNotices {
  constructor(
    private readonly spool: Spool,
    private readonly composer: NoticeComposer,
    private readonly submit: (entry: SpoolEntry) => void,
    private readonly log: Logger,
  ) {}

  async bounce(
    sender: string,
    arrivalDate: Date,
    envId: string | null | undefined,
    originalHeaders: Buffer,
    failed: Array<FailedRecipient & { remoteHost?: string | null }>,
  ): Promise<void> {
    if (!sender) return; // never a bounce to <>
    const raw = this.composer.failureDsn({ sender, arrivalDate, envId, originalHeaders, failed });
    await this.send(sender, raw);
    this.log.info({ to: sender, failed: failed.map((f) => f.recipient) }, 'bounce sent');
  }

  async quotaWarning(to: string, usedBytes: number, quotaBytes: number): Promise<void> {
    await this.send(to, this.composer.quotaWarning({ to, usedBytes, quotaBytes }));
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
