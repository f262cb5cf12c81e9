import { MailboxAccessError, type MessageSource } from '../mailbox-access';
import { findBodyStart } from '../mime/header-block';
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

/**
 * The messages `uids` of `folder` for one command: located in one go when the store
 * can (`MailboxAccess.openMessages`), else read one by one with `readMessage`.
 */
export async function openMessageSource(
  context: CommandContext,
  folder: string,
  uids: readonly number[],
): Promise<MessageSource> {
  const access = context.access();
  if (access.openMessages) return access.openMessages(folder, uids);
  return {
    read: (uid) => readMessageIfPresent(context, folder, uid),
    readHeader: async (uid) => {
      const bytes = await readMessageIfPresent(context, folder, uid);
      return bytes?.subarray(0, findBodyStart(bytes, 0, bytes.length));
    },
  };
}
