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
import { SgipLink, frameSgip, validateSgipLinkConfig } from '@dizi/gateways/sgip';
import { SgipSmgSimulator } from '../peers/sgip-smg';

const NODE_ID = 3053112345;

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
  const smg = await SgipSmgSimulator.start({ accounts: { sp41027: 'pw' } });
  cleanups.push(() => smg.close());
  const sink = new RecordingSink();
  const link = new SgipLink(
    validateSgipLinkConfig({
      id: 'cu-test',
      kind: 'sgip',
      host: '127.0.0.1',
      port: smg.port,
      account: 'sp41027',
      secret: 'pw',
      nodeId: NODE_ID,
      corpId: '41027',
      srcId: '10655',
      serviceId: 'MDZ',
      listenPort: 0,
      smgLogin: 'smg',
      smgPassword: 'smgpw',
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
  const listen = link.listenAddress;
  assert.ok(listen);
  return { smg, sink, link, listen, smgLogin: { name: 'smg', password: 'smgpw' } };
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

describe('SgipLink against the SMG simulator', () => {
  it('binds with LoginType 1 and submits; the carrier id is the Submit sequence number', async () => {
    const { smg, link } = await setup();
    assert.deepEqual(smg.binds, [{ loginType: 1, loginName: 'sp41027', result: 0 }]);
    const [id] = await link.submit({
      id: 'a',
      to: '13000000001',
      text: 'hello',
      sourceExtension: '12',
    });
    const [received] = smg.submits;
    assert.equal(received.sequence.nodeId, NODE_ID);
    assert.equal(
      id,
      `${NODE_ID}-${String(received.sequence.timestamp).padStart(10, '0')}-${received.sequence.counter}`,
    );
    assert.deepEqual(
      [
        received.submit.spNumber,
        received.submit.userNumbers,
        received.submit.corpId,
        received.submit.reportFlag,
      ],
      ['1065512', ['8613000000001'], '41027', 1],
    );
    assert.equal(received.submit.messageContent.toString(), 'hello');
  });

  it('splits a long UCS-2 text with UDH and matches Reports from the SMG to each segment', async () => {
    const { smg, sink, link, listen, smgLogin } = await setup();
    const ids = await link.submit({ id: 'long', to: '+8613000000001', text: '联通'.repeat(40) });
    assert.equal(ids.length, 2);
    assert.deepEqual(
      smg.submits.map((s) => [
        s.submit.tpUdhi,
        s.submit.messageCoding,
        s.submit.messageContent.subarray(0, 3).toString('hex'),
      ]),
      [
        [1, 8, '050003'],
        [1, 8, '050003'],
      ],
    );
    const reports = smg.submits.map((s, i) =>
      smg.report(s.sequence, '8613000000001', i === 0 ? 0 : 2, i === 0 ? 0 : 6),
    );
    const { bind, answers } = await smg.deliverTo(listen, smgLogin, reports);
    assert.equal(bind, 0);
    assert.deepEqual(
      answers.map((a) => a.result),
      [0, 0],
    );
    assert.deepEqual(
      sink.reports.map((r) => [r.messageId, r.state, r.carrierStatus]),
      [
        [ids[0], 'delivered', 'State:0 ErrorCode:0'],
        [ids[1], 'undeliverable', 'State:2 ErrorCode:6'],
      ],
    );
  });

  it('takes MO messages on its listener: GBK, and a long UCS-2 one from two Delivers', async () => {
    const { smg, sink, listen, smgLogin } = await setup();
    const part = (seq: number, text: string) =>
      Buffer.concat([Buffer.from([5, 0, 3, 0x21, 2, seq]), encodeUcs2(text)]);
    const { answers } = await smg.deliverTo(listen, smgLogin, [
      smg.deliver('8613100000000', '10655', Buffer.from('c4e3bac3', 'hex'), 15),
      smg.deliver('8613200000000', '10655', part(1, '上联'), 8, true),
      smg.deliver('8613200000000', '10655', part(2, '下联'), 8, true),
    ]);
    assert.deepEqual(
      answers.map((a) => a.result),
      [0, 0, 0],
    );
    assert.deepEqual(
      sink.messages.map((m) => [m.from, m.to, m.text, m.segments]),
      [
        ['8613100000000', '10655', '你好', 1],
        ['8613200000000', '10655', '上联下联', 2],
      ],
    );
  });

  it('refuses the SMG with wrong credentials or a Deliver before Bind', async () => {
    const { smg, sink, link, listen } = await setup();
    const wrong = await smg.deliverTo(listen, { name: 'smg', password: 'nope' }, []);
    assert.equal(wrong.bind, 1);
    const unbound = await smg.sendUnbound(
      listen,
      smg.deliver('8613100000000', '10655', Buffer.from('x'), 0),
    );
    assert.equal(unbound.result, 1);
    assert.equal(sink.messages.length, 0);
    assert.ok(link.health().errors >= 1);
  });

  it('answers a Deliver the sink could not take with an error so the SMG resends it', async () => {
    const { smg, sink, listen, smgLogin } = await setup();
    sink.failNext = true;
    const { answers } = await smg.deliverTo(listen, smgLogin, [
      smg.deliver('8613100000000', '10655', Buffer.from('one'), 0),
      smg.deliver('8613100000000', '10655', Buffer.from('one'), 0),
    ]);
    assert.deepEqual(
      answers.map((a) => a.result),
      [99, 0],
    );
    assert.equal(sink.messages.length, 1);
  });

  it('maps Submit_Resp results to typed errors', async () => {
    const { smg, link } = await setup();
    smg.submitResult = () => 6;
    await assert.rejects(
      link.submit({ id: 'x', to: '13000000001', text: 'x' }),
      (e: unknown) =>
        e instanceof SubmitRefusedError &&
        e.carrierCode === 6 &&
        /illegal mobile number/.test(e.message),
    );
  });

  it('keeps the window against a slow SMG and resumes it after a drop mid-window', async () => {
    const { smg, link } = await setup({ window: 4 });
    smg.responseDelayMs = 50;
    const first = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        link.submit({ id: `w${i}`, to: '13000000001', text: `w${i}` }),
      ),
    );
    assert.equal(first.flat().length, 8);
    assert.equal(smg.maxOutstanding, 4);
    smg.responseDelayMs = 0;
    smg.dropAfter(3);
    const second = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        link.submit({ id: `d${i}`, to: '13000000001', text: `d${i}` }),
      ),
    );
    assert.equal(second.flat().length, 6);
    assert.equal(smg.binds.length, 2);
    const answered = smg.submits
      .filter((s) => s.result === 0)
      .map((s) => s.submit.messageContent.toString());
    for (let i = 0; i < 6; i++) assert.ok(answered.includes(`d${i}`), `d${i} answered`);
  });

  it('times out on a silent SMG and recovers from garbage on the submit connection', async () => {
    const { smg, link } = await setup({ responseTimeoutMs: 150, maxAttempts: 2 });
    smg.silent = true;
    await assert.rejects(
      link.submit({ id: 't', to: '13000000001', text: 'x' }),
      RequestTimeoutError,
    );
    smg.silent = false;
    smg.sendRaw(frameSgip(0x7777, { nodeId: 1, timestamp: 1, counter: 1 }, Buffer.from('junk')));
    const broken = Buffer.alloc(20);
    broken.writeUInt32BE(3, 0);
    smg.sendRaw(broken);
    await until(() => smg.binds.length === 2 && link.health().state === 'up', 3_000, 'rebind');
    assert.equal((await link.submit({ id: 'ok', to: '13000000001', text: 'ok' })).length, 1);
    assert.match(link.health().lastError ?? '', /SGIP packet length 3/);
  });

  it('unbinds on stop, closes its listener and refuses to submit', async () => {
    const { smg, link, listen, smgLogin } = await setup();
    await assert.rejects(link.submit({ id: 'x', to: '12', text: 'x' }), InvalidPhoneNumberError);
    await link.stop();
    assert.equal(smg.unbinds, 1);
    await assert.rejects(link.submit({ id: 'x', to: '13000000001', text: 'x' }), LinkDownError);
    await assert.rejects(smg.deliverTo(listen, smgLogin, []), /ECONNREFUSED/);
  });

  it('refuses a wrong password at Bind, says why, and keeps retrying without sending', async () => {
    const { smg, link } = await setup({
      secret: 'wrong',
      reconnectMinMs: 100,
      reconnectMaxMs: 100,
    });
    assert.equal(smg.binds[0].result, 1);
    assert.notEqual(link.health().state, 'up');
    assert.match(link.health().lastError ?? '', /SMG refused Bind: result 1/);
    await assert.rejects(link.submit({ id: 'x', to: '13000000001', text: 'x' }), LinkDownError);
    await until(() => smg.binds.length >= 2, 3_000, 'a second Bind attempt');
    assert.equal(smg.submits.length, 0, 'nothing was submitted');
  });

  it('ignores a Submit_Resp for an unknown sequence and resends after a truncated one', async () => {
    const { smg, link } = await setup();
    const errorsBefore = link.health().errors;
    // A response for something never sent: logged, counted, nothing else happens.
    smg.sendRaw(
      frameSgip(
        0x80000003,
        { nodeId: NODE_ID, timestamp: 1010101, counter: 424242 },
        Buffer.alloc(9),
      ),
    );
    await until(() => link.health().errors > errorsBefore, 3_000, 'the stray response noted');
    assert.match(link.health().lastError ?? '', /unknown sequence/);
    // A truncated Submit_Resp for the segment under way: its answer is unreadable, so it
    // goes again (the one case SGIP cannot tell: docs/gateways.md).
    smg.silent = true;
    const pending = link.submit({ id: 'tr', to: '13000000001', text: 'truncated answer' });
    await until(() => smg.submits.length === 1, 3_000, 'the Submit');
    smg.silent = false;
    smg.sendRaw(frameSgip(0x80000003, smg.submits[0].sequence, Buffer.alloc(2)));
    assert.equal((await pending).length, 1);
    assert.equal(smg.submits.length, 2, 'sent again once after the unreadable answer');
    assert.match(link.health().lastError ?? '', /segment sent again after: Reserve needs 8 bytes/);
    assert.equal(link.health().state, 'up', 'the session stayed up');
    assert.equal(smg.binds.length, 1);
  });

  it('refuses a text its encodings cannot carry, sending nothing', async () => {
    const { smg, link } = await setup({ encodings: ['ascii'] });
    await assert.rejects(
      link.submit({ id: 'u', to: '13000000001', text: '中文短信' }),
      UnencodableTextError,
    );
    assert.equal(smg.submits.length, 0);
    assert.equal((await link.submit({ id: 'a', to: '13000000001', text: 'ascii ok' })).length, 1);
  });
});
