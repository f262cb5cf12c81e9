import { SPECIAL_USES } from '../mailbox-access';
import { DELIMITER, fromClientName } from '../mailbox-name/mailbox-path';
import { type CommandContext, type CommandResult, no, ok } from '../session/command-context';

/**
 * CREATE, with RFC 6154 CREATE-SPECIAL-USE. Missing parent levels are created too
 * (RFC 3501 6.3.3), so `a/b` gives a selectable `a` that can be renamed or deleted.
 */
export async function create(
  context: CommandContext,
  mailbox: string,
  specialUse?: string,
): Promise<CommandResult> {
  const name = fromClientName(mailbox);
  if (name === 'INBOX') return no('INBOX always exists', 'ALREADYEXISTS');
  const use = SPECIAL_USES.find((candidate) => candidate === specialUse);
  if (specialUse && !use) return no(`Unknown special use ${specialUse}`, 'USEATTR');
  const access = context.access();
  const existing = new Set((await access.listFolders()).map((folder) => folder.name));
  const levels = name.split(DELIMITER);
  for (let depth = 1; depth < levels.length; depth++) {
    const parent = levels.slice(0, depth).join(DELIMITER);
    if (!existing.has(parent)) await access.createFolder(parent);
  }
  await access.createFolder(name, use);
  return ok('CREATE completed');
}
