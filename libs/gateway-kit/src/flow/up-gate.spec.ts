import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './clock';
import { UpGate } from './up-gate';

describe('UpGate', () => {
  it('releases waiters on open, rejects them on fail or after their time-out', async () => {
    const clock = new ManualClock();
    const gate = new UpGate(clock);
    const released = gate.wait(1000, () => new Error('late'));
    gate.open();
    await released;
    await gate.wait(1, () => new Error('never'));
    gate.close();
    const failed = gate.wait(1000, () => new Error('late'));
    gate.fail(new Error('stopped'));
    await assert.rejects(failed, /stopped/);
    const late = gate.wait(1000, () => new Error('late'));
    clock.advance(1000);
    await assert.rejects(late, /late/);
  });
});
