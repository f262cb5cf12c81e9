import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionLostError, RequestTimeoutError } from '../errors';
import { ManualClock } from './clock';
import { SubmitWindow } from './submit-window';

const tick = () => new Promise((r) => setImmediate(r));

describe('SubmitWindow', () => {
  it('matches responses to requests by sequence id, in any order', async () => {
    const w = new SubmitWindow<string>(4, 1000, new ManualClock());
    const a = w.send(1, () => undefined);
    const b = w.send(2, () => undefined);
    await tick();
    assert.equal(w.inUse, 2);
    assert.equal(w.resolve(2, 'two'), true);
    assert.equal(w.resolve(1, 'one'), true);
    assert.deepEqual(await Promise.all([a, b]), ['one', 'two']);
    assert.equal(w.inUse, 0);
  });

  it('says false for a response nothing waits for', () => {
    const w = new SubmitWindow<string>(1, 1000, new ManualClock());
    assert.equal(w.resolve(99, 'stray'), false);
  });

  it('holds requests beyond the window until a slot frees', async () => {
    const w = new SubmitWindow<number>(2, 1000, new ManualClock());
    const written: number[] = [];
    const all = [1, 2, 3].map((seq) => w.send(seq, () => written.push(seq)));
    await tick();
    assert.deepEqual(written, [1, 2]);
    assert.equal(w.queued, 1);
    w.resolve(1, 1);
    await tick();
    assert.deepEqual(written, [1, 2, 3]);
    assert.equal(w.inUse, 2);
    w.resolve(2, 2);
    w.resolve(3, 3);
    assert.deepEqual(await Promise.all(all), [1, 2, 3]);
  });

  it('fails a request after its time-out and frees the slot', async () => {
    const clock = new ManualClock();
    const w = new SubmitWindow<number>(1, 500, clock);
    const p = w.send(7, () => undefined);
    await tick();
    clock.advance(500);
    await assert.rejects(p, (e: unknown) => e instanceof RequestTimeoutError && e.sequenceId === 7);
    assert.equal(w.inUse, 0);
    assert.equal(w.resolve(7, 1), false);
  });

  it('fails everything in flight when the connection drops', async () => {
    const w = new SubmitWindow<number>(3, 1000, new ManualClock());
    const ps = [1, 2].map((s) => w.send(s, () => undefined));
    await tick();
    w.failAll();
    for (const p of ps) await assert.rejects(p, ConnectionLostError);
    assert.equal(w.inUse, 0);
  });

  it('frees the slot when writing throws', async () => {
    const w = new SubmitWindow<number>(1, 1000, new ManualClock());
    await assert.rejects(
      w.send(1, () => {
        throw new Error('socket gone');
      }),
      /socket gone/,
    );
    assert.equal(w.inUse, 0);
  });
});
