import { randomBytes, randomUUID } from 'node:crypto';
import libmime from 'libmime';
import { encode as encodeQuotedPrintable, wrap as wrapQuotedPrintable } from 'nodemailer/lib/qp';
import {
  formatDeliveryStatus,
  rfc5322Date,
  type DsnAction,
  type DsnRecipient,
} from './delivery-status';
import { InvalidDsnRequestError, NullSenderDsnError } from './dsn.errors';
import { extractHeaderBlock, headerValue } from './header-block';
import type { NoticeLanguage, NoticeTemplates } from './notice-templates';

export interface DsnRequest {
  action: DsnAction;
  /** Our host name: Reporting-MTA, the From domain and the Message-ID domain. */
  reportingMta: string;
  /** Envelope sender of the original message; the DSN goes there. '' (null sender) is refused. */
  returnPath: string;
  /** When we accepted the original message. */
  arrivalDate: Date;
  /** ENVID given by the sender (RFC 3461), if any. */
  originalEnvelopeId?: string;
  recipients: DsnRecipient[];
  /** The original message, or just its header section; only the headers are returned. */
  original: Buffer;
  language: NoticeLanguage;
  /** Who users may write to for help; default postmaster@reportingMta. */
  postmaster?: string;
  /** Now, unless a test fixes it. */
  date?: Date;
}

export interface BuiltDsn {
  /** Send with MAIL FROM:<> (RFC 3464 2: a DSN must not itself cause a DSN). */
  envelope: { sender: ''; recipients: [string] };
  /** The complete message, CRLF line ends, 7-bit. */
  message: Buffer;
  messageId: string;
}

const FROM_NAME: Record<NoticeLanguage, string> = {
  en: 'Mail Delivery System',
  zh: '邮件投递系统',
};

const LABELS: Record<
  NoticeLanguage,
  { status: string; server: string; reply: string; reason: string }
> = {
  en: { status: 'Status', server: 'Remote server', reply: 'It said', reason: 'Reason' },
  zh: { status: '状态码', server: '对方服务器', reply: '服务器回复', reason: '原因' },
};

/**
 * Builds a delivery status notification (RFC 3464): multipart/report with a human part
 * from the editable template, the message/delivery-status part, and the original
 * headers as text/rfc822-headers. Built by hand because the report's field layout and
 * part order must be exact.
 */
export class DsnBuilder {
  constructor(private readonly templates: NoticeTemplates) {}

  async build(request: DsnRequest): Promise<BuiltDsn> {
    if (request.returnPath.trim() === '' || request.returnPath.trim() === '<>') {
      throw new NullSenderDsnError();
    }
    validate(request);
    const date = request.date ?? new Date();
    const headers = extractHeaderBlock(request.original);
    const postmaster = request.postmaster ?? `postmaster@${request.reportingMta}`;
    const originalSubject = headerValue(headers, 'Subject') ?? '';
    const latestRetry = request.recipients
      .map((r) => r.willRetryUntil)
      .filter((d): d is Date => d instanceof Date)
      .sort((a, b) => b.getTime() - a.getTime())[0];

    const notice = await this.templates.render(
      request.action === 'failed' ? 'dsn-failed' : 'dsn-delayed',
      request.language,
      {
        reportingMta: request.reportingMta,
        sender: request.returnPath,
        arrivalDate: rfc5322Date(request.arrivalDate),
        originalSubject,
        recipients: describeRecipients(request.recipients, request.language),
        postmaster,
        willRetryUntil: latestRetry ? rfc5322Date(latestRetry) : '',
      },
    );

    const boundary = `=_dizi_dsn_${randomBytes(12).toString('hex')}`;
    const messageId = `<${randomUUID()}@${request.reportingMta}>`;
    const report = formatDeliveryStatus({
      reportingMta: request.reportingMta,
      originalEnvelopeId: request.originalEnvelopeId,
      arrivalDate: request.arrivalDate,
      action: request.action,
      recipients: request.recipients,
    });
    const headersAreAscii = !headers.some((byte) => byte >= 0x80);

    const lines = [
      headerLine(
        'From',
        `${libmime.encodeWords(FROM_NAME[request.language], 'B', 52)} <MAILER-DAEMON@${request.reportingMta}>`,
      ),
      headerLine('To', `<${request.returnPath}>`),
      headerLine('Subject', libmime.encodeWords(notice.subject, 'B', 52)),
      headerLine('Date', rfc5322Date(date)),
      headerLine('Message-ID', messageId),
      // RFC 3834: an automatic reply; auto-responders must not answer it.
      headerLine('Auto-Submitted', 'auto-replied'),
      headerLine('MIME-Version', '1.0'),
      `Content-Type: multipart/report; report-type=delivery-status;\r\n boundary="${boundary}"`,
      '',
      'This is a MIME-encapsulated message (a delivery status notification).',
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      ...humanPart(notice.body),
      `--${boundary}`,
      'Content-Type: message/delivery-status',
      'Content-Description: Delivery report',
      '',
      report,
      `--${boundary}`,
      'Content-Type: text/rfc822-headers',
      headersAreAscii
        ? 'Content-Transfer-Encoding: 7bit'
        : 'Content-Transfer-Encoding: quoted-printable',
      'Content-Description: Undelivered message headers',
      '',
      headersAreAscii
        ? withCrlf(headers.toString('latin1'))
        : wrapQuotedPrintable(encodeQuotedPrintable(withCrlfBytes(headers)), 76),
      `--${boundary}--`,
      '',
    ];
    return {
      envelope: { sender: '', recipients: [request.returnPath] },
      message: Buffer.from(lines.join('\r\n'), 'latin1'),
      messageId,
    };
  }
}

