import type { CommandHandler } from '../session/session-context';
import { messageArgument } from './message-argument';

/** RFC 1939 5 LIST [msg]: the scan listing of one message, or of all not deleted. */
export const list: CommandHandler = async (context, command) => {
  if (command.args.length > 1) return context.syntaxError('LIST takes at most one argument');
  if (command.args.length === 1) {
    const message = messageArgument(context, command.args[0]);
    if (message) context.ok(`${message.number} ${message.size}`);
    return;
  }
  const maildrop = context.maildrop();
  const { count, octets } = maildrop.totals();
  const lines = maildrop.visible().map((message) => `${message.number} ${message.size}\r\n`);
  await context.multiline(`${count} messages (${octets} octets)`, [Buffer.from(lines.join(''))]);
};
