import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  InvalidPhoneNumberError,
  LinkDownError,
  SubmitRefusedError,
  UnencodableTextError,
  encodeUcs2,
  type DeliveryReport,
  type InboundMessage,
  type InboundSink,
} from '@dizi/gateway-kit';
import {
  SmppLink,
  encodeSmppPdu,
  shortMessageFields,
  validateSmppLinkConfig,
} from '@dizi/gateways/smpp';
import { SmppSmscSimulator } from '../peers/smpp-smsc';

const SYSTEM_ID = 'dizi';
const PASSWORD = 'secret1';

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
  const smsc = await SmppSmscSimulator.start({ accounts: { [SYSTEM_ID]: PASSWORD } });
  cleanups.push(() => smsc.close());
  const sink = new RecordingSink();
  const config = validateSmppLinkConfig({
    id: 'smpp-test',
    kind: 'smpp',
    host: '127.0.0.1',
    port: smsc.port,
    systemId: SYSTEM_ID,
    password: PASSWORD,
    systemType: 'DIZI',
    srcId: '12345',
    tps: 10_000,
    reconnectMinMs: 50,
    reconnectMaxMs: 200,
    responseTimeoutMs: 1_000,
    resumeTimeoutMs: 3_000,
    ...overrides,
  });
  const link = new SmppLink(config, { sink, reassemblyTimeoutMs: 2_000 });
  cleanups.push(() => link.stop());
  await link.start();
  return { smsc, sink, link };
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

