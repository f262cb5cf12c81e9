import { ImapSyntaxError } from './syntax-error';

/** `*` in a sequence set: the largest number in use (highest sequence number or UID). */
export const STAR = '*';
export type SequenceBound = number | typeof STAR;

export interface SequenceRange {
  readonly from: SequenceBound;
  readonly to: SequenceBound;
}

/** RFC 3501 sequence-set: comma-separated numbers and ranges, `*` allowed anywhere. */
export type SequenceSet = readonly SequenceRange[];

/** Upper bound on ranges in one set, so `1,2,3,...` cannot build a huge array. */
const MAX_RANGES = 100_000;

function parseBound(text: string): SequenceBound {
  if (text === STAR) return STAR;
  if (!/^[1-9][0-9]{0,9}$/.test(text))
    throw new ImapSyntaxError(`Invalid sequence number "${text}"`);
  const value = Number(text);
  if (value > 0xffffffff) throw new ImapSyntaxError('Sequence number out of range');
  return value;
}

export function parseSequenceSet(text: string): SequenceSet {
  const parts = text.split(',');
  if (parts.length > MAX_RANGES) throw new ImapSyntaxError('Sequence set too long');
  return parts.map((part) => {
    const bounds = part.split(':');
    if (bounds.length === 1) {
      const value = parseBound(bounds[0]);
      return { from: value, to: value };
    }
    if (bounds.length !== 2) throw new ImapSyntaxError(`Invalid sequence range "${part}"`);
    return { from: parseBound(bounds[0]), to: parseBound(bounds[1]) };
  });
}

/**
 * True when `value` lies in the set; `largest` is what `*` means (the highest UID or
 * the message count). A range may be written backwards (`*:4` is `4:*`).
 */
export function sequenceSetContains(set: SequenceSet, value: number, largest: number): boolean {
  for (const range of set) {
    const a = range.from === STAR ? largest : range.from;
    const b = range.to === STAR ? largest : range.to;
    if (value >= Math.min(a, b) && value <= Math.max(a, b)) return true;
  }
  return false;
}

/** Formats ascending numbers compactly, e.g. [1,2,3,7] -> "1:3,7" (for UIDPLUS and VANISHED). */
export function formatSequenceSet(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const out: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] <= sorted[j] + 1) j++;
    out.push(sorted[i] === sorted[j] ? `${sorted[i]}` : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return out.join(',');
}
