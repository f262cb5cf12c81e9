import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  InvalidPhoneNumberError,
  LinkDownError,
  RequestTimeoutError,
  SmsRouter,
  SubmitRefusedError,
  UnencodableTextError,
  encodeUcs2,
  type DeliveryReport,
  type InboundMessage,
  type InboundSink,
} from '@dizi/gateway-kit';
import { CmppLink, frameCmpp, parseMsgIdText, validateCmppLinkConfig } from '@dizi/gateways/cmpp';
import { CmppIsmgSimulator } from '../peers/cmpp-ismg';

const ACCOUNT = '901234';
const SECRET = 's3cret';

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

async function setup(overrides: Record<string, unknown> = {}, sim?: CmppIsmgSimulator) {
  const ismg = sim ?? (await CmppIsmgSimulator.start({ accounts: { [ACCOUNT]: SECRET } }));
  if (!sim) cleanups.push(() => ismg.close());
  const sink = new RecordingSink();
  const config = validateCmppLinkConfig({
    id: 'cm-test',
    kind: 'cmpp',
    version: '3.0',
    host: '127.0.0.1',
    port: ismg.port,
    account: ACCOUNT,
    secret: SECRET,
    serviceId: 'MDZ0001',
    srcId: '1065888801',
    tps: 10_000,
    reconnectMinMs: 50,
    reconnectMaxMs: 200,
    responseTimeoutMs: 2_000,
    resumeTimeoutMs: 3_000,
    ...overrides,
  });
  const link = new CmppLink(config, { sink });
  cleanups.push(() => link.stop());
  await link.start();
  return { ismg, sink, link };
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

describe('CmppLink against the ISMG simulator', () => {
  it('logs in with the MD5 authenticator and sends a short text (3.0)', async () => {
    const { ismg, link } = await setup();
    assert.equal(link.health().state, 'up');
    assert.deepEqual(ismg.logins, [{ sourceAddr: ACCOUNT, version: 0x30, status: 0 }]);
    const ids = await link.submit({
      id: 'a',
      to: '+8613800138000',
      text: 'Hello from Dizi',
      sourceExtension: '77',
    });
    assert.equal(ids.length, 1);
    const [received] = ismg.submits;
    assert.equal(ids[0], received.msgId?.toString(16).padStart(16, '0'));
    assert.equal(received.submit.msgFmt, 0);
    assert.equal(received.submit.tpUdhi, 0);
    assert.equal(received.submit.srcId, '106588880177');
    assert.equal(received.submit.serviceId, 'MDZ0001');
    assert.equal(received.submit.msgSrc, ACCOUNT);
    assert.equal(received.submit.registeredDelivery, 1);
    assert.deepEqual(received.submit.destTerminalIds, ['8613800138000']);
    assert.equal(received.submit.msgContent.toString(), 'Hello from Dizi');
  });

  it('splits a long Chinese text into three UCS-2 segments and matches their reports', async () => {
    const { ismg, sink, link } = await setup();
    ismg.autoReportStat = 'DELIVRD';
    const text = '长'.repeat(150);
    const ids = await link.submit({ id: 'long', to: '13800138000', text });
    assert.equal(ids.length, 3);
    const submits = ismg.submits.map((s) => s.submit);
    assert.deepEqual(
      submits.map((s) => [s.msgFmt, s.tpUdhi, s.pkTotal, s.pkNumber]),
      [
        [8, 1, 3, 1],
        [8, 1, 3, 2],
        [8, 1, 3, 3],
      ],
    );
    const refs = new Set(submits.map((s) => s.msgContent[3]));
    assert.equal(refs.size, 1);
    assert.deepEqual(Buffer.concat(submits.map((s) => s.msgContent.subarray(6))), encodeUcs2(text));
    await until(() => sink.reports.length === 3, 3_000, 'three reports');
    assert.deepEqual(sink.reports.map((r) => r.messageId).sort(), [...ids].sort());
    assert.ok(
      sink.reports.every(
        (r) => r.state === 'delivered' && r.carrierStatus === 'DELIVRD' && r.to === '13800138000',
      ),
    );
    await ismg.waitFor(
      () => ismg.deliverResps.filter((r) => r.result === 0).length === 3,
      2_000,
      'three DELIVER_RESPs',
    );
  });

  it('speaks CMPP 2.0 end to end, including a 60-byte report', async () => {
    const { ismg, sink, link } = await setup({ version: '2.0' });
    assert.equal(ismg.logins[0].version, 0x20);
    const [id] = await link.submit({ id: 'v2', to: '13800138000', text: 'v2 text' });
    const resp = await ismg.injectReport({
      msgId: parseMsgIdText(id),
      stat: 'UNDELIV',
      dest: '13800138000',
    });
    assert.equal(resp.result, 0);
    assert.equal(sink.reports[0].messageId, id);
    assert.equal(sink.reports[0].state, 'undeliverable');
  });

  it('reads a 60-byte report inside a 3.0 session', async () => {
    const { ismg, sink, link } = await setup();
    const [id] = await link.submit({ id: 'r', to: '13800138000', text: 'x' });
    await ismg.injectReport({
      msgId: parseMsgIdText(id),
      stat: 'MA:0054',
      dest: '13800138000',
      layout: 0x20,
    });
    assert.deepEqual([sink.reports[0].messageId, sink.reports[0].state], [id, 'undeliverable']);
  });

  it('hands MO messages to the sink: ASCII, GBK, and a long UCS-2 one joined from two DELIVERs', async () => {
    const { ismg, sink } = await setup();
    assert.equal(
      (
        await ismg.injectMo({
          from: '13912345678',
          to: '1065888801',
          content: Buffer.from('STOP'),
          msgFmt: 0,
        })
      ).result,
      0,
    );
    await ismg.injectMo({
      from: '13912345678',
      to: '1065888801',
      content: Buffer.from('c4e3bac3', 'hex'),
      msgFmt: 15,
    });
    const part = (seq: number, text: string) =>
      Buffer.concat([Buffer.from([5, 0, 3, 0x99, 2, seq]), encodeUcs2(text)]);
    await ismg.injectMo({
      from: '13700000000',
      to: '1065888801',
      content: part(2, '世界'),
      msgFmt: 8,
      udhi: true,
    });
    assert.equal(sink.messages.length, 2);
    await ismg.injectMo({
      from: '13700000000',
      to: '1065888801',
      content: part(1, '你好，'),
      msgFmt: 8,
      udhi: true,
    });
    assert.deepEqual(
      sink.messages.map((m) => [m.from, m.text, m.segments, m.complete]),
      [
        ['13912345678', 'STOP', 1, true],
        ['13912345678', '你好', 1, true],
        ['13700000000', '你好，世界', 2, true],
      ],
    );
  });

  it('asks the ISMG to resend when the sink fails, and answers a bad UDH with a structure error', async () => {
    const { ismg, sink } = await setup();
    sink.failNext = true;
    const failed = await ismg.injectMo({
      from: '13912345678',
      to: '1065888801',
      content: Buffer.from('hi'),
      msgFmt: 0,
    });
    assert.equal(failed.result, 9);
    const badUdh = await ismg.injectMo({
      from: '13912345678',
      to: '1065888801',
      content: Buffer.from('0500030102', 'hex'),
      msgFmt: 8,
      udhi: true,
    });
    assert.equal(badUdh.result, 1);
    const retried = await ismg.injectMo({
      from: '13912345678',
      to: '1065888801',
      content: Buffer.from('hi'),
      msgFmt: 0,
    });
    assert.equal(retried.result, 0);
    assert.equal(sink.messages.length, 1);
  });

  it('sends GBK (Msg_Fmt 15) when configured to prefer it over UCS-2', async () => {
    const { ismg, link } = await setup({ encodings: ['ascii', 'gbk', 'ucs2'] });
    await link.submit({ id: 'gbk', to: '13800138000', text: '你好' });
    assert.equal(ismg.submits[0].submit.msgFmt, 15);
    assert.equal(ismg.submits[0].submit.msgContent.toString('hex'), 'c4e3bac3');
  });

  it('maps SUBMIT_RESP result codes to typed errors, and retries flow control', async () => {
    const { ismg, link } = await setup();
    ismg.submitResult = () => 13;
    await assert.rejects(
      link.submit({ id: 'bad', to: '13800138000', text: 'x' }),
      (e: unknown) =>
        e instanceof SubmitRefusedError &&
        e.carrierCode === 13 &&
        /Dest_terminal_Id error/.test(e.message) &&
        !e.retryable,
    );
    let flowControlled = 0;
    ismg.submitResult = () => (flowControlled++ < 1 ? 8 : 0);
    const ids = await link.submit({ id: 'fc', to: '13800138000', text: 'x' });
    assert.equal(ids.length, 1);
    assert.deepEqual(
      ismg.submits.slice(-2).map((s) => s.result),
      [8, 0],
    );
  });

  it('keeps at most `window` SUBMITs in flight against a slow ISMG', async () => {
    const { ismg, link } = await setup({ window: 3 });
    ismg.responseDelayMs = 100;
    const all = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        link.submit({ id: `w${i}`, to: '13800138000', text: `n${i}` }),
      ),
    );
    assert.equal(all.flat().length, 9);
    assert.equal(ismg.maxOutstanding, 3);
    assert.equal(new Set(all.flat()).size, 9);
    assert.ok(link.health().ratePerSec > 0);
    assert.equal(link.health().windowInUse, 0);
  });

  it('resumes the window after the ISMG drops the connection mid-window', async () => {
    const { ismg, link } = await setup({ window: 16 });
    ismg.dropAfter(5);
    const all = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        link.submit({ id: `d${i}`, to: '13800138000', text: `msg ${i}` }),
      ),
    );
    assert.equal(all.flat().length, 10);
    assert.equal(ismg.logins.length, 2);
    const answered = ismg.submits
      .filter((s) => s.result === 0)
      .map((s) => s.submit.msgContent.toString());
    assert.deepEqual([...answered].sort(), Array.from({ length: 10 }, (_, i) => `msg ${i}`).sort());
    assert.ok(link.health().errors > 0);
  });

  it('gives up with a time-out on an ISMG that never answers', async () => {
    const { ismg, link } = await setup({ responseTimeoutMs: 150, maxAttempts: 2 });
    ismg.silent = true;
    await assert.rejects(
      link.submit({ id: 't', to: '13800138000', text: 'x' }),
      RequestTimeoutError,
    );
    assert.equal(ismg.submits.length, 2);
    assert.equal(link.health().windowInUse, 0);
  });

  it('survives bad PDUs: unknown Command_Id, truncated body, stray response, then a broken length', async () => {
    const { ismg, link } = await setup();
    ismg.sendRaw(frameCmpp(0x00000099, 1, Buffer.from('??')));
    ismg.sendRaw(frameCmpp(0x80000004, 4242, Buffer.from('01', 'hex')));
    ismg.sendRaw(frameCmpp(0x80000004, 4243, Buffer.alloc(12)));
    const truncatedDeliver = frameCmpp(0x00000005, 77, Buffer.from('0102030405060708', 'hex'));
    ismg.sendRaw(truncatedDeliver);
    await ismg.waitFor(
      () => ismg.deliverResps.some((r) => r.sequenceId === 77),
      2_000,
      'DELIVER_RESP 77',
    );
    assert.equal(ismg.deliverResps.find((r) => r.sequenceId === 77)?.result, 1);
    assert.equal(link.health().state, 'up');
    assert.equal(link.health().errors, 4);
    assert.equal(
      (await link.submit({ id: 'ok1', to: '13800138000', text: 'still fine' })).length,
      1,
    );

    const broken = Buffer.alloc(12);
    broken.writeUInt32BE(5, 0);
    ismg.sendRaw(broken);
    await until(() => ismg.logins.length === 2 && link.health().state === 'up', 3_000, 'reconnect');
    assert.match(link.health().lastError ?? '', /CMPP packet length 5 outside/);
    assert.equal(
      (await link.submit({ id: 'ok2', to: '13800138000', text: 'after reconnect' })).length,
      1,
    );
  });

  it('keeps the connection alive with ACTIVE_TEST and drops a silent one', async () => {
    const { ismg, link } = await setup({
      activeTestIntervalMs: 50,
      responseTimeoutMs: 60,
      maxAttempts: 2,
    });
    await until(() => ismg.activeTests >= 2, 2_000, 'active tests');
    assert.equal(ismg.logins.length, 1);
    ismg.answerActiveTests = false;
    await until(() => ismg.logins.length >= 2, 3_000, 'reconnect after silent peer');
    await until(() => link.health().state === 'up', 2_000, 'up again');
  });

  it('gives up on an ISMG that never answers CONNECT, and comes up once it does', async () => {
    const ismg = await CmppIsmgSimulator.start({ accounts: { [ACCOUNT]: SECRET } });
    cleanups.push(() => ismg.close());
    ismg.ignoreConnects = true;
    const { link } = await setup({ connectTimeoutMs: 100 }, ismg);
    assert.notEqual(link.health().state, 'up');
    assert.match(link.health().lastError ?? '', /no response to sequence/);
    ismg.ignoreConnects = false;
    await until(() => link.health().state === 'up', 3_000, 'login after the ISMG woke up');
  });

  it('does not come up with a wrong secret, and says why', async () => {
    const { ismg, link } = await setup({
      secret: 'wrong',
      reconnectMinMs: 5_000,
      reconnectMaxMs: 5_000,
    });
    assert.equal(ismg.logins[0].status, 3);
    assert.notEqual(link.health().state, 'up');
    assert.match(link.health().lastError ?? '', /authentication error/);
    await assert.rejects(link.submit({ id: 'x', to: '13800138000', text: 'x' }), LinkDownError);
  });

  it('logs a wrong AuthenticatorISMG and still comes up (interop), sending normally', async () => {
    const ismg = await CmppIsmgSimulator.start({ accounts: { [ACCOUNT]: SECRET } });
    cleanups.push(() => ismg.close());
    ismg.badAuthenticatorIsmg = true;
    const warnings: string[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (_fields: object, message: string) => void warnings.push(message),
      error: () => undefined,
    };
    const link = new CmppLink(
      validateCmppLinkConfig({
        id: 'cm-auth',
        kind: 'cmpp',
        host: '127.0.0.1',
        port: ismg.port,
        account: ACCOUNT,
        secret: SECRET,
        srcId: '1065888801',
        reconnectMinMs: 50,
        reconnectMaxMs: 200,
      }),
      { sink: new RecordingSink(), logger },
    );
    cleanups.push(() => link.stop());
    await link.start();
    assert.equal(link.health().state, 'up');
    assert.ok(
      warnings.some((w) => /AuthenticatorISMG does not match/.test(w)),
      warnings.join('; '),
    );
    assert.equal((await link.submit({ id: 'a', to: '13800138000', text: 'ok' })).length, 1);
  });

  it('sends TERMINATE on stop and refuses to submit afterwards', async () => {
    const { ismg, link } = await setup();
    await link.stop();
    assert.equal(ismg.terminates, 1);
    assert.equal(link.health().state, 'down');
    await assert.rejects(link.submit({ id: 'x', to: '13800138000', text: 'x' }), LinkDownError);
  });

  it('refuses an invalid number or a text its encodings cannot carry, sending nothing', async () => {
    const { ismg, link } = await setup({ encodings: ['ascii'] });
    await assert.rejects(
      link.submit({ id: 'x', to: '138 0013', text: 'x' }),
      InvalidPhoneNumberError,
    );
    await assert.rejects(
      link.submit({ id: 'x', to: '13800138000', text: '中文' }),
      UnencodableTextError,
    );
    assert.equal(ismg.submits.length, 0);
  });

  it('lets the router fail over within 2 s when the ISMG of the preferred link dies', async () => {
    const primary = await setup({
      id: 'primary',
      priority: 1,
      reconnectMinMs: 10_000,
      reconnectMaxMs: 10_000,
    });
    const backup = await setup({ id: 'backup', priority: 2 });
    const router = new SmsRouter([primary.link, backup.link]);
    assert.equal(
      (await router.submit({ id: 'r1', to: '13800138000', text: 'one' })).linkId,
      'primary',
    );
    const killedAt = Date.now();
    await primary.ismg.close();
    await until(() => primary.link.health().state === 'down', 2_000, 'primary down');
    const routed = await router.submit({ id: 'r2', to: '13800138000', text: 'two' });
    assert.equal(routed.linkId, 'backup');
    assert.ok(Date.now() - killedAt < 2_000);
    assert.equal(backup.ismg.submits.length, 1);
  });
});
