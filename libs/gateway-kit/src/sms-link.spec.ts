import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PartialSubmitError, SubmitRefusedError } from './errors';
import { ManualClock } from './flow/clock';
import { validateBaseLinkConfig } from './link-config';
import { SmsLink, type LinkHealth } from './sms-link';
import type { DeliveryReport, InboundMessage, OutboundSms } from './sms';
import { encodeUcs2 } from './text/ucs2-codec';

/** Exposes the protected helpers so the shared behaviour can be tested without a socket. */
class ProbeLink extends SmsLink {
  async start(): Promise<void> {}
  async stop(): Promise<void> {
    await this.flushPartialMessages();
  }
  async submit(sms: OutboundSms): Promise<string[]> {
    return [sms.id];
  }
  health(): LinkHealth {
    return { state: 'up', windowInUse: 0, windowSize: 1, ratePerSec: 0, tps: 1, errors: 0 };
  }
  inbound(...args: Parameters<SmsLink['receiveInbound']>) {
    return this.receiveInbound(...args);
  }
  report(r: DeliveryReport) {
    return this.receiveReport(r);
  }
  settle(promises: Promise<string>[]) {
    return this.settleSegments('sms-1', promises);
  }
  segment(sms: OutboundSms) {
    return this.segmentOutbound(sms, ['ascii', 'ucs2']);
  }
}

/** `sinkFailures`: how many sink calls fail before it works (Infinity = always). */
function setup(sinkFailures = 0) {
  let failuresLeft = sinkFailures;
  const failing = () => failuresLeft-- > 0;
  const clock = new ManualClock(Date.UTC(2026, 10, 23));
  const messages: InboundMessage[] = [];
  const reports: DeliveryReport[] = [];
  const link = new ProbeLink(
    validateBaseLinkConfig({ id: 'p1', kind: 'probe' }, { window: 1, tps: 1 }),
    {
      sink: {
        message: (m) => {
          if (failing()) throw new Error('down');
          messages.push(m);
        },
        report: (r) => {
          if (failing()) return Promise.reject(new Error('down'));
          reports.push(r);
        },
      },
      clock,
      reassemblyTimeoutMs: 60_000,
    },
  );
  return { clock, messages, reports, link };
}

const ucs2 = (text: string) => ({ encoding: 'ucs2' as const, bytes: encodeUcs2(text) });
const env = { from: '13900000000', to: '10658888' };
const part = (seq: number, total = 2) => ({ reference: 9, referenceBits: 8 as const, total, seq });

describe('SmsLink shared behaviour', () => {
  it('hands a single segment over at once, with sender, receiver and time', async () => {
    const { link, messages, clock } = setup();
    assert.equal(await link.inbound({ ...env, carrierId: 'c1' }, ucs2('你好'), undefined), true);
    assert.deepEqual(messages, [
      {
        linkId: 'p1',
        from: env.from,
        to: env.to,
        text: '你好',
        receivedAt: new Date(clock.now()),
        complete: true,
        segments: 1,
        carrierId: 'c1',
      },
    ]);
  });

  it('joins segments, ignores a repeated one and hands over a partial one after the time-out', async () => {
    const { link, messages, clock } = setup();
    assert.equal(await link.inbound(env, ucs2('A'), part(1)), true);
    assert.equal(await link.inbound(env, ucs2('A again'), part(1)), true);
    assert.equal(messages.length, 0);
    await link.inbound(env, ucs2('B'), part(2));
    assert.equal(messages[0].text, 'AB');
    await link.inbound(env, ucs2('first of three'), part(1, 3));
    clock.advance(60_000);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      [messages[1].text, messages[1].complete, messages[1].segments],
      ['first of three', false, 1],
    );
  });

  it('hands over what is still waiting when the link stops', async () => {
    const { link, messages } = setup();
    await link.inbound(env, ucs2('half'), part(1));
    await link.stop();
    assert.deepEqual([messages[0].text, messages[0].complete], ['half', false]);
  });

  it('joins a long message again when the sink failed on its last segment and it is resent', async () => {
    const { link, messages } = setup(1);
    await link.inbound(env, ucs2('A'), part(1));
    assert.equal(await link.inbound(env, ucs2('B'), part(2)), false);
    assert.equal(await link.inbound(env, ucs2('B'), part(2)), true);
    assert.deepEqual(
      messages.map((m) => [m.text, m.complete]),
      [['AB', true]],
    );
  });

  it('tells the protocol when the sink failed, so the carrier is asked to resend', async () => {
    const { link } = setup(Infinity);
    assert.equal(await link.inbound(env, ucs2('x'), undefined), false);
    assert.equal(
      await link.report({
        linkId: 'p1',
        messageId: 'm',
        to: env.from,
        state: 'delivered',
        carrierStatus: 'DELIVRD',
      }),
      false,
    );
  });

  it('keeps accepted segment ids with a later failure so nobody resends them elsewhere', async () => {
    const { link } = setup();
    assert.deepEqual(await link.settle([Promise.resolve('a'), Promise.resolve('b')]), ['a', 'b']);
    await assert.rejects(
      link.settle([
        Promise.resolve('a'),
        Promise.reject(new SubmitRefusedError('p1', 8, 'flow', true)),
      ]),
      (e: unknown) => e instanceof SubmitRefusedError && e.acceptedIds.join() === 'a',
    );
    await assert.rejects(
      link.settle([Promise.resolve('a'), Promise.reject(new Error('socket gone'))]),
      (e: unknown) => e instanceof PartialSubmitError && e.acceptedIds.join() === 'a',
    );
    await assert.rejects(link.settle([Promise.reject(new Error('first'))]), /first/);
  });

  it('gives each outbound message its own concatenation reference and wants text or data', () => {
    const { link } = setup();
    const a = link.segment({ id: '1', to: '1', text: 'x'.repeat(200) });
    const b = link.segment({ id: '2', to: '1', text: 'x'.repeat(200) });
    assert.notEqual(a.reference, b.reference);
    assert.throws(() => link.segment({ id: '3', to: '1' }), /exactly one of text and data/);
    assert.throws(
      () => link.segment({ id: '4', to: '1', text: 'x', data: Buffer.alloc(1) }),
      /exactly one/,
    );
  });
});
