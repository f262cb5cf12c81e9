import { DELIMITER } from './mailbox-path';

/**
 * A LIST pattern (RFC 3501 6.3.8): `*` matches anything, `%` anything but the
 * hierarchy delimiter. The reference is prefixed to the pattern. INBOX matches in any
 * case; other names match exactly.
 */
export function listPatternMatcher(reference: string, pattern: string): (name: string) => boolean {
  let full = reference && !pattern.startsWith(DELIMITER) ? reference + pattern : pattern;
  if (/^inbox(?=$|\/|\*|%)/i.test(full)) full = `INBOX${full.slice(5)}`;
  const source = [...full]
    .map((char) => {
      if (char === '*') return '.*';
      if (char === '%') return `[^${DELIMITER}]*`;
      return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    })
    .join('');
  const regex = new RegExp(`^${source}$`, 'u');
  return (name) => regex.test(name);
}
