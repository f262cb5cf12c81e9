import type { CommandHandler } from '../session/session-context';

export const noop: CommandHandler = async (context, command) => {
  if (command.args.length) return context.syntaxError('NOOP takes no argument');
  context.ok('');
};
