import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './clock';
import { RateMeter } from './rate-meter';
import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows the burst, then one token per 1/rate seconds', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(10, 2, clock);
    assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), false);
    assert.equal(bucket.waitMs(), 100);
    clock.advance(99);
    assert.equal(bucket.tryTake(), false);
    clock.advance(1);
    assert.equal(bucket.tryTake(), true);
  });

  it('never saves more than the burst', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(100, 5, clock);
    clock.advance(60_000);
    let taken = 0;
    while (bucket.tryTake()) taken++;
    assert.equal(taken, 5);
  });

  it('take() waits for a token and serves callers in order', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(10, 1, clock);
    const order: number[] = [];
    await bucket.take();
    const a = bucket.take().then(() => order.push(1));
    const b = bucket.take().then(() => order.push(2));
    for (let i = 0; i < 10 && order.length < 2; i++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(100);
    }
    await Promise.all([a, b]);
    assert.deepEqual(order, [1, 2]);
  });

  it('rejects a rate of zero', () => {
    assert.throws(() => new TokenBucket(0), RangeError);
  });
});

describe('RateMeter', () => {
  it('averages events over the sliding window and forgets old seconds', () => {
    const clock = new ManualClock();
    const meter = new RateMeter(5, clock);
    meter.record(50);
    clock.advance(1000);
    meter.record(50);
    assert.equal(meter.perSecond(), 20);
    clock.advance(4000);
    assert.equal(meter.perSecond(), 10);
    clock.advance(1000);
    assert.equal(meter.perSecond(), 0);
  });
});
