import { fromClientName } from '../mailbox-name/mailbox-path';
import { type CommandContext, type CommandResult, ok } from '../session/command-context';

export async function rename(
  context: CommandContext,
  from: string,
  to: string,
): Promise<CommandResult> {
  await context.access().renameFolder(fromClientName(from), fromClientName(to));
  return ok('RENAME completed');
}
