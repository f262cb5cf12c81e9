import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FolderSnapshot, MessageState } from '../mailbox-access';
import { parseSequenceSet } from '../parser/sequence-set';
import { InvalidSequenceError, SelectedFolder } from './selected-folder';

function message(uid: number, modseq = 1, flags: string[] = []): MessageState {
  return { uid, flags, modseq, internalDate: new Date(0), size: 10 };
}

function snapshot(messages: MessageState[], recentUids: number[] = []): FolderSnapshot {
  const highestModseq = Math.max(1, ...messages.map((m) => m.modseq));
  return {
    uidValidity: 9,
    uidNext: Math.max(0, ...messages.map((m) => m.uid)) + 1,
    highestModseq,
    messages,
    recentUids,
  };
}

const text = (buffers: Buffer[]): string => Buffer.concat(buffers).toString();
const options = { allowExpunge: true, qresync: false, condstore: false };

describe('SelectedFolder', () => {
  it('maps sequence numbers and UIDs both ways', () => {
    const folder = new SelectedFolder(
      'INBOX',
      false,
      snapshot([message(3), message(7), message(20)]),
    );
    assert.equal(folder.uidAt(2), 7);
    assert.equal(folder.sequenceOf(20), 3);
    assert.equal(folder.sequenceOf(8), undefined);
    assert.deepEqual(folder.resolve(parseSequenceSet('2:*'), false), [7, 20]);
    assert.deepEqual(folder.resolve(parseSequenceSet('5:19,100'), true), [7]);
    assert.deepEqual(folder.resolve(parseSequenceSet('*'), true), [20]);
    assert.throws(() => folder.resolve(parseSequenceSet('4'), false), InvalidSequenceError);
  });

  it('reports expunges from the highest affected sequence number down correctly', () => {
    const folder = new SelectedFolder(
      'INBOX',
      false,
      snapshot([message(1), message(2), message(3), message(4)]),
    );
    const out = folder.update(snapshot([message(1), message(4)]), options);
    // After expunging UID 2 (seq 2), UID 3 has become seq 2.
    assert.equal(text(out), '* 2 EXPUNGE\r\n* 2 EXPUNGE\r\n');
    assert.equal(folder.count, 2);
    assert.equal(folder.sequenceOf(4), 2);
  });

  it('uses VANISHED with QRESYNC and holds expunges back when not allowed', () => {
    const folder = new SelectedFolder(
      'INBOX',
      false,
      snapshot([message(1), message(2), message(3)]),
    );
    const held = folder.update(snapshot([message(1)]), { ...options, allowExpunge: false });
    assert.equal(text(held), '');
    assert.equal(folder.count, 3);
    const vanished = folder.update(snapshot([message(1)]), { ...options, qresync: true });
    assert.equal(text(vanished), '* VANISHED 2:3\r\n');
    assert.equal(folder.count, 1);
  });

  it('announces new messages with EXISTS and RECENT, then flag changes with MODSEQ', () => {
    const folder = new SelectedFolder('INBOX', false, snapshot([message(1, 1), message(2, 1)]));
    const out = folder.update(
      snapshot([message(1, 1), message(2, 5, ['\\Seen']), message(3, 4)], [3]),
      {
        ...options,
        condstore: true,
      },
    );
    assert.equal(
      text(out),
      '* 3 EXISTS\r\n* 1 RECENT\r\n* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (5))\r\n',
    );
    assert.equal(folder.highestModseq, 5);
    assert.equal(
      text(
        folder.update(snapshot([message(1, 1), message(2, 5, ['\\Seen']), message(3, 4)]), options),
      ),
      '',
    );
  });

  it('does not repeat flag changes this session made itself', () => {
    const folder = new SelectedFolder('INBOX', false, snapshot([message(1, 1)]));
    folder.applyState(message(1, 2, ['\\Flagged']));
    assert.equal(text(folder.update(snapshot([message(1, 2, ['\\Flagged'])]), options)), '');
  });
});
