import { dotStuffed } from '../protocol/dot-stuffing';
import type { CommandHandler } from '../session/session-context';
import { messageArgument } from './message-argument';
import { readMessage } from './read-message';

/** RFC 1939 5 RETR msg: the whole message, dot-stuffed. */
export const retr: CommandHandler = async (context, command) => {
  if (command.args.length !== 1) return context.syntaxError('RETR takes one message number');
  const message = messageArgument(context, command.args[0]);
  if (!message) return;
  const bytes = await readMessage(context, message);
  if (!bytes) return;
  await context.multiline(`${message.size} octets`, dotStuffed(bytes));
  context.state.retrievedUids.add(message.uid);
};
