import { type CommandContext, type CommandResult, ok } from '../session/command-context';

/** NOOP and CHECK: the way clients poll; the selected folder is brought up to date. */
export async function noop(
  context: CommandContext,
  name: 'NOOP' | 'CHECK',
): Promise<CommandResult> {
  if (context.state.selected) await context.updateSelected(true);
  return ok(`${name} completed`);
}
