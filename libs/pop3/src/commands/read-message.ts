import { MailboxAccessError } from '@dizi/imap';
import type { MaildropMessage } from '../session/maildrop';
import type { Pop3CommandContext } from '../session/session-context';

/**
 * The stored bytes of a maildrop message, or undefined after answering -ERR. Without a
 * maildrop lock another session (POP3 or IMAP) may have expunged it since login: that
 * is an answer for this message, not a failure of the session.
 */
export async function readMessage(
  context: Pop3CommandContext,
  message: MaildropMessage,
): Promise<Buffer | undefined> {
  try {
    return await context.access().readMessage('INBOX', message.uid);
  } catch (error) {
    if (error instanceof MailboxAccessError && error.code === 'NONEXISTENT') {
      context.err(`Message ${message.number} was removed by another session`, 'SYS/TEMP');
    } else {
      context.log.error({ err: error, uid: message.uid }, 'pop3 could not read a message');
      context.err(`Message ${message.number} cannot be read now`, 'SYS/TEMP');
    }
    return undefined;
  }
}
