import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionsPerAddress } from './connections-per-address';

describe('ConnectionsPerAddress', () => {
  it('refuses an address at its limit and admits it again after a release', () => {
    const limiter = new ConnectionsPerAddress(2);
    assert.equal(limiter.tryAcquire('10.0.0.1'), true);
    assert.equal(limiter.tryAcquire('10.0.0.1'), true);
    assert.equal(limiter.tryAcquire('10.0.0.1'), false);
    assert.equal(limiter.tryAcquire('10.0.0.2'), true, 'other addresses are counted apart');
    limiter.release('10.0.0.1');
    assert.equal(limiter.tryAcquire('10.0.0.1'), true);
    limiter.release('10.0.0.2');
    assert.equal(limiter.count('10.0.0.2'), 0);
  });
});
