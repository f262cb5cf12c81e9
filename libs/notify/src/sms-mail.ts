import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';

export interface SmsMailInput {
  /** Canonical number of the phone; the mail comes from `<number>@<smsDomain>`. */
  number: string;
  smsDomain: string;
  /** The mailbox the phone is bound to: it answers for the mail (Sender:). */
  owner: string;
  to: string;
  /** Empty: the first line of the text, cut. */
  subject?: string;
  text: string;
  /** Id of the MO SMS row, kept in X-Dizi-Sms-Id. */
  smsId: string;
  /** Message-ID (with its <>) of the mail this one answers: In-Reply-To and References. */
  inReplyTo?: string;
}

const SUBJECT_CHARS = 40;

/** The first line of an SMS, cut to a subject's length. */
export function subjectOfSms(text: string): string {
  const first = Array.from(text.split(/\r?\n/)[0]);
  return first.length > SUBJECT_CHARS
    ? `${first.slice(0, SUBJECT_CHARS).join('')}…`
    : first.join('');
}

/** A mail written by a phone (H5): from the phone's own address, for its owner. */
export async function composeSmsMail(m: SmsMailInput): Promise<{ from: string; raw: Buffer }> {
  const from = `${m.number}@${m.smsDomain}`;
  const raw = await new MailComposer({
    from: { name: m.number, address: from },
    // The mailbox owner answers for what their phone sends (RFC 5322 3.6.2).
    sender: m.owner,
    to: m.to,
    subject: m.subject || subjectOfSms(m.text),
    text: m.text,
    textEncoding: 'base64',
    date: new Date(),
    messageId: `<sms.${m.smsId}.${randomUUID()}@${m.smsDomain}>`,
    ...(m.inReplyTo ? { inReplyTo: m.inReplyTo, references: [m.inReplyTo] } : {}),
    headers: { 'X-Dizi-Sms-Id': m.smsId },
    xMailer: false,
  })
    .compile()
    .build();
  return { from, raw };
}
