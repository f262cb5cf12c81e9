import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  InvalidPhoneNumberError,
  LinkDownError,
  SubmitRefusedError,
  type DeliveryReport,
  type InboundMessage,
  type InboundSink,
} from '@dizi/gateway-kit';
import { ModemLink, validateModemLinkConfig } from '@dizi/gateways/modem';
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

async function setup(overrides: Record<string, unknown> = {}, simOptions = {}) {
  const modem = await AtModemSimulator.start({ sendMs: 30, ...simOptions });
  cleanups.push(() => modem.close());
  const sink = new RecordingSink();
  const link = new ModemLink(
    validateModemLinkConfig({
      id: 'gsm1',
      kind: 'modem',
      path: modem.linkPath,
      number: '+8613900000001',
      sendIntervalMs: 20,
      commandTimeoutMs: 800,
      sendTimeoutMs: 1_500,
      reconnectMinMs: 100,
      reconnectMaxMs: 300,
      retryDelayMs: 50,
      resumeTimeoutMs: 5_000,
      ...overrides,
    }),
    { sink },
  );
  cleanups.push(() => link.stop());
  await link.start();
  return { modem, sink, link };
}

function until(predicate: () => boolean, timeoutMs = 4_000, what = 'condition'): Promise<void> {
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

describe('ModemLink against the AT modem simulator (socat pty pair)', () => {
  it('sets the modem up in PDU mode and sends a short GSM 7-bit text', async () => {
    const { modem, link } = await setup();
    assert.equal(link.health().state, 'up');
    for (const expected of [
      'ATE0',
      'AT+CMEE=1',
      'AT+CPIN?',
      'AT+CMGF=0',
      'AT+CSMS=0',
      'AT+CNMI=2,1,0,1,0',
    ]) {
      assert.ok(modem.commands.includes(expected), expected);
    }
    assert.ok(modem.commands.some((c) => c.startsWith('AT+CPMS="SM"')));
    const ids = await link.submit({ id: 'a', to: '+8613800138000', text: 'Hello {Dizi} €5' });
    assert.equal(ids.length, 1);
    const [sent] = modem.submits;
    assert.match(ids[0], new RegExp(`^${sent.mr}-`));
    assert.equal(sent.submit.destination, '+8613800138000');
    assert.equal(sent.submit.dcs, 0x00);
    assert.equal(sent.submit.statusReport, true);
    assert.equal(sent.submit.userData.text, 'Hello {Dizi} €5');
    assert.ok(modem.commands.some((c) => /^AT\+CMGS=\d+$/.test(c)));
  });

  it('sends a long Chinese text as three UCS-2 parts with one reference and matches the reports', async () => {
    const { modem, sink, link } = await setup({}, { autoReportMs: 20, autoReportStatus: 0 });
    const text = '长'.repeat(150);
    const ids = await link.submit({ id: 'long', to: '13800138000', text });
    assert.equal(ids.length, 3);
    const parts = modem.submits.map((s) => s.submit);
    assert.deepEqual(
      parts.map((p) => [
        p.dcs,
        p.firstOctet & 0x40,
        p.userData.concat?.seq,
        p.userData.concat?.total,
      ]),
      [
        [8, 0x40, 1, 3],
        [8, 0x40, 2, 3],
        [8, 0x40, 3, 3],
      ],
    );
    assert.equal(new Set(parts.map((p) => p.userData.concat?.reference)).size, 1);
    assert.equal(parts.map((p) => p.userData.text).join(''), text);
    await until(() => sink.reports.length === 3, 3_000, 'three reports');
    assert.deepEqual(sink.reports.map((r) => r.messageId).sort(), [...ids].sort());
    assert.ok(
      sink.reports.every((r) => r.state === 'delivered' && r.carrierStatus.startsWith('ST:00')),
    );
    assert.equal(sink.reports[0].linkId, 'gsm1');
  });

  it('reports a failed delivery with its TP-ST and ignores a report for an unknown TP-MR', async () => {
    const { modem, sink, link } = await setup();
    const [id] = await link.submit({ id: 'x', to: '+447700900123', text: 'hi' });
    modem.report(modem.submits[0].mr, 0x46);
    modem.report(200, 0);
    await until(() => sink.reports.length === 1 && link.health().errors >= 1);
    assert.equal(sink.reports[0].messageId, id);
    assert.equal(sink.reports[0].state, 'expired');
    assert.equal(sink.reports[0].to, '+447700900123');
    assert.match(link.health().lastError ?? '', /TP-MR 200/);
  });

  it('receives MO by +CMTI (read, then deleted), concatenated, and by +CMT with AT+CNMA', async () => {
    const { modem, sink } = await setup({ csms: 1 });
    modem.deliver('+8613700000000', 'short one', 'cmti');
    await until(() => sink.messages.length === 1, 3_000, 'first MO');
    assert.equal(sink.messages[0].from, '+8613700000000');
    assert.equal(sink.messages[0].to, '+8613900000001');
    assert.equal(sink.messages[0].text, 'short one');
    await until(() => modem.storedIndexes.length === 0, 2_000, 'AT+CMGD');

    const long = '你好世界'.repeat(30);
    modem.deliver('+8613700000000', long, 'cmti');
    await until(() => sink.messages.length === 2, 10_000, 'long MO');
    assert.equal(sink.messages[1].text, long);
    assert.equal(sink.messages[1].segments, 2);

    modem.deliver('FONIC', 'direct '.repeat(30), 'cmt', ['gsm7'], 0x99);
    await until(() => sink.messages.length === 3, 3_000, 'direct MO');
    assert.equal(sink.messages[2].from, 'FONIC');
    assert.equal(sink.messages[2].text, 'direct '.repeat(30));
    await until(() => modem.acknowledged === 2, 2_000, 'two AT+CNMA');
    assert.equal(modem.unacknowledged, 0);
  });

  it('picks up messages stored while the link was away (AT+CMGL=4)', async () => {
    const modem = await AtModemSimulator.start({ sendMs: 10 });
    cleanups.push(() => modem.close());
    modem.deliver('+8613700000009', 'waiting on the SIM', 'stored');
    const sink = new RecordingSink();
    const link = new ModemLink(
      validateModemLinkConfig({
        id: 'gsm2',
        kind: 'modem',
        path: modem.linkPath,
        commandTimeoutMs: 800,
      }),
      { sink },
    );
    cleanups.push(() => link.stop());
    await link.start();
    await until(() => sink.messages.length === 1, 3_000, 'stored MO');
    assert.equal(sink.messages[0].text, 'waiting on the SIM');
    await until(() => modem.storedIndexes.length === 0, 2_000, 'deleted');
  });

  it('maps +CMS ERROR to typed refusals, retrying only the retryable ones', async () => {
    const { modem, link } = await setup();
    modem.failNextSends.push(42); // congestion: retried
    const ids = await link.submit({ id: 'r', to: '+8613800138000', text: 'again' });
    assert.equal(ids.length, 1);
    modem.failNextSends.push(21);
    await assert.rejects(
      link.submit({ id: 'n', to: '+8613800138000', text: 'refused' }),
      (e: unknown) =>
        e instanceof SubmitRefusedError &&
        e.carrierCode === 21 &&
        !e.retryable &&
        /short message transfer rejected/.test(e.message),
    );
    await assert.rejects(link.submit({ id: 'b', to: '12ab', text: 'x' }), InvalidPhoneNumberError);
    assert.equal(link.health().state, 'up');
  });

  it('survives garbage and a bad PDU from the modem', async () => {
    const { modem, sink, link } = await setup();
    modem.raw('\r\n+CMT: ,zz\r\n\r\n\x00\xff garbage line\r\n+CMT: ,20\r\nNOTHEX\r\n');
    modem.deliverRaw('0011000B914316565811F9', 10, 'cmti');
    modem.deliver('+8613700000000', 'still fine', 'cmti');
    await until(() => sink.messages.length === 1, 3_000, 'good MO after garbage');
    assert.equal(sink.messages[0].text, 'still fine');
    assert.ok(link.health().errors >= 2);
    assert.equal(link.health().state, 'up');
    await link.submit({ id: 'ok', to: '+8613800138000', text: 'ok' });
  });

  it('resets a modem that stopped answering and sends once it is back', async () => {
    const { modem, link } = await setup({ probeIntervalMs: 200 });
    modem.silent = true;
    await until(() => link.health().state !== 'up', 3_000, 'link down');
    await assert.rejects(link.submit({ id: 'd', to: '+8613800138000', text: 'x' }), LinkDownError);
    modem.silent = false;
    await until(() => link.health().state === 'up', 5_000, 'link up again');
    const ids = await link.submit({ id: 'u', to: '+8613800138000', text: 'back' });
    assert.equal(ids.length, 1);
    assert.ok(modem.commands.filter((c) => c === 'AT+CMGF=0').length >= 2, 'set up again');
  });

  it('a segment whose AT+CMGS goes unanswered is sent again after the reset', async () => {
    const { modem, link } = await setup({ sendTimeoutMs: 600 });
    const pending = link.submit({ id: 's', to: '+8613800138000', text: 'in flight' });
    await until(() => modem.commands.some((c) => c.startsWith('AT+CMGS')), 2_000, 'CMGS');
    modem.silent = true;
    setTimeout(() => (modem.silent = false), 900);
    const ids = await pending;
    assert.equal(ids.length, 1);
    assert.equal(modem.submits.at(-1)?.submit.userData.text, 'in flight');
  });

  it('sends a PIN when the SIM asks for one', async () => {
    const { modem, link } = await setup({ pin: '1234' }, { pin: '1234' });
    assert.equal(link.health().state, 'up');
    assert.ok(modem.commands.includes('AT+CPIN=1234'));
  });
});
