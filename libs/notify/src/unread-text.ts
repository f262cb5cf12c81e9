import type { UnreadSummary } from '@dizi/store';
import { parseMailbox } from './alert-mail';
import { cutToBudget, smsAlphabet, smsCapacity, textCost } from './sms-length';

export interface UnreadTextOptions {
  /** SMS the answer may use (one or two in practice). */
  segments: number;
  gsmPerSegment?: number;
}

const SENDER_MAX = 16;
const SUBJECT_MAX = 24;

/**
 * The answer to "unread": how many unread INBOX mails there are, then the newest ones
 * as "n.sender《subject》", as many as fit the segments (each line cut to a fair share,
 * never split inside a character). The Chinese frame makes it a UCS-2 text.
 */
export function buildUnreadText(
  total: number,
  newest: UnreadSummary[],
  opts: UnreadTextOptions,
): string {
  if (total <= 0) return '收件箱没有未读邮件。No unread mail in INBOX.';
  const head = `未读邮件 ${total} 封 (${total} unread):`;
  const alphabet = smsAlphabet(`${head}《》`);
  const capacity = smsCapacity(alphabet, opts);
  const ellipsis = alphabet === 'gsm7' ? '...' : '…';
  let text = head;
  for (const [i, m] of newest.entries()) {
    const from = parseMailbox(m.from);
    const sender = cutToBudget(
      oneLine(from.name || from.address || '?'),
      SENDER_MAX,
      alphabet,
      ellipsis,
    );
    const subject = cutToBudget(oneLine(m.subject) || '-', SUBJECT_MAX, alphabet, ellipsis);
    const line = ` ${i + 1}.${sender}《${subject}》`;
    if (textCost(text + line, alphabet) > capacity) break;
    text += line;
  }
  return text;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
