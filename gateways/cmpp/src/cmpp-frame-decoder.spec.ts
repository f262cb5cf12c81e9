import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CmppFrameDecoder, cmppSequenceOf } from './cmpp-frame-decoder';
import { frameCmpp } from './cmpp-header';
import { encodeCmppPdu } from './cmpp-pdu';
import { CmppCommand } from './cmpp-constants';

const activeTest = encodeCmppPdu({ command: 'active_test', sequenceId: 1 }, 0x30);
const submitResp = encodeCmppPdu(
  { command: 'submit_resp', sequenceId: 2, msgId: 7n, result: 0 },
  0x30,
);

const COMMAND_IDS = Object.values(CmppCommand);
const DECODER = () => new CmppFrameDecoder(0x30);
const FRAME = (id: number, body: Buffer) => frameCmpp(id, 1, body);

describe('CmppFrameDecoder', () => {
  it('waits for the rest of a packet split across chunks, byte by byte', () => {
    const d = new CmppFrameDecoder(0x30);
    const stream = Buffer.concat([activeTest, submitResp]);
    const events = [];
    for (const byte of stream) events.push(...d.push(Buffer.from([byte])));
    assert.deepEqual(
      events.map((e) => (e.kind === 'pdu' ? e.pdu.command : e.kind)),
      ['active_test', 'submit_resp'],
    );
    assert.equal(d.buffered, 0);
  });

  it('cuts several packets out of one chunk', () => {
    const d = new CmppFrameDecoder(0x30);
    const events = d.push(Buffer.concat([submitResp, activeTest, submitResp.subarray(0, 5)]));
    assert.equal(events.length, 2);
    assert.equal(d.buffered, 5);
  });

  it('skips an unknown Command_Id and stays in step', () => {
    const d = new CmppFrameDecoder(0x30);
    const events = d.push(
      Buffer.concat([frameCmpp(0x00000099, 8, Buffer.from('junk')), activeTest]),
    );
    assert.equal(events[0].kind, 'bad-packet');
    assert.ok(
      events[0].kind === 'bad-packet' &&
        events[0].error.reason === 'unknown-command' &&
        cmppSequenceOf(events[0].raw) === 8,
    );
    assert.ok(events[1].kind === 'pdu' && events[1].pdu.command === 'active_test');
  });

  it('reports a body shorter than its fields (truncated PDU) and goes on', () => {
    const d = new CmppFrameDecoder(0x30);
    const events = d.push(
      Buffer.concat([frameCmpp(0x80000004, 3, Buffer.from('0102', 'hex')), activeTest]),
    );
    assert.ok(events[0].kind === 'bad-packet' && events[0].error.reason === 'truncated');
    assert.ok(events[1].kind === 'pdu');
  });

  it('gives up on a Total_Length that cannot be right, and stays quiet afterwards', () => {
    for (const bad of [0, 11, 1_000_000]) {
      const d = new CmppFrameDecoder(0x30);
      const header = Buffer.alloc(12);
      header.writeUInt32BE(bad, 0);
      header.writeUInt32BE(0x80000004, 4);
      const events = d.push(header);
      assert.equal(events.length, 1);
      assert.ok(events[0].kind === 'fatal' && events[0].error.reason === 'bad-length');
      assert.deepEqual(d.push(activeTest), []);
    }
  });
});

describe('CMPP decoder robustness', () => {
  it('never throws on random bodies behind every known command id (seeded fuzz)', () => {
    let seed = 0x9e3779b9;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    for (const commandId of COMMAND_IDS) {
      for (let round = 0; round < 200; round++) {
        const body = Buffer.alloc(Math.floor(random() * 300));
        for (let i = 0; i < body.length; i++) body[i] = Math.floor(random() * 256);
        const events = DECODER().push(FRAME(commandId, body));
        assert.equal(events.length, 1);
        assert.ok(events[0].kind === 'pdu' || events[0].kind === 'bad-packet');
      }
    }
  });
});
