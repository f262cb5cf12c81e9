import { formatDateTime } from '../parser/grammar/date-time';
import type { FetchAttribute, FetchModifiers } from '../parser/command-types';
import { formatSequenceSet, type SequenceSet, sequenceSetContains } from '../parser/sequence-set';
import { applyPartial, sectionBytes, sectionLabel } from '../mime/body-section';
import { bodyStructure } from '../mime/body-structure';
import { envelope } from '../mime/envelope';
import { type MimePart, parseMimeTree } from '../mime/mime-tree';
import { Atom, type ImapValue, Literal, Preserialized } from '../response/imap-value';
import { untagged } from '../response/responses';
import { openMessageSource } from './read-message';
import { bad, type CommandContext, type CommandResult, no, ok } from '../session/command-context';

export interface FetchRequest {
  readonly set: SequenceSet;
  readonly byUid: boolean;
  readonly attributes: readonly FetchAttribute[];
  readonly modifiers: FetchModifiers;
}

const CONTENT_ITEMS = new Set([
  'ENVELOPE',
  'BODYSTRUCTURE',
  'BODY',
  'RFC822',
  'RFC822.HEADER',
  'RFC822.TEXT',
  'BODY[]',
]);

/**
 * True when the item is answered from the header block alone (ENVELOPE, the top header
 * or some of its fields): a FETCH made only of such items reads no message body, as a
 * client listing a folder asks for (Thunderbird: BODY.PEEK[HEADER.FIELDS (...)]).
 */
function needsHeaderOnly(attribute: FetchAttribute): boolean {
  if (attribute.kind === 'ENVELOPE' || attribute.kind === 'RFC822.HEADER') return true;
  if (attribute.kind !== 'BODY[]' || attribute.section.path.length) return false;
  const specifier = attribute.section.specifier;
  return (
    specifier === 'HEADER' || specifier === 'HEADER.FIELDS' || specifier === 'HEADER.FIELDS.NOT'
  );
}

/** Reading the body (not peeking) marks the message \Seen (RFC 3501 6.4.5). */
function setsSeen(attribute: FetchAttribute): boolean {
  return (
    (attribute.kind === 'BODY[]' && !attribute.peek) ||
    attribute.kind === 'RFC822' ||
    attribute.kind === 'RFC822.TEXT'
  );
}

/**
 * The stored bytes of one message and their structure, parsed on first need. For a
 * header-only FETCH `bytes` is the header block alone, which parses to the same header
 * fields and body offset as the whole message (only body parts are missing).
 */
class MessageContent {
  private tree?: MimePart;
  constructor(
    readonly bytes: Buffer,
    readonly headerOnly: boolean,
  ) {}
  root(): MimePart {
    this.tree ??= parseMimeTree(this.bytes);
    return this.tree;
  }
  /** ENVELOPE in wire form, computed once per header block the store hands out. */
  envelope(): ImapValue {
    if (!this.headerOnly) return envelope(this.root().fields);
    let wire = envelopes.get(this.bytes);
    if (!wire) {
      wire = Preserialized.of(envelope(this.root().fields));
      envelopes.set(this.bytes, wire);
    }
    return wire;
  }
}

/**
 * ENVELOPEs by the header block they were made from. A store that caches header blocks
 * (FsBlobStore does) hands out the same Buffer for the same message again, so a client
 * listing a folder a second time gets its ENVELOPEs without parsing. Weak keys: an entry
 * lives as long as the store keeps that header, so this needs no bound of its own.
 */
const envelopes = new WeakMap<Buffer, Preserialized>();

