import { type CommandContext, type CommandResult, ok } from '../session/command-context';

/** CLOSE expunges silently (unless read-only) then deselects; UNSELECT only deselects. */
export async function close(
  context: CommandContext,
  name: 'CLOSE' | 'UNSELECT',
): Promise<CommandResult> {
  const folder = context.selected();
  if (name === 'CLOSE' && !folder.readOnly) await context.access().expunge(folder.name);
  context.state.selected = undefined;
  context.state.phase = 'authenticated';
  return ok(`${name} completed`);
}
