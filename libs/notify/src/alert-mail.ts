import { simpleParser } from 'mailparser';
import { headerEnd, parseHeaderBlock, decodeHeaderValue } from '@dizi/mail';

/** What a rule and an alert text need from a delivered message, all decoded to Unicode. */
export interface AlertMail {
  /** Lower-cased address of the From header ('' when there is none). */
  fromAddress: string;
  /** The display name, or the address when there is no name. */
  fromName: string;
  subject: string;
  priority: 'high' | 'normal' | 'low';
  /** Marked as spam or as infected by a filter in front of us: never alerts. */
  junk: boolean;
  /** The plain-text body: the text part, or the HTML part turned into text. */
  body: string;
  /** The Message-ID header as written (`<id@host>`), '' when there is none. */
  messageId?: string;
}

/**
 * Reading more than this of a message is waste: an alert shows 70 characters, and the
 * text part comes before attachments in practice. A cut MIME tree still parses.
 */
export const ALERT_READ_LIMIT = 512 * 1024;

/**
 * Decodes a raw message for alerting: headers through the mail lib (RFC 2047 and raw
 * 8-bit GB18030 headers), the body through mailparser (any charset iconv knows:
 * GB2312, GBK, BIG5, UTF-8; quoted-printable and base64; HTML turned into text).
 */
export async function readAlertMail(raw: Buffer): Promise<AlertMail> {
  const end = headerEnd(raw);
  const headers = parseHeaderBlock(end < 0 ? raw : raw.subarray(0, end));
  const header = (name: string) => {
    const h = headers.find((x) => x.name.toLowerCase() === name);
    return h ? decodeHeaderValue(h.value) : '';
  };
  const from = parseMailbox(header('from'));
  const parsed = await simpleParser(raw, {
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
  }).catch(() => null);
  // A message mailparser cannot read still alerts with what the headers say.
  const body = parsed ? (parsed.text ?? '') : '';
  return {
    fromAddress: from.address,
    fromName: from.name || from.address,
    subject: header('subject'),
    priority:
      mailparserPriority(parsed?.headers.get('priority')) ??
      priorityOf(header('x-priority'), header('importance')),
    junk: isJunk(header('x-spam-flag'), header('x-spam-status'), header('x-virus-status')),
    body: cleanBody(body),
    messageId: header('message-id').trim(),
  };
}

/** `"Name" <addr>`, `Name <addr>` or a bare address. */
export function parseMailbox(value: string): { name: string; address: string } {
  const angle = /^(.*)<([^<>]*)>\s*$/.exec(value);
  if (angle) {
    const name = angle[1]
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim();
    return { name, address: angle[2].trim().toLowerCase() };
  }
  const bare = value.trim();
  return { name: '', address: bare.includes('@') ? bare.toLowerCase() : '' };
}

/** mailparser folds Priority, X-Priority, X-MSMail-Priority and Importance into one value. */
function mailparserPriority(v: unknown): AlertMail['priority'] | null {
  return v === 'high' || v === 'normal' || v === 'low' ? v : null;
}

function priorityOf(xPriority: string, importance: string): AlertMail['priority'] {
  if (/^[12]\b/.test(xPriority) || /^high/i.test(importance)) return 'high';
  if (/^[45]\b/.test(xPriority) || /^low/i.test(importance)) return 'low';
  return 'normal';
}

function isJunk(spamFlag: string, spamStatus: string, virusStatus: string): boolean {
  return /^yes\b/i.test(spamFlag) || /^yes\b/i.test(spamStatus) || /^infected\b/i.test(virusStatus);
}

/**
 * The lines a phone user wants: quoted replies (`> ...`), the signature after "-- " and
 * the "On ... wrote:" line before a quote add nothing to a 70-character alert.
 */
function cleanBody(text: string): string {
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '-- ' || line === '--') break;
    if (/^\s*>/.test(line)) continue;
    lines.push(line);
  }
  while (lines.length && /(wrote|写道)[:：]\s*$/.test(lines[lines.length - 1])) lines.pop();
  return lines.join('\n').trim();
}