function validate(request: DsnRequest): void {
  if (request.recipients.length === 0) {
    throw new InvalidDsnRequestError('a delivery status notification needs at least one recipient');
  }
  const expectedClass = request.action === 'failed' ? '5' : '4';
  for (const recipient of request.recipients) {
    if (!/^[245]\.\d{1,3}\.\d{1,3}$/.test(recipient.status)) {
      throw new InvalidDsnRequestError(
        `status "${recipient.status}" of ${recipient.finalRecipient} is not an enhanced status code like 5.1.1 (RFC 3463)`,
      );
    }
    if (recipient.status[0] !== expectedClass) {
      throw new InvalidDsnRequestError(
        `action "${request.action}" needs ${expectedClass}.x.x statuses, but ${recipient.finalRecipient} has ${recipient.status}`,
      );
    }
  }
  if (/[\r\n<>]/.test(request.returnPath) || !request.returnPath.includes('@')) {
    throw new InvalidDsnRequestError(`return path "${request.returnPath}" is not a mail address`);
  }
}

/** The recipient list shown in the human part, in the notice's language. */
function describeRecipients(recipients: DsnRecipient[], language: NoticeLanguage): string {
  const label = LABELS[language];
  return recipients
    .map((r) => {
      const lines = [`  <${r.finalRecipient}>`, `    ${label.status}: ${r.status}`];
      if (r.remoteMta) lines.push(`    ${label.server}: ${r.remoteMta}`);
      if (r.smtpDiagnostic) lines.push(`    ${label.reply}: ${r.smtpDiagnostic}`);
      else if (r.localDiagnostic) lines.push(`    ${label.reason}: ${r.localDiagnostic}`);
      return lines.join('\n');
    })
    .join('\n\n');
}

/**
 * The notice text: as is when ASCII; base64 otherwise, a third smaller than
 * quoted-printable for Chinese and what Chinese mail clients expect.
 */
function humanPart(body: string): string[] {
  // 7bit also needs lines under 998 octets (RFC 5322 2.1.1); an admin's template may not have them.
  const ascii =
    !/[^\p{ASCII}]/u.test(body) && body.split('\r\n').every((line) => line.length <= 998);
  return [
    `Content-Transfer-Encoding: ${ascii ? '7bit' : 'base64'}`,
    'Content-Description: Notification',
    '',
    ascii
      ? body
      : (
          Buffer.from(body, 'utf8')
            .toString('base64')
            .match(/.{1,76}/g) ?? []
        ).join('\r\n') + '\r\n',
  ];
}

/** A header line, ASCII only (values are pre-encoded), folded at 76 columns. */
function headerLine(name: string, value: string): string {
  return libmime.foldLines(`${name}: ${value}`, 76).replace(/\r?\n$/, '');
}

/** The header block with CRLF line ends, ending in exactly one CRLF (no blank line). */
function withCrlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n').replace(/(\r\n)*$/, '\r\n');
}

function withCrlfBytes(bytes: Buffer): Buffer {
  return Buffer.from(withCrlf(bytes.toString('latin1')), 'latin1');
}
