import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecisionWatermarks } from './decision-watermarks';

describe('DecisionWatermarks', () => {
  it('rises with decisions made in order', () => {
    const w = new DecisionWatermarks();
    w.handed(1, 10, 0);
    w.handed(1, 11, 0);
    w.decided(1, 10);
    assert.deepEqual(w.take(), [{ userId: 1, messageId: 10 }]);
    w.decided(1, 11);
    assert.deepEqual(w.take(), [{ userId: 1, messageId: 11 }]);
    assert.deepEqual(w.take(), [], 'nothing new to write');
  });

  it('never passes a delivery still waiting, even when later ones are decided first', () => {
    const w = new DecisionWatermarks();
    for (const id of [20, 21, 22]) w.handed(7, id, 0);
    w.decided(7, 22);
    w.decided(7, 21);
    assert.deepEqual(w.take(), [{ userId: 7, messageId: 19 }], 'stays below 20');
    assert.ok(w.isWaiting(7, 20));
    w.decided(7, 20);
    assert.deepEqual(w.take(), [{ userId: 7, messageId: 22 }]);
    assert.ok(!w.isWaiting(7, 20));
  });

  it('a failed decision holds the mark until it is decided or too old', () => {
    const w = new DecisionWatermarks();
    w.handed(3, 5, 1000);
    w.handed(3, 6, 2000);
    w.failed(3, 5, 1000);
    w.decided(3, 6);
    assert.deepEqual(w.take(), [{ userId: 3, messageId: 4 }]);
    assert.ok(!w.isWaiting(3, 5), 'failed: the catch-up may take it');
    assert.equal(w.prune(500), 0, 'not too old yet');
    assert.equal(w.prune(1500), 1);
    assert.deepEqual(w.take(), [{ userId: 3, messageId: 6 }]);
  });

  it('keeps users apart, and hands marks out again after a failed write', () => {
    const w = new DecisionWatermarks();
    w.handed(1, 100, 0);
    w.handed(2, 101, 0);
    w.decided(2, 101);
    const marks = w.take();
    assert.deepEqual(marks, [{ userId: 2, messageId: 101 }]);
    w.restore(marks);
    assert.deepEqual(w.take(), [{ userId: 2, messageId: 101 }]);
    w.decided(1, 100);
    assert.deepEqual(w.take(), [{ userId: 1, messageId: 100 }]);
  });
});
