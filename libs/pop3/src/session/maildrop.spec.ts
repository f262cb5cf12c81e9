import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FolderSnapshot } from '@dizi/imap';
import { Maildrop } from './maildrop';

const snapshot: FolderSnapshot = {
  uidValidity: 42,
  uidNext: 20,
  highestModseq: 9,
  recentUids: [],
  messages: [3, 7, 19].map((uid) => ({
    uid,
    flags: [],
    modseq: 1,
    internalDate: new Date(0),
    size: uid * 100,
  })),
};

describe('Maildrop', () => {
  it('numbers messages from 1 in UID order, with uidvalidity.uid unique ids', () => {
    const maildrop = new Maildrop(snapshot);
    assert.deepEqual(
      maildrop.visible().map((m) => [m.number, m.uid, m.size, m.uniqueId]),
      [
        [1, 3, 300, '42.3'],
        [2, 7, 700, '42.7'],
        [3, 19, 1900, '42.19'],
      ],
    );
    assert.deepEqual(maildrop.totals(), { count: 3, octets: 2900 });
  });

  it('hides deleted messages, keeps the numbers of the others, and RSET brings them back', () => {
    const maildrop = new Maildrop(snapshot);
    maildrop.markDeleted(2);
    assert.deepEqual(maildrop.totals(), { count: 2, octets: 2200 });
    assert.deepEqual(
      maildrop.visible().map((m) => m.number),
      [1, 3],
    );
    assert.deepEqual(maildrop.lookup(2), { found: false, reason: 'Message 2 is deleted' });
    assert.equal(maildrop.lookup(3).found, true);
    assert.deepEqual(maildrop.deletedUids(), [7]);
    maildrop.unmarkAll();
    assert.deepEqual(maildrop.deletedUids(), []);
    assert.equal(maildrop.totals().count, 3);
  });

  it('refuses numbers out of range', () => {
    const maildrop = new Maildrop(snapshot);
    for (const number of [0, 4, -1, 1.5, Number.MAX_SAFE_INTEGER, NaN]) {
      assert.equal(maildrop.lookup(number).found, false, String(number));
    }
  });
});
