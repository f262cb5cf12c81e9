import { MailboxAccessError } from '../mailbox-access';
import type { CommandContext } from '../session/command-context';

/**
 * A message's stored bytes, or undefined when another session expunged it after this
 * one last reported the folder (FETCH and SEARCH then skip it instead of failing).
 */
export async function readMessageIfPresent(
  context: CommandContext,
  folder: string,
  uid: number,
): Promise<Buffer | undefined> {
  try {
    return await context.access().readMessage(folder, uid);
  } catch (error) {
    if (error instanceof MailboxAccessError && error.code === 'NONEXISTENT') return undefined;
    throw error;
  }
}
