import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReconnectBackoff } from './reconnect-backoff';

describe('ReconnectBackoff', () => {
  it('doubles from the minimum up to the maximum and starts over after reset', () => {
    const b = new ReconnectBackoff(100, 700);
    assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 700, 700]);
    b.reset();
    assert.equal(b.next(), 100);
  });
});
