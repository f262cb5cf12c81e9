import type { CommandHandler } from '../session/session-context';

/** RFC 1939 5 STAT: "+OK count octets" over the messages not marked deleted. */
export const stat: CommandHandler = async (context, command) => {
  if (command.args.length) return context.syntaxError('STAT takes no argument');
  const { count, octets } = context.maildrop().totals();
  context.ok(`${count} ${octets}`);
};
