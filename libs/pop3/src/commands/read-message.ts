import { MailboxAccessError, type MessageSource } from '@dizi/imap';
import { topOfMessage } from '../protocol/dot-stuffing';
import type { MaildropMessage } from '../session/maildrop';
import type { Pop3CommandContext } from '../session/session-context';

/**
 * The maildrop's messages, located once per session (one store query, not one per RETR):
 * POP3 numbers the messages at login and never refreshes the list, so neither does this.
 * Without `openMessages` each read asks the store.
 */
async function messageSource(context: Pop3CommandContext): Promise<MessageSource> {
  const state = context.state;
  if (state.messages) return state.messages;
  const access = context.access();
  const source: MessageSource = access.openMessages
    ? await access.openMessages('INBOX', context.maildrop().uids())
    : {
        read: (uid) => access.readMessage('INBOX', uid).catch(gone),
        readHeader: async (uid) => {
          const bytes = await access.readMessage('INBOX', uid).catch(gone);
          return bytes && topOfMessage(bytes, 0);
        },
      };
  state.messages = source;
  return source;
}

function gone(error: unknown): undefined {
  if (error instanceof MailboxAccessError && error.code === 'NONEXISTENT') return undefined;
  throw error;
}

/**
 * The stored bytes of a maildrop message (its header block alone with `headerOnly`), or
 * undefined after answering -ERR. Without a maildrop lock another session (POP3 or IMAP)
 * may have expunged it since login: that is an answer for this message, not a failure
 * of the session.
 */
export async function readMessage(
  context: Pop3CommandContext,
  message: MaildropMessage,
  headerOnly = false,
): Promise<Buffer | undefined> {
  let bytes: Buffer | undefined;
  try {
    const source = await messageSource(context);
    bytes = await (headerOnly ? source.readHeader(message.uid) : source.read(message.uid));
  } catch (error) {
    context.log.error({ err: error, uid: message.uid }, 'pop3 could not read a message');
    context.err(`Message ${message.number} cannot be read now`, 'SYS/TEMP');
    return undefined;
  }
  if (!bytes) context.err(`Message ${message.number} was removed by another session`, 'SYS/TEMP');
  return bytes;
}
