import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DestinationConcurrency } from './destination-concurrency';

/** A task that stays open until the test finishes it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('DestinationConcurrency', () => {
  it('never runs more than the limit for one domain, and serves waiters in order', async () => {
    const limiter = new DestinationConcurrency(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const runs = gates.map((g, index) =>
      limiter.run('example.com', async () => {
        started.push(index);
        running++;
        peak = Math.max(peak, running);
        await g.promise;
        running--;
        return index;
      }),
    );
    await nextTurn();
    assert.deepEqual(started, [0, 1]);
    assert.equal(limiter.active('EXAMPLE.com'), 2, 'domains compare case-insensitively');
    assert.equal(limiter.waiting('example.com'), 2);

    gates[1].open();
    await nextTurn();
    await nextTurn();
    assert.deepEqual(started, [0, 1, 2]);
    gates[0].open();
    gates[2].open();
    gates[3].open();
    assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3]);
    assert.equal(peak, 2);
    assert.equal(limiter.active('example.com'), 0);
    assert.equal(limiter.waiting('example.com'), 0);
  });

  it('keeps domains independent', async () => {
    const limiter = new DestinationConcurrency(1);
    const releaseA = await limiter.acquire('a.example');
    const releaseB = await limiter.acquire('b.example');
    assert.equal(limiter.active('a.example'), 1);
    assert.equal(limiter.active('b.example'), 1);
    let secondA = false;
    const pending = limiter.acquire('a.example').then((release) => {
      secondA = true;
      return release;
    });
    await nextTurn();
    assert.equal(secondA, false, 'a.example is full');
    releaseB();
    await nextTurn();
    assert.equal(secondA, false, 'freeing b.example does not free a.example');
    releaseA();
    (await pending)();
    assert.equal(secondA, true);
    assert.equal(limiter.active('a.example'), 0);
  });

  it('releases the slot when the task throws, and a double release frees only one slot', async () => {
    const limiter = new DestinationConcurrency(1);
    await assert.rejects(
      limiter.run('x.example', () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(limiter.active('x.example'), 0);

    const first = await limiter.acquire('x.example');
    const waiters = [limiter.acquire('x.example'), limiter.acquire('x.example')];
    first();
    first();
    await nextTurn();
    assert.equal(limiter.active('x.example'), 1);
    assert.equal(limiter.waiting('x.example'), 1);
    (await waiters[0])();
    (await waiters[1])();
    assert.equal(limiter.active('x.example'), 0);
  });

  it('tryAcquire answers at once: a slot while under the limit, null at the limit', async () => {
    const limiter = new DestinationConcurrency(2);
    const first = limiter.tryAcquire('busy.example');
    const second = limiter.tryAcquire('busy.example');
    assert.ok(first && second);
    assert.equal(limiter.tryAcquire('busy.example'), null);
    assert.equal(limiter.waiting('busy.example'), 0, 'a refused tryAcquire does not queue');
    assert.ok(limiter.tryAcquire('other.example'), 'other domains are not affected');
    first();
    const third = limiter.tryAcquire('busy.example');
    assert.ok(third);
    // A waiter from acquire() gets the next slot before a later tryAcquire.
    const waiter = limiter.acquire('busy.example');
    second();
    assert.equal(limiter.tryAcquire('busy.example'), null);
    (await waiter)();
    third();
    assert.equal(limiter.active('busy.example'), 0);
  });

  it('rejects a limit that is not a positive whole number', () => {
    assert.throws(() => new DestinationConcurrency(0), RangeError);
    assert.throws(() => new DestinationConcurrency(1.5), RangeError);
  });
});
