import type { CommandHandler } from '../session/session-context';
import { messageArgument } from './message-argument';

/** RFC 1939 5 DELE msg: only marks it; QUIT removes it in the UPDATE state. */
export const dele: CommandHandler = async (context, command) => {
  if (command.args.length !== 1) return context.syntaxError('DELE takes one message number');
  const message = messageArgument(context, command.args[0]);
  if (!message) return;
  context.maildrop().markDeleted(message.number);
  context.ok(`Message ${message.number} deleted`);
};
