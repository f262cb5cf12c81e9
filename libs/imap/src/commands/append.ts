import { fromClientName } from '../mailbox-name/mailbox-path';
import { MailboxAccessError } from '../mailbox-access';
import { type CommandContext, type CommandResult, no, ok } from '../session/command-context';

/** APPEND with UIDPLUS's APPENDUID; a missing folder answers TRYCREATE (RFC 3501 6.3.11). */
export async function append(
  context: CommandContext,
  mailbox: string,
  flags: readonly string[],
  internalDate: Date | undefined,
  message: Buffer,
): Promise<CommandResult> {
  const name = fromClientName(mailbox);
  if (message.length === 0) return no('Empty message');
  try {
    const result = await context
      .access()
      .appendMessage(name, message, flags, internalDate ?? new Date());
    if (context.state.selected?.name === name) context.state.selectedDirty = true;
    return ok('APPEND completed', `APPENDUID ${result.uidValidity} ${result.uid}`);
  } catch (error) {
    if (error instanceof MailboxAccessError && error.code === 'NONEXISTENT') {
      return no('No such mailbox', 'TRYCREATE');
    }
    throw error;
  }
}