describe('SmppLink against the SMSC simulator (node-smpp server)', () => {
  it('binds as a transceiver and submits a short GSM text', async () => {
    const { smsc, link } = await setup();
    assert.equal(link.health().state, 'up');
    assert.deepEqual(smsc.binds, [
      { systemId: SYSTEM_ID, password: PASSWORD, systemType: 'DIZI', status: 0 },
    ]);
    assert.equal(smsc.received[0].command, 'bind_transceiver');
    assert.equal(smsc.received[0].interface_version, 0x34);
    const ids = await link.submit({
      id: 'a',
      to: '+4915112345678',
      text: 'Hello @ Dizi {€}',
      sourceExtension: '9',
    });
    const [s] = smsc.submits;
    assert.deepEqual(ids, [s.messageId]);
    assert.equal(s.text, 'Hello @ Dizi {€}');
    assert.equal(s.dataCoding, 0);
    assert.equal(s.esmClass, 0);
    assert.equal(s.registeredDelivery, 1);
    assert.equal(s.pdu.destination_addr, '4915112345678');
    assert.equal(s.pdu.dest_addr_ton, 1);
    assert.equal(s.pdu.source_addr, '123459');
  });

  it('splits a long GSM text with UDH (esm_class 0x40) and matches receipts to each id', async () => {
    const { smsc, sink, link } = await setup();
    smsc.autoReceiptStat = 'DELIVRD';
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(7).trim();
    const ids = await link.submit({ id: 'long', to: '4915112345678', text });
    assert.equal(ids.length, 3);
    assert.deepEqual(
      ids,
      smsc.submits.map((s) => s.messageId),
    );
    assert.ok(smsc.submits.every((s) => s.esmClass === 0x40 && s.dataCoding === 0));
    const udhs = smsc.submits.map((s) => s.udh);
    assert.ok(
      udhs.every((u) => u && u[0] === 5 && u[1] === 0 && u[2] === 3 && u[3] === udhs[0]?.[3]),
    );
    assert.deepEqual(
      udhs.map((u) => [u?.[4], u?.[5]]),
      [
        [3, 1],
        [3, 2],
        [3, 3],
      ],
    );
    assert.equal(smsc.submits.map((s) => s.text).join(''), text);
    await until(() => sink.reports.length === 3, 3_000, 'three receipts');
    assert.deepEqual(sink.reports.map((r) => r.messageId).sort(), [...ids].sort());
    assert.ok(sink.reports.every((r) => r.state === 'delivered' && r.carrierStatus === 'DELIVRD'));
    assert.ok(sink.reports.every((r) => r.to === '4915112345678' && r.linkId === 'smpp-test'));
    assert.deepEqual(sink.reports[0].doneAt, new Date(2023, 10, 22, 15, 31));
    await until(
      () => smsc.deliverResps.filter((r) => r.command_status === 0).length === 3,
      2_000,
      'three deliver_sm_resp',
    );
  });

  it('sends UCS-2 (data_coding 8) and Latin-1 (data_coding 3) when the text needs it', async () => {
    const { smsc, link } = await setup({ encodings: ['gsm7', 'latin1', 'ucs2'] });
    const chinese = '短信网关'.repeat(20); // 80 characters: 2 UCS-2 segments
    assert.equal((await link.submit({ id: 'u', to: '8613800138000', text: chinese })).length, 2);
    await link.submit({ id: 'l', to: '33612345678', text: 'crème brûlée' });
    assert.deepEqual(
      smsc.submits.map((s) => s.dataCoding),
      [8, 8, 3],
    );
    assert.equal(smsc.submits[0].text + smsc.submits[1].text, chinese);
    assert.equal(smsc.submits[2].text, 'crème brûlée');
  });

  it('sends a long text as one message_payload TLV in payload mode', async () => {
    const { smsc, link } = await setup({ longMessages: 'payload' });
    const text = 'x'.repeat(400);
    const ids = await link.submit({ id: 'p', to: '4915112345678', text });
    assert.equal(ids.length, 1);
    const [s] = smsc.submits;
    assert.equal(s.esmClass, 0);
    assert.ok(Buffer.isBuffer(s.pdu.short_message) ? s.pdu.short_message.length === 0 : true);
    assert.equal(s.text, text);
  });

  it('sends SAR TLVs in sar mode', async () => {
    const { smsc, link } = await setup({ longMessages: 'sar' });
    await link.submit({ id: 's', to: '4915112345678', text: 'y'.repeat(200) });
    assert.deepEqual(
      smsc.submits.map((s) => [s.esmClass, s.pdu.sar_total_segments, s.pdu.sar_segment_seqnum]),
      [
        [0, 2, 1],
        [0, 2, 2],
      ],
    );
    assert.equal(smsc.submits[0].pdu.sar_msg_ref_num, smsc.submits[1].pdu.sar_msg_ref_num);
    assert.equal(smsc.submits.map((s) => s.text).join(''), 'y'.repeat(200));
  });

  it('receives MO: GSM, two UCS-2 parts joined by UDH, SAR parts and message_payload', async () => {
    const { smsc, sink } = await setup();
    const gsm = await smsc.injectMo({
      from: '4915112345678',
      to: '12345',
      shortMessage: Buffer.from([0x48, 0x69, 0x00, 0x1b, 0x65]),
    });
    assert.equal(gsm.command_status, 0);
    const part = (seq: number, text: string) =>
      Buffer.concat([Buffer.from([5, 0, 3, 0x42, 2, seq]), encodeUcs2(text)]);
    await smsc.injectMo({
      from: '8613800138000',
      to: '12345',
      dataCoding: 8,
      esmClass: 0x40,
      shortMessage: part(2, '世界'),
    });
    await smsc.injectMo({
      from: '8613800138000',
      to: '12345',
      dataCoding: 8,
      esmClass: 0x40,
      shortMessage: part(1, '你好'),
    });
    for (const [seq, text] of [
      [1, 'first '],
      [2, 'second'],
    ] as const) {
      await smsc.injectMo({
        from: '4917000000001',
        to: '12345',
        shortMessage: Buffer.from(text),
        tlvs: { sar_msg_ref_num: 0x1234, sar_total_segments: 2, sar_segment_seqnum: seq },
      });
    }
    await smsc.injectMo({
      from: '4917000000002',
      to: '12345',
      dataCoding: 3,
      tlvs: { message_payload: Buffer.from('café '.repeat(60), 'latin1') },
    });
    await until(() => sink.messages.length === 4, 3_000, 'four MO messages');
    assert.deepEqual(
      sink.messages.map((m) => [m.from, m.text, m.segments, m.complete]),
      [
        ['4915112345678', 'Hi@€', 1, true],
        ['8613800138000', '你好世界', 2, true],
        ['4917000000001', 'first second', 2, true],
        ['4917000000002', 'café '.repeat(60), 1, true],
      ],
    );
  });

  it('asks for a resend (ESME_RX_T_APPN) when the sink fails, and takes the resend', async () => {
    const { smsc, sink } = await setup();
    sink.failNext = true;
    const first = await smsc.injectMo({
      from: '491',
      to: '12345',
      shortMessage: Buffer.from('again'),
    });
    assert.equal(first.command_status, 0x64);
    const second = await smsc.injectMo({
      from: '491',
      to: '12345',
      shortMessage: Buffer.from('again'),
    });
    assert.equal(second.command_status, 0);
    assert.equal(sink.messages.length, 1);
  });

  it('matches receipts by text id alone, converting decimal ids to hex when told', async () => {
    const { smsc, sink, link } = await setup({ receiptIdFormat: 'decimal-to-hex-upper' });
    const [id] = await link.submit({ id: 'r', to: '4915112345678', text: 'report me' });
    await smsc.injectReceipt({
      messageId: id,
      textId: BigInt(`0x${id}`).toString(10),
      to: '4915112345678',
      stat: 'UNDELIV',
      err: '011',
    });
    await until(() => sink.reports.length === 1, 2_000, 'receipt');
    assert.equal(sink.reports[0].messageId, id);
    assert.equal(sink.reports[0].state, 'undeliverable');
    // A receipt without an id is refused with a permanent error, the link stays up.
    const bad = await smsc.injectMo({
      from: '491',
      to: '',
      esmClass: 0x04,
      shortMessage: Buffer.from('stat:DELIVRD'),
    });
    assert.equal(bad.command_status, 0x65);
    assert.equal(link.health().state, 'up');
  });

  it('maps command_status refusals to SubmitRefusedError, retrying only throttling', async () => {
    const { smsc, link } = await setup({ reconnectMinMs: 20 });
    smsc.submitStatus = (_pdu, index) => (index === 0 ? 0x0b : index === 1 ? 0x58 : 0);
    await assert.rejects(
      link.submit({ id: 'x', to: '4915112345678', text: 'no' }),
      (e: unknown) => {
        assert.ok(e instanceof SubmitRefusedError);
        assert.equal(e.carrierCode, 0x0b);
        assert.equal(e.retryable, false);
        assert.match(e.message, /ESME_RINVDSTADR: invalid destination address/);
        return true;
      },
    );
    const ids = await link.submit({ id: 'y', to: '4915112345678', text: 'throttled once' });
    assert.equal(ids.length, 1);
    assert.deepEqual(
      smsc.submits.map((s) => s.status),
      [0x0b, 0x58, 0],
    );
  });

  it('refuses bad input before sending: invalid number, unencodable text, no content', async () => {
    const { smsc, link } = await setup({ encodings: ['gsm7'] });
    await assert.rejects(link.submit({ id: 'n', to: '12ab', text: 'x' }), InvalidPhoneNumberError);
    await assert.rejects(
      link.submit({ id: 'e', to: '4915112345678', text: 'snow ☃' }),
      UnencodableTextError,
    );
    await assert.rejects(
      link.submit({ id: 'c', to: '4915112345678' }),
      /exactly one of text and data/,
    );
    assert.equal(smsc.submits.length, 0);
    assert.equal(link.health().state, 'up');
  });

  it('reports a refused bind with the SMPP status and keeps trying', async () => {
    const { smsc, link } = await setup({ password: 'wrong' });
    assert.equal(link.health().state, 'connecting');
    assert.match(link.health().lastError ?? '', /ESME_RINVPASWD: invalid password/);
    await assert.rejects(link.submit({ id: 'd', to: '4915112345678', text: 'x' }), LinkDownError);
    await until(() => smsc.binds.length >= 2, 2_000, 'a second bind attempt');
  });

  it('re-binds after a drop and resends segments whose response never came', async () => {
    const { smsc, link } = await setup();
    smsc.dropConnections();
    await until(() => smsc.binds.length === 2 && link.health().state === 'up', 3_000, 're-bind');
    assert.equal(
      (await link.submit({ id: 'a', to: '4915112345678', text: 'after drop' })).length,
      1,
    );
    smsc.dropAfter(1);
    const ids = await link.submit({ id: 'b', to: '4915112345678', text: 'z'.repeat(400) });
    assert.equal(ids.length, 3);
    assert.equal(smsc.binds.length, 3);
    assert.ok(ids.every((id) => typeof id === 'string' && id.length > 0));
    assert.ok(link.health().errors >= 2);
  });

  it('keeps the window and the TPS limit', async () => {
    const { smsc, link } = await setup({ window: 2 });
    smsc.responseDelayMs = 50;
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        link.submit({ id: `w${i}`, to: '4915112345678', text: `m${i}` }),
      ),
    );
    assert.equal(smsc.maxOutstanding, 2);
    const slow = await setup({ tps: 20 });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 11 }, (_, i) =>
        slow.link.submit({ id: `t${i}`, to: '4915112345678', text: `t${i}` }),
      ),
    );
    assert.ok(Date.now() - started >= 400, `11 segments at 20 TPS took ${Date.now() - started} ms`);
  });

  it('sends enquire_link when idle, answers the SMSC and unbinds on stop', async () => {
    const { smsc, link } = await setup({ enquireLinkIntervalMs: 50 });
    await until(() => smsc.enquireLinks >= 2, 2_000, 'enquire_link');
    assert.equal(link.health().state, 'up');
    await link.stop();
    assert.equal(smsc.unbinds, 1);
    assert.equal(link.health().state, 'down');
  });

  it('survives bad PDUs: unknown command, malformed deliver_sm, stray responses, generic_nack', async () => {
    const { smsc, sink, link } = await setup();
    const nacks = () => smsc.received.filter((p) => p.command === 'generic_nack');
    // Unknown command id 0x00000099 → generic_nack ESME_RINVCMDID.
    smsc.sendRaw(Buffer.from('00000010000000990000000000000777', 'hex'));
    await until(() => nacks().length === 1, 2_000, 'generic_nack');
    assert.equal(nacks()[0].command_status, 0x03);
    assert.equal(nacks()[0].sequence_number, 0x777);
    // deliver_sm whose sm_length runs past the end → deliver_sm_resp ESME_RX_P_APPN.
    const good = encodeSmppPdu({
      command: 'deliver_sm',
      sequenceId: 0x778,
      status: 0,
      ...shortMessageFields({
        sourceAddr: '491',
        destinationAddr: '12345',
        shortMessage: Buffer.from('ok'),
      }),
    });
    const bad = Buffer.from(good);
    bad[bad.length - 3] = 50;
    smsc.sendRaw(bad);
    await until(
      () =>
        smsc.received.some((p) => p.command === 'deliver_sm_resp' && p.sequence_number === 0x778),
      2_000,
      'deliver_sm_resp',
    );
    const resp = smsc.received.find((p) => p.sequence_number === 0x778);
    assert.equal(resp?.command_status, 0x65);
    // A submit_sm_resp and a generic_nack for sequences nobody sent.
    const errorsBefore = link.health().errors;
    smsc.sendRaw(Buffer.from('000000158000000400000000000099996162633100', 'hex'));
    smsc.sendRaw(Buffer.from('00000010800000000000000800009998', 'hex'));
    await until(() => link.health().errors >= errorsBefore + 2, 2_000, 'errors counted');
    // Still bound and working, nothing reached the sink.
    assert.equal(link.health().state, 'up');
    assert.equal(sink.messages.length, 0);
    assert.equal(
      (await link.submit({ id: 'ok', to: '4915112345678', text: 'still here' })).length,
      1,
    );
    // A command_length below 16 loses the framing: the link drops and binds again.
    smsc.sendRaw(Buffer.from('00000004000000150000000000000001', 'hex'));
    await until(
      () => smsc.binds.length === 2 && link.health().state === 'up',
      3_000,
      're-bind after bad length',
    );
    assert.match(link.health().lastError ?? '', /length 4 outside 16/);
  });

  it('turns a generic_nack for a submit_sm into a refusal', async () => {
    const { smsc, link } = await setup();
    smsc.silent = true;
    const pending = link.submit({ id: 'g', to: '4915112345678', text: 'nacked' });
    await until(() => smsc.submits.length === 1, 2_000, 'submit');
    const seq = smsc.submits[0].pdu.sequence_number;
    const nack = Buffer.from('00000010800000000000000200000000', 'hex');
    nack.writeUInt32BE(seq, 12);
    smsc.sendRaw(nack);
    await assert.rejects(
      pending,
      (e: unknown) =>
        e instanceof SubmitRefusedError && /generic_nack ESME_RINVCMDLEN/.test(e.message),
    );
  });
});
