import type { CommandHandler } from '../session/session-context';
import { messageArgument } from './message-argument';

/** RFC 1939 7 UIDL [msg]: "<uidvalidity>.<uid>", the same in every session. */
export const uidl: CommandHandler = async (context, command) => {
  if (command.args.length > 1) return context.syntaxError('UIDL takes at most one argument');
  if (command.args.length === 1) {
    const message = messageArgument(context, command.args[0]);
    if (message) context.ok(`${message.number} ${message.uniqueId}`);
    return;
  }
  const lines = context
    .maildrop()
    .visible()
    .map((message) => `${message.number} ${message.uniqueId}\r\n`);
  await context.multiline('Unique-id listing follows', [Buffer.from(lines.join(''))]);
};
