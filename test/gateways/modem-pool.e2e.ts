import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { DeliveryReport, InboundMessage, InboundSink } from '@dizi/gateway-kit';
import { ModemPool, validateModemPoolConfig } from '@dizi/gateways/modem';
import { AtModemSimulator } from '../peers/at-modem';

class RecordingSink implements InboundSink {
  messages: InboundMessage[] = [];
  reports: DeliveryReport[] = [];
  message(m: InboundMessage): void {
    this.messages.push(m);
  }
  report(r: DeliveryReport): void {
    this.reports.push(r);
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** `count` simulated modems, each taking `sendMs` per SMS, in one pool. */
async function pool(count: number, sendMs: number, extra: Record<string, unknown> = {}) {
  const modems = await Promise.all(
    Array.from({ length: count }, () => AtModemSimulator.start({ sendMs, autoReportMs: 10 })),
  );
  for (const m of modems) cleanups.push(() => m.close());
  const sink = new RecordingSink();
  const link = new ModemPool(
    validateModemPoolConfig({
      id: 'pool',
      kind: 'modem-pool',
      sendIntervalMs: sendMs,
      commandTimeoutMs: 600,
      sendTimeoutMs: 1_000,
      reconnectMinMs: 100,
      reconnectMaxMs: 300,
      resumeTimeoutMs: 800,
      maxAttempts: 1,
      benchMs: 60_000,
      modems: modems.map((m, i) => ({ id: `m${i + 1}`, path: m.linkPath })),
      ...extra,
    }),
    { sink },
  );
  cleanups.push(() => link.stop());
  await link.start();
  return { modems, sink, link };
}

async function timeToSend(link: ModemPool, messages: number): Promise<number> {
  const started = Date.now();
  await Promise.all(
    Array.from({ length: messages }, (_, i) =>
      link.submit({ id: `s${i}`, to: '+8613800138000', text: `message ${i}` }),
    ),
  );
  return Date.now() - started;
}

describe('ModemPool over simulated modems', () => {
  it('spreads SMS over the modems: throughput grows with their number', async () => {
    const sendMs = 150;
    const one = await pool(1, sendMs);
    const t1 = await timeToSend(one.link, 12);
    assert.equal(one.modems[0].submits.length, 12);
    while (cleanups.length) await cleanups.pop()?.();

    const four = await pool(4, sendMs);
    assert.equal(four.link.health().state, 'up');
    assert.equal(four.link.health().tps, 4 * (1000 / sendMs));
    const t4 = await timeToSend(four.link, 12);
    assert.deepEqual(
      four.modems.map((m) => m.submits.length),
      [3, 3, 3, 3],
    );
    // 12 × 150 ms on one modem ≈ 1.8 s; on four ≈ 0.45 s. Allow slack for the machine.
    assert.ok(t4 * 2.5 < t1, `one modem ${t1} ms, four modems ${t4} ms`);
  });

  it('keeps a long message on one modem and rewrites report ids to the pool', async () => {
    const { modems, sink, link } = await pool(3, 20);
    const ids = await link.submit({ id: 'long', to: '+8613800138000', text: '长'.repeat(100) });
    assert.equal(ids.length, 2);
    const used = modems.filter((m) => m.submits.length);
    assert.equal(used.length, 1, 'both segments through the same modem (one sender number)');
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = () =>
        sink.reports.length >= 2
          ? resolve()
          : Date.now() - started > 3_000
            ? reject(new Error('no reports'))
            : setTimeout(poll, 10);
      poll();
    });
    assert.deepEqual(sink.reports.map((r) => r.messageId).sort(), [...ids].sort());
    assert.ok(sink.reports.every((r) => r.linkId === 'pool'));
    assert.ok(ids.every((id) => /^m\d\//.test(id)));
    used[0].deliver('+8613700000000', 'MO via a member', 'cmti');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sink.messages[0]?.linkId, 'pool');
    assert.equal(sink.messages[0]?.text, 'MO via a member');
  });

  it('takes a silent modem out of rotation and goes on with the others', async () => {
    const { modems, link } = await pool(3, 30);
    modems[1].silent = true;
    const ids: string[][] = [];
    for (let i = 0; i < 9; i++) {
      ids.push(await link.submit({ id: `f${i}`, to: '+8613800138000', text: `after ${i}` }));
    }
    assert.equal(ids.length, 9);
    assert.equal(modems[1].submits.length, 0);
    assert.equal(modems[0].submits.length + modems[2].submits.length, 9);
    assert.match(link.health().lastError ?? '', /pool\.m2/);
    assert.equal(link.health().state, 'up');
  });

  it('refuses at once when no modem is up', async () => {
    const { modems, link } = await pool(2, 20);
    for (const m of modems) m.silent = true;
    await assert.rejects(
      link.submit({ id: 'none', to: '+8613800138000', text: 'x' }),
      /every modem failed|no modem of the pool is up/,
    );
  });
});
