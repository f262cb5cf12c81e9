import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinkDownError } from '../errors';
import { ManualClock } from '../flow/clock';
import type { OutboundSms } from '../sms';
import type { LinkHealth } from '../sms-link';
import { DrainableLink } from './drainable-link';
import { SmsRouter, type RoutableLink } from './sms-router';

/** A link whose submits stay open until the test answers them. */
class HeldLink implements RoutableLink {
  readonly pending: { sms: OutboundSms; answer: () => void }[] = [];
  readonly sent: string[] = [];
  constructor(
    readonly id: string,
    readonly config: { prefixes: string[]; priority: number },
  ) {}
  health(): LinkHealth {
    return { state: 'up', windowInUse: 0, windowSize: 16, ratePerSec: 0, tps: 100, errors: 0 };
  }
  submit(sms: OutboundSms): Promise<string[]> {
    this.sent.push(sms.id);
    return new Promise((resolve) =>
      this.pending.push({ sms, answer: () => resolve([`${this.id}:${sms.id}`]) }),
    );
  }
}

const sms = (id: string): OutboundSms => ({ id, to: '13800138000', text: 'hi' });
const tick = () => new Promise((r) => setImmediate(r));

describe('DrainableLink', () => {
  it('lets the submits under way finish, then reports drained', async () => {
    const inner = new HeldLink('a', { prefixes: [], priority: 1 });
    const link = new DrainableLink(inner);
    const first = link.submit(sms('s1'));
    const second = link.submit(sms('s2'));
    assert.equal(link.inFlight, 2);
    let drained: boolean | null = null;
    void link.drain(60_000).then((d) => (drained = d));
    await tick();
    assert.equal(drained, null, 'not drained while two are under way');
    inner.pending[0].answer();
    assert.deepEqual(await first, ['a:s1']);
    await tick();
    assert.equal(drained, null);
    inner.pending[1].answer();
    assert.deepEqual(await second, ['a:s2']);
    await tick();
    assert.equal(drained, true);
    assert.equal(link.inFlight, 0);
  });

  it('refuses new submits with LinkDownError once draining, so the router fails over', async () => {
    const old = new HeldLink('old', { prefixes: [], priority: 1 });
    const other = new HeldLink('other', { prefixes: [], priority: 5 });
    const drainable = new DrainableLink(old);
    const router = new SmsRouter([drainable, other]);
    assert.equal(await drainable.drain(1000), true, 'nothing under way: drained at once');
    await assert.rejects(drainable.submit(sms('x')), LinkDownError);
    const routed = router.submit(sms('s3'));
    await tick();
    other.pending[0].answer();
    const r = await routed;
    assert.equal(r.linkId, 'other');
    assert.deepEqual(
      r.failedOver.map((f) => f.linkId),
      ['old'],
    );
    assert.deepEqual(old.sent, [], 'the draining link sent nothing');
  });

  it('gives up waiting after the time-out and says so', async () => {
    const clock = new ManualClock();
    const inner = new HeldLink('a', { prefixes: [], priority: 1 });
    const link = new DrainableLink(inner, clock);
    void link.submit(sms('s1'));
    let drained: boolean | null = null;
    void link.drain(5000).then((d) => (drained = d));
    clock.advance(4999);
    await tick();
    assert.equal(drained, null);
    clock.advance(1);
    await tick();
    assert.equal(drained, false);
    assert.equal(link.inFlight, 1);
  });
});
