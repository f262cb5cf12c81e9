import { fromClientName } from '../mailbox-name/mailbox-path';
import { SPECIAL_USES } from '../mailbox-access';
import { type CommandContext, type CommandResult, no, ok } from '../session/command-context';

/** CREATE, with RFC 6154 CREATE-SPECIAL-USE. */
export async function create(
  context: CommandContext,
  mailbox: string,
  specialUse?: string,
): Promise<CommandResult> {
  const name = fromClientName(mailbox);
  if (name === 'INBOX') return no('INBOX always exists', 'ALREADYEXISTS');
  const use = SPECIAL_USES.find((candidate) => candidate === specialUse);
  if (specialUse && !use) return no(`Unknown special use ${specialUse}`, 'USEATTR');
  await context.access().createFolder(name, use);
  return ok('CREATE completed');
}
