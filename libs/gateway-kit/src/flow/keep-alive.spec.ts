import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './clock';
import { KeepAlive } from './keep-alive';

function setup() {
  const clock = new ManualClock();
  const probes: number[] = [];
  const dead: Error[] = [];
  const keepAlive = new KeepAlive({
    idleMs: 180_000,
    responseTimeoutMs: 60_000,
    maxUnanswered: 3,
    sendProbe: () => probes.push(clock.now()),
    onDead: (e) => dead.push(e),
    clock,
  });
  keepAlive.start();
  return { clock, probes, dead, keepAlive };
}

describe('KeepAlive', () => {
  it('probes after C of silence and not while the peer talks', () => {
    const { clock, probes, keepAlive } = setup();
    clock.advance(120_000);
    keepAlive.heard();
    clock.advance(120_000);
    assert.deepEqual(probes, []);
    clock.advance(60_000);
    assert.deepEqual(probes, [300_000]);
    keepAlive.heard();
    clock.advance(60_000);
    assert.equal(probes.length, 1);
  });

  it('gives up after N probes unanswered for T each', () => {
    const { clock, probes, dead } = setup();
    clock.advance(180_000);
    clock.advance(60_000);
    clock.advance(60_000);
    assert.equal(dead.length, 0);
    clock.advance(60_000);
    assert.equal(probes.length, 3);
    assert.equal(dead.length, 1);
    clock.advance(600_000);
    assert.equal(probes.length, 3);
  });

  it('stops probing when stopped', () => {
    const { clock, probes, keepAlive } = setup();
    keepAlive.stop();
    clock.advance(1_000_000);
    assert.deepEqual(probes, []);
  });
});
