import type { FolderSnapshot, MessageState } from '../mailbox-access';
import {
  formatSequenceSet,
  type SequenceSet,
  sequenceSetContains,
  STAR,
} from '../parser/sequence-set';
import { Atom, type ImapValue } from '../response/imap-value';
import { untagged } from '../response/responses';

/** A sequence set named a message number the mailbox does not have. */
export class InvalidSequenceError extends Error {
  constructor() {
    super('Invalid message sequence number');
    this.name = 'InvalidSequenceError';
  }
}

export interface UpdateOptions {
  /** EXPUNGE may not be sent during FETCH, STORE and SEARCH (RFC 3501 7.4.1). */
  readonly allowExpunge: boolean;
  /** QRESYNC enabled: expunges are reported as VANISHED (RFC 7162 3.2.10). */
  readonly qresync: boolean;
  /** CONDSTORE enabled: flag updates carry MODSEQ. */
  readonly condstore: boolean;
}

/**
 * The selected mailbox as this session has told the client about it: the sequence
 * number to UID map, flags, mod-sequences and which messages are \Recent for it. The
 * store may already be further along; `update` brings the client level, in the order
 * IMAP demands (expunges, then EXISTS/RECENT, then flag changes).
 */
export class SelectedFolder {
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  private uids: number[];
  private readonly states = new Map<number, MessageState>();
  readonly recent = new Set<number>();

  constructor(
    readonly name: string,
    readonly readOnly: boolean,
    snapshot: FolderSnapshot,
  ) {
    this.uidValidity = snapshot.uidValidity;
    this.uidNext = snapshot.uidNext;
    this.highestModseq = snapshot.highestModseq;
    this.uids = snapshot.messages.map((m) => m.uid);
    for (const message of snapshot.messages) this.states.set(message.uid, message);
    for (const uid of snapshot.recentUids) this.recent.add(uid);
  }

  get count(): number {
    return this.uids.length;
  }

  /** Every UID in sequence order (a copy: the folder changes under the caller). */
  allUids(): number[] {
    return [...this.uids];
  }

  get largestUid(): number {
    return this.uids.length ? this.uids[this.uids.length - 1] : 0;
  }

  uidAt(sequence: number): number | undefined {
    return this.uids[sequence - 1];
  }

  state(uid: number): MessageState | undefined {
    return this.states.get(uid);
  }

  /** Binary search: UIDs ascend with sequence numbers. */
  sequenceOf(uid: number): number | undefined {
    let low = 0;
    let high = this.uids.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const value = this.uids[middle];
      if (value === uid) return middle + 1;
      if (value < uid) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  /** The UIDs a sequence set names, ascending. Unknown UIDs are skipped (RFC 3501 6.4.8). */
  resolve(set: SequenceSet, byUid: boolean): number[] {
    if (byUid) return this.uids.filter((uid) => sequenceSetContains(set, uid, this.largestUid));
    for (const range of set) {
      for (const bound of [range.from, range.to]) {
        if (bound !== STAR && bound > this.count) throw new InvalidSequenceError();
      }
    }
    const out: number[] = [];
    this.uids.forEach((uid, index) => {
      if (sequenceSetContains(set, index + 1, this.count)) out.push(uid);
    });
    return out;
  }

  /** FLAGS as the client sees them: stored flags plus \Recent. */
  flagList(uid: number): ImapValue {
    const flags = (this.states.get(uid)?.flags ?? []).map((flag) => new Atom(flag));
    if (this.recent.has(uid)) flags.push(new Atom('\\Recent'));
    return flags;
  }

  /** Records flags this session changed itself (its FETCH answers already told the client). */
  applyState(state: MessageState): void {
    if (this.states.has(state.uid)) this.states.set(state.uid, state);
    if (state.modseq > this.highestModseq) this.highestModseq = state.modseq;
  }

  /** Removes expunged UIDs and returns the responses announcing it. */
  removeUids(expunged: readonly number[], qresync: boolean): Buffer[] {
    const present = expunged.filter((uid) => this.states.has(uid)).sort((a, b) => a - b);
    if (present.length === 0) return [];
    const out: Buffer[] = [];
    if (qresync) out.push(untagged([new Atom('VANISHED'), new Atom(formatSequenceSet(present))]));
    for (const uid of present) {
      const sequence = this.sequenceOf(uid);
      if (sequence === undefined) continue;
      if (!qresync) out.push(untagged([sequence, new Atom('EXPUNGE')]));
      this.uids.splice(sequence - 1, 1);
      this.states.delete(uid);
      this.recent.delete(uid);
    }
    return out;
  }

  /** Brings the client from what it knows to `snapshot`; returns the untagged responses. */
  update(snapshot: FolderSnapshot, options: UpdateOptions): Buffer[] {
    const out: Buffer[] = [];
    const current = new Map(snapshot.messages.map((m) => [m.uid, m]));
    if (options.allowExpunge) {
      const gone = this.uids.filter((uid) => !current.has(uid));
      out.push(...this.removeUids(gone, options.qresync));
    }
    const last = this.largestUid;
    const added = snapshot.messages.filter((m) => m.uid > last);
    if (added.length) {
      for (const message of added) {
        this.uids.push(message.uid);
        this.states.set(message.uid, message);
      }
      for (const uid of snapshot.recentUids) if (uid > last) this.recent.add(uid);
      out.push(untagged([this.count, new Atom('EXISTS')]));
      out.push(untagged([this.recent.size, new Atom('RECENT')]));
    }
    for (const message of snapshot.messages) {
      if (message.uid > last) continue;
      const known = this.states.get(message.uid);
      if (!known || message.modseq <= known.modseq) continue;
      this.states.set(message.uid, message);
      const sequence = this.sequenceOf(message.uid);
      if (sequence === undefined) continue;
      const items: ImapValue[] = [
        new Atom('UID'),
        message.uid,
        new Atom('FLAGS'),
        this.flagList(message.uid),
      ];
      if (options.condstore) items.push(new Atom('MODSEQ'), [message.modseq]);
      out.push(untagged([sequence, new Atom('FETCH'), items]));
    }
    this.uidNext = Math.max(this.uidNext, snapshot.uidNext);
    this.highestModseq = Math.max(this.highestModseq, snapshot.highestModseq);
    return out;
  }
}
