import type { FolderInfo } from '../mailbox-access';
import { listPatternMatcher } from '../mailbox-name/list-pattern';
import { DELIMITER, toClientName } from '../mailbox-name/mailbox-path';
import { decodeMailboxName } from '../mailbox-name/modified-utf7';
import type { ListReturnOptions } from '../parser/command-types';
import { Atom, type ImapValue } from '../response/imap-value';
import { untagged } from '../response/responses';
import { type CommandContext, type CommandResult, ok } from '../session/command-context';
import { statusLine } from './status';

interface ListedFolder {
  readonly name: string;
  /** A parent level that is not a folder itself (`a` when only `a/b` exists). */
  readonly placeholder: boolean;
  readonly info?: FolderInfo;
}

function withPlaceholders(folders: readonly FolderInfo[]): ListedFolder[] {
  const listed = new Map<string, ListedFolder>();
  for (const info of folders) listed.set(info.name, { name: info.name, placeholder: false, info });
  for (const info of folders) {
    const levels = info.name.split(DELIMITER);
    for (let depth = 1; depth < levels.length; depth++) {
      const parent = levels.slice(0, depth).join(DELIMITER);
      if (!listed.has(parent)) listed.set(parent, { name: parent, placeholder: true });
    }
  }
  return [...listed.values()].sort((a, b) =>
    a.name === 'INBOX'
      ? -1
      : b.name === 'INBOX'
        ? 1
        : a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : 0,
  );
}

function decodePattern(pattern: string): string | undefined {
  try {
    return decodeMailboxName(pattern);
  } catch {
    return undefined;
  }
}

/**
 * LIST and LSUB with LIST-EXTENDED (RFC 5258): selection SUBSCRIBED, SPECIAL-USE and
 * RECURSIVEMATCH (with CHILDINFO), return SPECIAL-USE, CHILDREN, SUBSCRIBED and STATUS. Special-use and
 * children attributes are always sent: iOS and Outlook read them from a plain LIST.
 */
export async function list(
  context: CommandContext,
  name: 'LIST' | 'LSUB',
  reference: string,
  patterns: readonly string[],
  selection: readonly string[],
  returnOptions: ListReturnOptions,
): Promise<CommandResult> {
  if (patterns.length === 1 && patterns[0] === '' && name === 'LIST') {
    context.send(untagged([new Atom('LIST'), [new Atom('\\Noselect')], DELIMITER, '']));
    return ok('LIST completed');
  }
  const decodedReference = decodePattern(reference) ?? '';
  const matchers = patterns.flatMap((pattern) => {
    const decoded = decodePattern(pattern);
    return decoded === undefined ? [] : [listPatternMatcher(decodedReference, decoded)];
  });
  const folders = withPlaceholders(await context.access().listFolders());
  const onlySubscribed = name === 'LSUB' || selection.includes('SUBSCRIBED');
  const onlySpecialUse = selection.includes('SPECIAL-USE');
  const showSubscribed = returnOptions.subscribed || selection.includes('SUBSCRIBED');

  const recursive = selection.includes('RECURSIVEMATCH');
  const descendants = (folder: ListedFolder): ListedFolder[] =>
    folders.filter((other) => other.name.startsWith(`${folder.name}${DELIMITER}`));

  for (const folder of folders) {
    if (!matchers.some((matches) => matches(folder.name))) continue;
    // RECURSIVEMATCH: a parent is listed for its matching children, with CHILDINFO.
    const childInfo: string[] = [];
    if (recursive && onlySubscribed && !folder.info?.subscribed) {
      if (descendants(folder).some((child) => child.info?.subscribed)) childInfo.push('SUBSCRIBED');
    }
    if (recursive && onlySpecialUse && !folder.info?.specialUse) {
      if (descendants(folder).some((child) => child.info?.specialUse))
        childInfo.push('SPECIAL-USE');
    }
    if (childInfo.length === 0) {
      if (onlySubscribed && !folder.info?.subscribed) continue;
      if (onlySpecialUse && !folder.info?.specialUse) continue;
    }
    const hasChildren = descendants(folder).length > 0;
    const attributes: string[] = [];
    if (folder.placeholder) attributes.push('\\Noselect');
    if (name === 'LIST') attributes.push(hasChildren ? '\\HasChildren' : '\\HasNoChildren');
    if (showSubscribed && folder.info?.subscribed) attributes.push('\\Subscribed');
    if (folder.info?.specialUse) attributes.push(folder.info.specialUse);
    const line: ImapValue[] = [
      new Atom(name),
      attributes.map((a) => new Atom(a)),
      DELIMITER,
      toClientName(folder.name),
    ];
    if (childInfo.length) line.push(['CHILDINFO', childInfo]);
    context.send(untagged(line));
    if (returnOptions.status && !folder.placeholder) {
      context.send(await statusLine(context, folder.name, returnOptions.status));
    }
  }
  return ok(`${name} completed`);
}
