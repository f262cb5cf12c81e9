import type { SearchKey } from '../parser/command-types';
import { sequenceSetContains } from '../parser/sequence-set';
import type { SearchableMessage } from './searchable-message';
import { normalizeForSearch } from './search-text';

/** The mailbox-wide values `*` stands for. */
export interface SearchScope {
  readonly messageCount: number;
  readonly largestUid: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `haystack` is already normalized by `SearchableMessage`. */
function contains(haystack: string, needle: string): boolean {
  return haystack.includes(normalizeForSearch(needle));
}

/** BODY: the text with whitespace collapsed only when the search string has some. */
function bodyContains(message: SearchableMessage, needle: string): boolean {
  const wanted = normalizeForSearch(needle);
  return wanted.includes(' ')
    ? message.body().includes(wanted)
    : message.lowerCaseBody().includes(wanted);
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The calendar day written in a Date: header, in the sender's own time zone. */
function sentDay(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})/.exec(header);
  if (!match) return undefined;
  const month = MONTHS.indexOf(match[2].toLowerCase());
  if (month < 0) return undefined;
  let year = Number(match[3]);
  if (year < 100) year += year < 50 ? 2000 : 1900;
  return `${year}-${String(month + 1).padStart(2, '0')}-${match[1].padStart(2, '0')}`;
}

function compareDay(
  actual: string | undefined,
  comparison: 'before' | 'on' | 'since',
  day: string,
): boolean {
  if (actual === undefined) return false;
  if (comparison === 'before') return actual < day;
  if (comparison === 'on') return actual === day;
  return actual >= day;
}

function hasFlag(flags: readonly string[], flag: string): boolean {
  const wanted = flag.toLowerCase();
  return flags.some((candidate) => candidate.toLowerCase() === wanted);
}

/** True when `message` matches `key` (RFC 3501 6.4.4, RFC 7162 MODSEQ). */
export function matchesSearch(
  key: SearchKey,
  message: SearchableMessage,
  scope: SearchScope,
): boolean {
  const meta = message.metadata;
  switch (key.kind) {
    case 'all':
      return true;
    case 'flag':
      return hasFlag(meta.flags, key.flag) === key.present;
    case 'recent':
      return meta.recent === key.present;
    case 'new':
      return meta.recent && !hasFlag(meta.flags, '\\Seen');
    case 'header': {
      const values = message.headerValues(key.field);
      // HEADER name "" matches every message that has the field.
      return values.some((value) => key.value === '' || contains(value, key.value));
    }
    case 'body':
      return bodyContains(message, key.value);
    case 'text':
      return contains(message.allHeaders(), key.value) || bodyContains(message, key.value);
    case 'date': {
      const day =
        key.source === 'internal' ? dayOf(meta.internalDate) : sentDay(message.sentDate());
      return compareDay(day, key.comparison, key.day);
    }
    case 'size':
      return key.comparison === 'larger' ? meta.size > key.size : meta.size < key.size;
    case 'sequence':
      return sequenceSetContains(key.set, meta.sequence, scope.messageCount);
    case 'uid':
      return sequenceSetContains(key.set, meta.uid, scope.largestUid);
    case 'modseq':
      return meta.modseq >= key.modseq;
    case 'not':
      return !matchesSearch(key.key, message, scope);
    case 'or':
      return matchesSearch(key.left, message, scope) || matchesSearch(key.right, message, scope);
    case 'and':
      return key.keys.every((inner) => matchesSearch(inner, message, scope));
  }
}

/** True when evaluating `key` needs the message bytes; otherwise the caller need not load them. */
export function searchUsesContent(key: SearchKey): boolean {
  switch (key.kind) {
    case 'header':
    case 'body':
    case 'text':
      return true;
    case 'date':
      return key.source === 'sent';
    case 'not':
      return searchUsesContent(key.key);
    case 'or':
      return searchUsesContent(key.left) || searchUsesContent(key.right);
    case 'and':
      return key.keys.some(searchUsesContent);
    default:
      return false;
  }
}

/**
 * True when evaluating `key` needs a message body (BODY, TEXT); HEADER-type keys and
 * SENTBEFORE/SENTON/SENTSINCE need only the header block.
 */
export function searchUsesBody(key: SearchKey): boolean {
  switch (key.kind) {
    case 'body':
    case 'text':
      return true;
    case 'not':
      return searchUsesBody(key.key);
    case 'or':
      return searchUsesBody(key.left) || searchUsesBody(key.right);
    case 'and':
      return key.keys.some(searchUsesBody);
    default:
      return false;
  }
}

/** True when the search has a MODSEQ key: the answer then ends with `(MODSEQ n)` (RFC 7162 3.1.5). */
export function searchMentionsModseq(key: SearchKey): boolean {
  switch (key.kind) {
    case 'modseq':
      return true;
    case 'not':
      return searchMentionsModseq(key.key);
    case 'or':
      return searchMentionsModseq(key.left) || searchMentionsModseq(key.right);
    case 'and':
      return key.keys.some(searchMentionsModseq);
    default:
      return false;
  }
}
