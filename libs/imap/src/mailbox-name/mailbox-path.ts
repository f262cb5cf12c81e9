import { decodeMailboxName, encodeMailboxName, InvalidMailboxNameError } from './modified-utf7';

/** Dizi's hierarchy delimiter, announced in LIST and NAMESPACE. */
export const DELIMITER = '/';

/**
 * A mailbox name from the client (modified UTF-7) as the store names it: Unicode,
 * `INBOX` in any case means the inbox, no trailing delimiter.
 */
export function fromClientName(raw: string): string {
  let name = decodeMailboxName(raw);
  while (name.length > 1 && name.endsWith(DELIMITER)) name = name.slice(0, -1);
  if (!name || name.startsWith(DELIMITER) || name.includes(`${DELIMITER}${DELIMITER}`)) {
    throw new InvalidMailboxNameError('Invalid mailbox name');
  }
  if (name.toUpperCase() === 'INBOX') return 'INBOX';
  if (name.toUpperCase().startsWith('INBOX/')) return `INBOX${name.slice(5)}`;
  return name;
}

export function toClientName(name: string): string {
  return encodeMailboxName(name);
}
