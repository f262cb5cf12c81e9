import { fromClientName } from '../mailbox-name/mailbox-path';
import { type CommandContext, type CommandResult, no, ok } from '../session/command-context';

export async function deleteMailbox(
  context: CommandContext,
  mailbox: string,
): Promise<CommandResult> {
  const name = fromClientName(mailbox);
  if (name === 'INBOX') return no('INBOX cannot be deleted', 'CANNOT');
  if (context.state.selected?.name === name) {
    context.state.selected = undefined;
    context.state.phase = 'authenticated';
  }
  await context.access().deleteFolder(name);
  return ok('DELETE completed');
}