/** FETCH and UID FETCH, with CONDSTORE's CHANGEDSINCE and QRESYNC's VANISHED. */
export async function fetch(
  context: CommandContext,
  request: FetchRequest,
): Promise<CommandResult> {
  const folder = context.selected();
  const { changedSince, vanished } = request.modifiers;
  if (vanished && (!request.byUid || !context.state.enabled.has('QRESYNC'))) {
    return bad('VANISHED needs UID FETCH and QRESYNC');
  }
  const wantsModseq =
    changedSince !== undefined || request.attributes.some((a) => a.kind === 'MODSEQ');
  if (wantsModseq) context.state.enabled.add('CONDSTORE');
  const condstore = context.state.enabled.has('CONDSTORE');

  if (vanished && changedSince !== undefined) {
    const gone = (await context.access().expungedSince(folder.name, changedSince)).filter((uid) =>
      sequenceSetContains(request.set, uid, Math.max(folder.largestUid, folder.uidNext - 1)),
    );
    if (gone.length) {
      context.send(
        untagged([new Atom('VANISHED'), [new Atom('EARLIER')], new Atom(formatSequenceSet(gone))]),
      );
    }
  }

  const contentItems = request.attributes.filter((a) => CONTENT_ITEMS.has(a.kind));
  const headerOnly = contentItems.length > 0 && contentItems.every(needsHeaderOnly);
  const marksSeen = !folder.readOnly && request.attributes.some(setsSeen);
  const uids = folder.resolve(request.set, request.byUid);
  // One store lookup for the whole command, not one per message.
  const source = contentItems.length
    ? await openMessageSource(context, folder.name, uids)
    : undefined;
  let expungedMeanwhile = false;
  for (const uid of uids) {
    let state = folder.state(uid);
    const sequence = folder.sequenceOf(uid);
    if (!state || sequence === undefined) continue;
    if (changedSince !== undefined && state.modseq <= changedSince) continue;

    let flagsChanged = false;
    if (marksSeen && !state.flags.includes('\\Seen')) {
      const result = await context.access().storeFlags(folder.name, [uid], 'add', ['\\Seen']);
      for (const updated of result.updated) folder.applyState(updated);
      state = folder.state(uid) ?? state;
      flagsChanged = result.updated.length > 0;
    }
    let content: MessageContent | undefined;
    if (source) {
      const answer = headerOnly ? source.readHeader(uid) : source.read(uid);
      const bytes = answer instanceof Promise ? await answer : answer;
      if (!bytes) {
        // Expunged by another session since this one last heard: skip it (RFC 9051 7.1).
        expungedMeanwhile = true;
        continue;
      }
      content = new MessageContent(bytes, headerOnly);
    }
    const items: ImapValue[] = [];
    for (const attribute of request.attributes) {
      items.push(...fetchItem(attribute, uid, state, content, folder.flagList(uid)));
    }
    if (flagsChanged && !request.attributes.some((a) => a.kind === 'FLAGS')) {
      items.push(new Atom('FLAGS'), folder.flagList(uid));
    }
    if (
      condstore &&
      (flagsChanged || changedSince !== undefined) &&
      !request.attributes.some((a) => a.kind === 'MODSEQ')
    ) {
      items.push(new Atom('MODSEQ'), [state.modseq]);
    }
    context.send(untagged([sequence, new Atom('FETCH'), items]));
    await context.drain();
  }
  if (expungedMeanwhile) return no('Some messages were expunged meanwhile', 'EXPUNGEISSUED');
  return ok('FETCH completed');
}

function fetchItem(
  attribute: FetchAttribute,
  uid: number,
  state: { readonly modseq: number; readonly internalDate: Date; readonly size: number },
  content: MessageContent | undefined,
  flags: ImapValue,
): ImapValue[] {
  const name = new Atom(attribute.kind);
  switch (attribute.kind) {
    case 'UID':
      return [name, uid];
    case 'FLAGS':
      return [name, flags];
    case 'INTERNALDATE':
      return [name, formatDateTime(state.internalDate)];
    case 'RFC822.SIZE':
      return [name, state.size];
    case 'MODSEQ':
      return [name, [state.modseq]];
  }
  if (!content) return [];
  const root = (): MimePart => content.root();
  switch (attribute.kind) {
    case 'ENVELOPE':
      return [name, content.envelope()];
    case 'BODYSTRUCTURE':
      return [name, bodyStructure(content.bytes, root(), true)];
    case 'BODY':
      return [name, bodyStructure(content.bytes, root(), false)];
    case 'RFC822':
      return [name, new Literal(content.bytes)];
    case 'RFC822.HEADER':
      return [name, new Literal(content.bytes.subarray(0, root().bodyStart))];
    case 'RFC822.TEXT':
      return [name, new Literal(content.bytes.subarray(root().bodyStart))];
    case 'BODY[]': {
      const bytes =
        attribute.section.path.length === 0 && !attribute.section.specifier
          ? content.bytes
          : sectionBytes(content.bytes, root(), attribute.section);
      const label = new Atom(sectionLabel(attribute.section, attribute.partial));
      return [
        label,
        bytes === undefined ? null : new Literal(applyPartial(bytes, attribute.partial)),
      ];
    }
  }
}
