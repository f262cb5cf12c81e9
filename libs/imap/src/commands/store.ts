import type { FlagOperation } from '../parser/command-types';
import { formatSequenceSet, type SequenceSet } from '../parser/sequence-set';
import { Atom, type ImapValue } from '../response/imap-value';
import { untagged } from '../response/responses';
import { type CommandContext, type CommandResult, no, ok } from '../session/command-context';

export interface StoreRequest {
  readonly set: SequenceSet;
  readonly byUid: boolean;
  readonly operation: FlagOperation;
  readonly silent: boolean;
  readonly flags: readonly string[];
  readonly unchangedSince?: number;
}

/** STORE / UID STORE with CONDSTORE's UNCHANGEDSINCE (RFC 7162 3.1.3). */
export async function store(
  context: CommandContext,
  request: StoreRequest,
): Promise<CommandResult> {
  const folder = context.selected();
  if (folder.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
  if (request.unchangedSince !== undefined) context.state.enabled.add('CONDSTORE');
  const condstore = context.state.enabled.has('CONDSTORE');
  const uids = folder.resolve(request.set, request.byUid);
  const result = await context
    .access()
    .storeFlags(folder.name, uids, request.operation, request.flags, request.unchangedSince);
  for (const state of result.updated) {
    folder.applyState(state);
    // .SILENT suppresses the echo, except that CONDSTORE clients still learn the MODSEQ.
    if (request.silent && !condstore) continue;
    const sequence = folder.sequenceOf(state.uid);
    if (sequence === undefined) continue;
    const items: ImapValue[] = [];
    if (request.byUid) items.push(new Atom('UID'), state.uid);
    if (!request.silent) items.push(new Atom('FLAGS'), folder.flagList(state.uid));
    if (condstore) items.push(new Atom('MODSEQ'), [state.modseq]);
    context.send(untagged([sequence, new Atom('FETCH'), items]));
  }
  if (result.modified.length) {
    const numbers = request.byUid
      ? result.modified
      : result.modified.map((uid) => folder.sequenceOf(uid) ?? 0).filter(Boolean);
    return ok(
      'Conditional STORE failed for some messages',
      `MODIFIED ${formatSequenceSet(numbers)}`,
    );
  }
  return ok('STORE completed');
}
