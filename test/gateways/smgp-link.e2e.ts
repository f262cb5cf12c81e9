import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  InvalidPhoneNumberError,
  LinkDownError,
  RequestTimeoutError,
  SubmitRefusedError,
  UnencodableTextError,
  encodeUcs2,
  type DeliveryReport,
  type InboundMessage,
  type InboundSink,
} from '@dizi/gateway-kit';
import { SmgpLink, SmgpTag, tlvU8, validateSmgpLinkConfig } from '@dizi/gateways/smgp';
import { SmgpGatewaySimulator } from '../peers/smgp-gateway';

class RecordingSink implements InboundSink {
  messages: InboundMessage[] = [];
  reports: DeliveryReport[] = [];
  failNext = false;
  message(m: InboundMessage): void {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('store unavailable');
    }
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

async function setup(overrides: Record<string, unknown> = {}) {
  const gw = await SmgpGatewaySimulator.start({ accounts: { '10001234': 'secret' } });
  cleanups.push(() => gw.close());
  const sink = new RecordingSink();
  const link = new SmgpLink(
    validateSmgpLinkConfig({
      id: 'ct-test',
      kind: 'smgp',
      host: '127.0.0.1',
      port: gw.port,
      account: '10001234',
      secret: 'secret',
      srcId: '10660001',
      serviceId: 'MDZ',
      tps: 10_000,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      responseTimeoutMs: 2_000,
      ...overrides,
    }),
    { sink },
  );
  cleanups.push(() => link.stop());
  await link.start();
  return { gw, sink, link };
}

function until(predicate: () => boolean, timeoutMs = 3_000, what = 'condition'): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (predicate()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('SmgpLink against the SMGP gateway simulator', () => {
  it('logs in (transmit mode) and submits; the carrier id is the MsgID in hex', async () => {
    const { gw, link } = await setup();
    assert.deepEqual(gw.logins, [{ clientId: '10001234', loginMode: 2, status: 0 }]);
    const [id] = await link.submit({
      id: 'a',
      to: '13300000001',
      text: 'hello',
      sourceExtension: '5',
    });
    const [received] = gw.submits;
    assert.equal(id, received.msgId?.toString('hex'));
    assert.match(id, /^591001\d{14}$/);
    assert.deepEqual(
      [
        received.submit.msgType,
        received.submit.needReport,
        received.submit.srcTermId,
        received.submit.destTermIds,
      ],
      [6, 1, '106600015', ['13300000001']],
    );
    assert.deepEqual(received.submit.tlvs, []);
  });

  it('sends a long text with UDHI and Pk numbers as TLVs and matches the reports', async () => {
    const { gw, sink, link } = await setup();
    gw.autoReportStat = 'DELIVRD';
    const ids = await link.submit({ id: 'long', to: '13300000001', text: '天翼'.repeat(40) });
    assert.equal(ids.length, 2);
    assert.deepEqual(
      gw.submits.map((s) => [
        tlvU8(s.submit.tlvs, SmgpTag.TP_UDHI),
        tlvU8(s.submit.tlvs, SmgpTag.PK_TOTAL),
        tlvU8(s.submit.tlvs, SmgpTag.PK_NUMBER),
        s.submit.msgFormat,
      ]),
      [
        [1, 2, 1, 8],
        [1, 2, 2, 8],
      ],
    );
    await until(() => sink.reports.length === 2, 3_000, 'two reports');
    assert.deepEqual(sink.reports.map((r) => r.messageId).sort(), [...ids].sort());
    assert.ok(sink.reports.every((r) => r.state === 'delivered' && r.to === '13300000001'));
  });

  it('receives MO messages, joining a long one whose UDHI is a TLV', async () => {
    const { gw, sink } = await setup();
    const part = (seq: number, text: string) =>
      Buffer.concat([Buffer.from([5, 0, 3, 0x44, 2, seq]), encodeUcs2(text)]);
    assert.equal(
      (
        await gw.injectMo({
          from: '13300000002',
          to: '10660001',
          content: Buffer.from('TD'),
          msgFormat: 0,
        })
      ).status,
      0,
    );
    await gw.injectMo({
      from: '13300000003',
      to: '10660001',
      content: part(1, '前半'),
      msgFormat: 8,
      udhi: true,
    });
    await gw.injectMo({
      from: '13300000003',
      to: '10660001',
      content: part(2, '后半'),
      msgFormat: 8,
      udhi: true,
    });
    assert.deepEqual(
      sink.messages.map((m) => [m.from, m.text, m.segments]),
      [
        ['13300000002', 'TD', 1],
        ['13300000003', '前半后半', 2],
      ],
    );
  });

  it('asks for a resend when the sink fails and rejects a garbled report', async () => {
    const { gw, sink } = await setup();
    sink.failNext = true;
    assert.equal(
      (
        await gw.injectMo({
          from: '13300000002',
          to: '10660001',
          content: Buffer.from('x'),
          msgFormat: 0,
        })
      ).status,
      1,
    );
    const again = await gw.injectMo({
      from: '13300000002',
      to: '10660001',
      content: Buffer.from('x'),
      msgFormat: 0,
    });
    assert.equal(again.status, 0);
    const garbled = await gw.injectDeliver({
      isReport: 1,
      msgFormat: 0,
      srcTermId: '13300000001',
      destTermId: '',
      msgContent: Buffer.from('not a report at all'),
      tlvs: [],
    });
    assert.equal(garbled.status, 10);
    assert.equal(sink.messages.length, 1);
    assert.equal(sink.reports.length, 0);
  });

  it('maps Submit_Resp statuses to typed errors', async () => {
    const { gw, link } = await setup();
    gw.submitStatus = () => 48;
    await assert.rejects(
      link.submit({ id: 'x', to: '13300000001', text: 'x' }),
      (e: unknown) =>
        e instanceof SubmitRefusedError &&
        e.carrierCode === 48 &&
        /illegal destination number/.test(e.message),
    );
  });

  it('keeps the window against a slow gateway and resumes it after a drop', async () => {
    const { gw, link } = await setup({ window: 4 });
    gw.responseDelayMs = 50;
    const first = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        link.submit({ id: `w${i}`, to: '13300000001', text: `w${i}` }),
      ),
    );
    assert.equal(new Set(first.flat()).size, 8);
    assert.equal(gw.maxOutstanding, 4);
    gw.responseDelayMs = 0;
    gw.dropAfter(2);
    const second = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        link.submit({ id: `d${i}`, to: '13300000001', text: `d${i}` }),
      ),
    );
    assert.equal(second.flat().length, 5);
    assert.equal(gw.logins.length, 2);
  });

  it('times out on silence, drops a peer that ignores Active_Test, and refuses a wrong secret', async () => {
    const silent = await setup({
      responseTimeoutMs: 150,
      maxAttempts: 2,
      activeTestIntervalMs: 50,
    });
    silent.gw.silent = true;
    await assert.rejects(
      silent.link.submit({ id: 't', to: '13300000001', text: 'x' }),
      RequestTimeoutError,
    );
    assert.ok(silent.gw.activeTests >= 1);
    silent.gw.answerActiveTests = false;
    await until(() => silent.gw.logins.length >= 2, 3_000, 'reconnect after ignored Active_Test');

    const wrong = await setup({ secret: 'nope', reconnectMinMs: 5_000, reconnectMaxMs: 5_000 });
    assert.equal(wrong.gw.logins[0].status, 21);
    assert.match(wrong.link.health().lastError ?? '', /authentication error/);
    await assert.rejects(
      wrong.link.submit({ id: 'x', to: '13300000001', text: 'x' }),
      LinkDownError,
    );
  });

  it('recovers from an unknown RequestID and a broken length, and says Exit on stop', async () => {
    const { gw, link } = await setup();
    gw.sendRaw(Buffer.from('0000000c0000005500000001', 'hex'));
    gw.sendRaw(Buffer.from('000000028000000200000001', 'hex'));
    await until(() => gw.logins.length === 2 && link.health().state === 'up', 3_000, 'relogin');
    assert.equal((await link.submit({ id: 'ok', to: '13300000001', text: 'ok' })).length, 1);
    await link.stop();
    assert.equal(gw.exits, 1);
  });

  it('ignores a Submit_Resp for an unknown sequence and resends after a truncated one', async () => {
    const { gw, link } = await setup();
    const errorsBefore = link.health().errors;
    const header = (length: number, sequenceId: number) => {
      const b = Buffer.alloc(12);
      b.writeUInt32BE(length, 0);
      b.writeUInt32BE(0x80000002, 4); // Submit_Resp
      b.writeUInt32BE(sequenceId, 8);
      return b;
    };
    gw.sendRaw(Buffer.concat([header(26, 987654), Buffer.alloc(14)]));
    await until(() => link.health().errors > errorsBefore, 3_000, 'the stray response noted');
    assert.match(link.health().lastError ?? '', /unknown sequence 987654/);
    gw.silent = true;
    const pending = link.submit({ id: 'tr', to: '13300000001', text: 'truncated answer' });
    await until(() => gw.submits.length === 1, 3_000, 'the Submit');
    gw.silent = false;
    // MsgID and Status need 14 bytes; 3 cannot be read: the segment goes again.
    gw.sendRaw(Buffer.concat([header(15, gw.submits[0].sequenceId), Buffer.alloc(3)]));
    assert.equal((await pending).length, 1);
    assert.equal(gw.submits.length, 2, 'sent again once after the unreadable answer');
    assert.equal(link.health().state, 'up');
    assert.equal(gw.logins.length, 1, 'the session stayed up');
  });

  it('refuses an invalid number or a text its encodings cannot carry, sending nothing', async () => {
    const { gw, link } = await setup({ encodings: ['ascii'] });
    await assert.rejects(link.submit({ id: 'n', to: '12ab', text: 'x' }), InvalidPhoneNumberError);
    await assert.rejects(
      link.submit({ id: 'u', to: '13300000001', text: '中文短信' }),
      UnencodableTextError,
    );
    assert.equal(gw.submits.length, 0);
    assert.equal((await link.submit({ id: 'a', to: '13300000001', text: 'ascii ok' })).length, 1);
  });
});
