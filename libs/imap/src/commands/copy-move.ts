import { fromClientName } from '../mailbox-name/mailbox-path';
import { MailboxAccessError } from '../mailbox-access';
import type { SequenceSet } from '../parser/sequence-set';
import { statusResponse } from '../response/responses';
import { type CommandContext, type CommandResult, no, ok } from '../session/command-context';

/** Destination UIDs in the order of the sources, as COPYUID pairs them (RFC 4315). */
function copyUid(
  uidValidity: number,
  sources: readonly number[],
  destinations: readonly number[],
): string {
  return `COPYUID ${uidValidity} ${sources.join(',')} ${destinations.join(',')}`;
}

/** COPY and MOVE (RFC 6851), with UIDPLUS's COPYUID. */
export async function copyOrMove(
  context: CommandContext,
  name: 'COPY' | 'MOVE',
  set: SequenceSet,
  byUid: boolean,
  mailbox: string,
): Promise<CommandResult> {
  const folder = context.selected();
  if (name === 'MOVE' && folder.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
  const target = fromClientName(mailbox);
  const uids = folder.resolve(set, byUid);
  if (uids.length === 0) return ok(`${name} completed, nothing to do`);
  let result;
  try {
    result =
      name === 'COPY'
        ? await context.access().copyMessages(folder.name, uids, target)
        : await context.access().moveMessages(folder.name, uids, target);
  } catch (error) {
    if (error instanceof MailboxAccessError && error.code === 'NONEXISTENT') {
      return no('No such mailbox', 'TRYCREATE');
    }
    throw error;
  }
  if (target === folder.name) context.state.selectedDirty = true;
  const code = result.sourceUids.length
    ? copyUid(result.uidValidity, result.sourceUids, result.destinationUids)
    : undefined;
  if (name === 'COPY') return ok('COPY completed', code);
  // MOVE: COPYUID goes in an untagged OK before the expunges (RFC 6851 4.3).
  if (code) context.send(statusResponse('*', 'OK', 'Moved', code));
  for (const response of folder.removeUids(
    result.sourceUids,
    context.state.enabled.has('QRESYNC'),
  )) {
    context.send(response);
  }
  return ok(`MOVE completed${result.sourceUids.length ? '' : ', nothing moved'}`);
}
