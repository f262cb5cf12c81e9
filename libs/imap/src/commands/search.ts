import type { SearchKey } from '../parser/command-types';
import { Atom, type ImapValue } from '../response/imap-value';
import { untagged } from '../response/responses';
import {
  matchesSearch,
  searchMentionsModseq,
  searchUsesBody,
  searchUsesContent,
} from '../search/search-evaluator';
import { SearchableMessage } from '../search/searchable-message';
import { type CommandContext, type CommandResult, ok } from '../session/command-context';
import { openMessageSource } from './read-message';

const EMPTY = Buffer.alloc(0);

/** SEARCH and UID SEARCH; with a MODSEQ key the answer ends with the highest mod-sequence. */
export async function search(
  context: CommandContext,
  key: SearchKey,
  byUid: boolean,
): Promise<CommandResult> {
  const folder = context.selected();
  // Header keys (FROM, SUBJECT, SENTSINCE…) read the header blocks only, never a body.
  const headerOnly = !searchUsesBody(key);
  const source = searchUsesContent(key)
    ? await openMessageSource(context, folder.name, folder.allUids())
    : undefined;
  const scope = { messageCount: folder.count, largestUid: folder.largestUid };
  const found: number[] = [];
  let highestModseq = 0;
  for (let sequence = 1; sequence <= folder.count; sequence++) {
    const uid = folder.uidAt(sequence) ?? 0;
    const state = folder.state(uid);
    if (!state) continue;
    const answer = !source ? EMPTY : headerOnly ? source.readHeader(uid) : source.read(uid);
    const bytes = answer instanceof Promise ? await answer : answer;
    // A message expunged by another session meanwhile matches nothing.
    if (!bytes) continue;
    const message = new SearchableMessage(
      { ...state, sequence, recent: folder.recent.has(uid) },
      () => bytes,
    );
    if (!matchesSearch(key, message, scope)) continue;
    found.push(byUid ? uid : sequence);
    highestModseq = Math.max(highestModseq, state.modseq);
  }
  const values: ImapValue[] = [new Atom('SEARCH'), ...found];
  if (searchMentionsModseq(key)) {
    context.state.enabled.add('CONDSTORE');
    if (found.length) values.push([new Atom('MODSEQ'), highestModseq]);
  }
  context.send(untagged(values));
  return ok('SEARCH completed');
}
