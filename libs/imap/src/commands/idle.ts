import { continuation } from '../response/responses';
import type { CommandContext } from '../session/command-context';

/**
 * IDLE (RFC 2177): the `+` goes out, pending changes are sent, and the session pushes
 * changes as they come until the client says DONE; the session then answers the tag.
 */
export async function idle(context: CommandContext): Promise<void> {
  context.send(continuation('idling'));
  if (context.state.selected) await context.updateSelected(true);
  context.startIdle();
}
