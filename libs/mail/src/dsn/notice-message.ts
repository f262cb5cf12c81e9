import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { NoticeLanguage, NoticeTemplates } from './notice-templates';

/** Notices that are plain mails to a local user (M10): the welcome and the quota warning. */
export type UserNoticeName = 'welcome' | 'quota-warning';

export interface UserNoticeRequest {
  name: UserNoticeName;
  language: NoticeLanguage;
  /** The user's address, e.g. li.lei@example.cn. */
  to: string;
  /** Sender shown to the user, e.g. postmaster@example.cn. */
  from: string;
  /** Placeholder values; see the templates for the names each one uses. */
  values: Record<string, string>;
  /** Host name for the Message-ID. */
  hostname: string;
  date?: Date;
}

/**
 * Builds a notice mail from an editable template with nodemailer's composer: a UTF-8
 * text part, quoted-printable, subject MIME-encoded. Returns the raw message, ready to
 * be stored in the user's mailbox by local delivery.
 */
export async function buildUserNotice(
  templates: NoticeTemplates,
  request: UserNoticeRequest,
): Promise<Buffer> {
  const notice = await templates.render(request.name, request.language, request.values);
  const composer = new MailComposer({
    from: request.from,
    to: request.to,
    subject: notice.subject,
    text: notice.body,
    textEncoding: 'quoted-printable',
    date: request.date ?? new Date(),
    messageId: `<${request.name}.${randomUUID()}@${request.hostname}>`,
    // RFC 3834: generated, not written by a person; auto-responders must not answer.
    headers: { 'Auto-Submitted': 'auto-generated' },
    xMailer: false,
  });
  return composer.compile().build();
}
