import type { CommandHandler } from '../session/session-context';

/** RFC 1939 5 RSET: forgets every deletion mark of this session. */
export const rset: CommandHandler = async (context, command) => {
  if (command.args.length) return context.syntaxError('RSET takes no argument');
  const maildrop = context.maildrop();
  maildrop.unmarkAll();
  const { count, octets } = maildrop.totals();
  context.ok(`Maildrop has ${count} messages (${octets} octets)`);
};
