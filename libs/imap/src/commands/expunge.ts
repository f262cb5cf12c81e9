import type { SequenceSet } from '../parser/sequence-set';
import { type CommandContext, type CommandResult, no, ok } from '../session/command-context';

/** EXPUNGE and UID EXPUNGE (RFC 4315): removes \Deleted messages and tells the client. */
export async function expunge(
  context: CommandContext,
  uids: SequenceSet | undefined,
): Promise<CommandResult> {
  const folder = context.selected();
  if (folder.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
  const restrict = uids ? folder.resolve(uids, true) : undefined;
  const removed = await context.access().expunge(folder.name, restrict);
  for (const response of folder.removeUids(removed, context.state.enabled.has('QRESYNC'))) {
    context.send(response);
  }
  return ok('EXPUNGE completed');
}
