import { gsm7SeptetsOf, isGsm7Encodable } from '@dizi/gateway-kit';

/** How an SMS text is counted: GSM 7-bit septets, or UCS-2 code units. */
export type SmsAlphabet = 'gsm7' | 'ucs2';

export interface SmsBudgetOptions {
  /** Segments the text may use (1 = one SMS). */
  segments: number;
  /**
   * Characters of one single-segment GSM text: 160 per TS 23.038. Links that send Latin
   * text as 8-bit ASCII (CMPP, SGIP, SMGP) carry 140, so they are configured lower.
   */
  gsmPerSegment?: number;
}

/** Single-segment and per-segment (with a 6-octet concatenation header) capacities. */
const UCS2_SINGLE = 70;
const UCS2_MULTI = 67;
const GSM_MULTI_LOSS = 7; // 6 UDH octets = 7 septets (160 -> 153)

/** The alphabet a text goes out in: GSM when every character has a septet, UCS-2 otherwise. */
export function smsAlphabet(text: string): SmsAlphabet {
  return isGsm7Encodable(text) ? 'gsm7' : 'ucs2';
}

/** What one character costs: septets (an extension character is 2), or UTF-16 units. */
export function charCost(ch: string, alphabet: SmsAlphabet): number {
  return alphabet === 'gsm7' ? (gsm7SeptetsOf(ch)?.length ?? 1) : ch.length;
}

export function textCost(text: string, alphabet: SmsAlphabet): number {
  let n = 0;
  for (const ch of text) n += charCost(ch, alphabet);
  return n;
}

/** Units a text of this alphabet may take within the given number of segments. */
export function smsCapacity(alphabet: SmsAlphabet, opts: SmsBudgetOptions): number {
  const segments = Math.max(1, Math.floor(opts.segments));
  const gsm = opts.gsmPerSegment ?? 160;
  if (alphabet === 'gsm7') return segments === 1 ? gsm : (gsm - GSM_MULTI_LOSS) * segments;
  return segments === 1 ? UCS2_SINGLE : UCS2_MULTI * segments;
}

/** Segments a text needs (the same counting as the gateway kit's segmenter). */
export function segmentsNeeded(text: string, gsmPerSegment = 160): number {
  const alphabet = smsAlphabet(text);
  const cost = textCost(text, alphabet);
  const single = smsCapacity(alphabet, { segments: 1, gsmPerSegment });
  if (cost <= single) return 1;
  const per = alphabet === 'gsm7' ? gsmPerSegment - GSM_MULTI_LOSS : UCS2_MULTI;
  return Math.ceil(cost / per);
}

/**
 * The longest prefix of `text` costing at most `budget`, cut between whole characters
 * (a surrogate pair or a GSM extension character is never split). When something was
 * cut, `ellipsis` is appended within the budget.
 */
export function cutToBudget(
  text: string,
  budget: number,
  alphabet: SmsAlphabet,
  ellipsis: string,
): string {
  if (textCost(text, alphabet) <= budget) return text;
  const room = budget - textCost(ellipsis, alphabet);
  if (room <= 0) return '';
  let out = '';
  let used = 0;
  for (const ch of text) {
    const c = charCost(ch, alphabet);
    if (used + c > room) break;
    out += ch;
    used += c;
  }
  return out.trimEnd() + ellipsis;
}
