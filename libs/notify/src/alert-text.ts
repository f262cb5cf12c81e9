import { cutToBudget, smsAlphabet, smsCapacity, textCost } from './sms-length';

export interface AlertTextInput {
  /** Who sent it, as the phone should show it (a display name or an address). */
  from: string;
  /** Local time label, e.g. "03-05 14:22". */
  time: string;
  subject: string;
  /** The decoded plain-text body. */
  body: string;
}

export interface AlertTextOptions {
  /** With {from}, {time}, {subject}, {body}. */
  template: string;
  segments: number;
  gsmPerSegment?: number;
}

export const DEFAULT_ALERT_TEMPLATE = '{from} {time} [{subject}] {body}';
/** A sender name longer than this is cut: the subject and body matter more. */
const FROM_MAX = 24;
/** Share of the room left after sender and time that a long subject leaves to the body. */
const BODY_SHARE = 1 / 3;

/**
 * The alert SMS (H2, 方案五): sender + time + subject + decoded body, fitted to the
 * given number of segments: 70 Chinese (UCS-2) or 160 GSM characters for one segment.
 * The alphabet is decided on the whole untrimmed text, so a cut never lands on a
 * budget of the wrong alphabet; cuts fall between characters and end with an ellipsis.
 */
export function buildAlertText(input: AlertTextInput, opts: AlertTextOptions): string {
  const from = oneLine(input.from);
  const subject = oneLine(input.subject) || '-';
  const body = oneLine(input.body);
  const render = (s: string, b: string, f = from) =>
    oneLine(
      opts.template
        .replaceAll('{from}', f)
        .replaceAll('{time}', input.time)
        .replaceAll('{subject}', s)
        .replaceAll('{body}', b),
    );
  const alphabet = smsAlphabet(render(subject, body));
  const ellipsis = alphabet === 'gsm7' ? '...' : '…';
  const capacity = smsCapacity(alphabet, opts);
  const shortFrom = cutToBudget(from, FROM_MAX, alphabet, ellipsis);
  const full = render(subject, body, shortFrom);
  if (textCost(full, alphabet) <= capacity) return full;

  const room = capacity - textCost(render('', '', shortFrom), alphabet);
  if (room <= 0) return cutToBudget(render('', '', shortFrom), capacity, alphabet, ellipsis);
  const subjectCost = textCost(subject, alphabet);
  const bodyCost = textCost(body, alphabet);
  const bodyReserve = Math.min(bodyCost, Math.floor(room * BODY_SHARE));
  const cutSubject = cutToBudget(
    subject,
    Math.min(subjectCost, room - bodyReserve),
    alphabet,
    ellipsis,
  );
  const cutBody = cutToBudget(body, room - textCost(cutSubject, alphabet), alphabet, ellipsis);
  const text = render(cutSubject, cutBody, shortFrom);
  // Whitespace collapsing can only shorten, but keep the promise even for odd templates.
  return textCost(text, alphabet) <= capacity
    ? text
    : cutToBudget(text, capacity, alphabet, ellipsis);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
