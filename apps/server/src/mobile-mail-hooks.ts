import { promises as fs } from 'node:fs';
import { ALERT_READ_LIMIT, MailBouncer, Notify } from '@dizi/notify';
import { localFailure, SpoolProcessorHooks, SystemNotices } from '@dizi/smtp';

/** The head of a spooled message: all an SMS text needs (attachments come later). */
async function readSpooledHead(file: string): Promise<Buffer> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(ALERT_READ_LIMIT);
    const { bytesRead } = await fh.read(buf, 0, ALERT_READ_LIMIT, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Where a mail becomes an SMS (issue 5, H3 and H5), as spool processor hooks: mail to
 * `<number>@<smsDomain>` is sent as SMS instead of stored or relayed, and a mail whose
 * sender asked for it (X-Dizi-Notify: sms, the API) tells its recipients by SMS.
 * `notify` is read when a mail is processed: it is built after the processor.
 */
export function mobileMailHooks(
  notify: () => Notify,
): Pick<SpoolProcessorHooks, 'claimed' | 'notifySms'> {
  return {
    claimed: {
      claims: (address) => notify().mailToSms.claims(address),
      deliver: async (entry, recipients) =>
        notify().mailToSms.deliver(entry, await readSpooledHead(entry.messageFile), recipients),
    },
    notifySms: async (entry, recipients) => {
      await notify().notices.notify(entry, await readSpooledHead(entry.messageFile), recipients);
    },
  };
}

/** A failed SMS of a mail bounces like any undeliverable mail. */
export function mailBouncer(notices: SystemNotices): MailBouncer {
  return (b) =>
    notices.bounce(b.sender, b.arrivalDate, b.envId, b.headers, b.failed.map(localFailure));
}
