import { parseDecimal } from '../protocol/command-line';
import { dotStuffed, topOfMessage } from '../protocol/dot-stuffing';
import type { CommandHandler } from '../session/session-context';
import { messageArgument } from './message-argument';
import { readMessage } from './read-message';

/** RFC 1939 7 TOP msg n: the header, the empty line, and the first n body lines. */
export const top: CommandHandler = async (context, command) => {
  if (command.args.length !== 2) return context.syntaxError('TOP takes a message and a count');
  const lines = parseDecimal(command.args[1]);
  if (lines === undefined) return context.syntaxError('Invalid line count');
  const message = messageArgument(context, command.args[0]);
  if (!message) return;
  // TOP n 0 (a client listing subjects) needs the header block alone, not the body.
  const bytes = await readMessage(context, message, lines === 0);
  if (!bytes) return;
  await context.multiline('Top of message follows', dotStuffed(topOfMessage(bytes, lines)));
};
