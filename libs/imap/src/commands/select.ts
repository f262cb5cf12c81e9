import { fromClientName } from '../mailbox-name/mailbox-path';
import type { QresyncParameters } from '../parser/command-types';
import { formatSequenceSet, sequenceSetContains } from '../parser/sequence-set';
import { Atom } from '../response/imap-value';
import { statusResponse, untagged } from '../response/responses';
import { bad, type CommandContext, type CommandResult, ok } from '../session/command-context';
import { SelectedFolder } from '../session/selected-folder';

const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

/** SELECT and EXAMINE, with CONDSTORE and QRESYNC (RFC 7162) parameters. */
export async function select(
  context: CommandContext,
  name: 'SELECT' | 'EXAMINE',
  mailbox: string,
  parameters: { condstore: boolean; qresync?: QresyncParameters },
): Promise<CommandResult> {
  const { state } = context;
  if (parameters.qresync && !state.enabled.has('QRESYNC')) return bad('QRESYNC is not enabled');
  if (state.selected) {
    // Leaving the old mailbox first: a failed SELECT leaves none selected (RFC 3501 6.3.1).
    state.selected = undefined;
    state.phase = 'authenticated';
    context.send(statusResponse('*', 'OK', 'Previous mailbox closed', 'CLOSED'));
  }
  if (parameters.condstore) state.enabled.add('CONDSTORE');
  const folderName = fromClientName(mailbox);
  const readOnly = name === 'EXAMINE';
  const snapshot = await context.access().selectFolder(folderName, { claimRecent: !readOnly });
  const folder = new SelectedFolder(folderName, readOnly, snapshot);

  const keywords = new Set<string>();
  for (const message of snapshot.messages) {
    for (const flag of message.flags) if (!flag.startsWith('\\')) keywords.add(flag);
  }
  const flags = [...SYSTEM_FLAGS, ...keywords].map((flag) => new Atom(flag));
  context.send(untagged([new Atom('FLAGS'), flags]));
  const permanent = readOnly ? '()' : `(${[...SYSTEM_FLAGS, ...keywords, '\\*'].join(' ')})`;
  context.send(statusResponse('*', 'OK', 'Flags permitted', `PERMANENTFLAGS ${permanent}`));
  context.send(untagged([folder.count, new Atom('EXISTS')]));
  context.send(untagged([folder.recent.size, new Atom('RECENT')]));
  const firstUnseen = snapshot.messages.findIndex((m) => !m.flags.includes('\\Seen'));
  if (firstUnseen >= 0) {
    context.send(statusResponse('*', 'OK', 'First unseen', `UNSEEN ${firstUnseen + 1}`));
  }
  context.send(statusResponse('*', 'OK', 'UIDs valid', `UIDVALIDITY ${folder.uidValidity}`));
  context.send(statusResponse('*', 'OK', 'Predicted next UID', `UIDNEXT ${folder.uidNext}`));
  context.send(statusResponse('*', 'OK', 'Highest', `HIGHESTMODSEQ ${folder.highestModseq}`));

  if (parameters.qresync && parameters.qresync.uidValidity === folder.uidValidity) {
    await resynchronize(context, folder, folderName, parameters.qresync);
  }
  state.selected = folder;
  state.selectedDirty = false;
  state.phase = 'selected';
  return ok(`${name} completed`, readOnly ? 'READ-ONLY' : 'READ-WRITE');
}

/** QRESYNC: what vanished and what changed since the client's mod-sequence. */
async function resynchronize(
  context: CommandContext,
  folder: SelectedFolder,
  folderName: string,
  qresync: QresyncParameters,
): Promise<void> {
  const known = qresync.knownUids;
  const vanished = (await context.access().expungedSince(folderName, qresync.modseq)).filter(
    (uid) => !known || sequenceSetContains(known, uid, Number.MAX_SAFE_INTEGER),
  );
  if (vanished.length) {
    context.send(
      untagged([
        new Atom('VANISHED'),
        [new Atom('EARLIER')],
        new Atom(formatSequenceSet(vanished)),
      ]),
    );
  }
  for (let sequence = 1; sequence <= folder.count; sequence++) {
    const uid = folder.uidAt(sequence) ?? 0;
    const message = folder.state(uid);
    if (!message || message.modseq <= qresync.modseq) continue;
    if (known && !sequenceSetContains(known, uid, Number.MAX_SAFE_INTEGER)) continue;
    context.send(
      untagged([
        sequence,
        new Atom('FETCH'),
        [
          new Atom('UID'),
          uid,
          new Atom('FLAGS'),
          folder.flagList(uid),
          new Atom('MODSEQ'),
          [message.modseq],
        ],
      ]),
    );
  }
}
