import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldEncodeError, ManualClock, PduDecodeError, encodeUcs2 } from '@dizi/gateway-kit';
import type { SgipSubmit } from './sgip-bodies';
import { frameSgip } from './sgip-header';
import { createSgipDecoder, decodeSgipPdu, encodeSgipPdu } from './sgip-pdu';
import { SgipSequenceGenerator, formatSgipSequence, sgipTimestamp } from './sgip-sequence';
import { SgipCommand } from './sgip-constants';

const hex = (s: string, width: number) =>
  Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(width - s.length)]).toString('hex');
const u32 = (n: number) => n.toString(16).padStart(8, '0');

// Node 3053112345, time 1123180101 (11-23 18:01:01), counter 7.
const seq = { nodeId: 3053112345, timestamp: 1123180101, counter: 7 };
const seqHex = u32(3053112345) + u32(1123180101) + u32(7);

const submit: SgipSubmit = {
  spNumber: '10655',
  chargeNumber: '000000000000000000000',
  userNumbers: ['8613000000001'],
  corpId: '41027',
  serviceType: 'MDZ',
  feeType: 1,
  feeValue: '0',
  givenValue: '0',
  agentFlag: 0,
  morelatetoMTFlag: 2,
  priority: 0,
  expireTime: '',
  scheduleTime: '',
  reportFlag: 1,
  tpPid: 0,
  tpUdhi: 0,
  messageCoding: 8,
  messageType: 0,
  messageContent: encodeUcs2('你好'),
  reserve: '',
};

const COMMAND_IDS = Object.values(SgipCommand);
const DECODER = () => createSgipDecoder();
const FRAME = (id: number, body: Buffer) => frameSgip(id, seq, body);

describe('SGIP 1.2 PDUs', () => {
  it('encodes Bind (61 bytes) and Bind_Resp (29 bytes) as laid out by hand from §2.3', () => {
    const bind = encodeSgipPdu({
      command: 'bind',
      sequence: seq,
      loginType: 1,
      loginName: 'sp41027',
      loginPassword: 'pw',
      reserve: '',
    });
    assert.equal(
      bind.toString('hex'),
      u32(61) + u32(1) + seqHex + '01' + hex('sp41027', 16) + hex('pw', 16) + hex('', 8),
    );
    const resp = encodeSgipPdu({ command: 'bind_resp', sequence: seq, result: 0, reserve: '' });
    assert.equal(resp.toString('hex'), u32(29) + u32(0x80000001) + seqHex + '00' + hex('', 8));
  });

  it('encodes a Submit field by field, MessageLength on 4 bytes', () => {
    const content = encodeUcs2('你好').toString('hex');
    const expected = [
      u32(
        20 +
          21 +
          21 +
          1 +
          21 +
          5 +
          10 +
          1 +
          6 +
          6 +
          1 +
          1 +
          1 +
          16 +
          16 +
          1 +
          1 +
          1 +
          1 +
          1 +
          4 +
          4 +
          8,
      ),
      u32(3),
      seqHex,
      hex('10655', 21), // SPNumber
      hex('000000000000000000000', 21), // ChargeNumber
      '01', // UserCount
      hex('8613000000001', 21), // UserNumber
      hex('41027', 5), // CorpId
      hex('MDZ', 10), // ServiceType
      '01', // FeeType
      hex('0', 6), // FeeValue
      hex('0', 6), // GivenValue
      '00', // AgentFlag
      '02', // MorelatetoMTFlag
      '00', // Priority
      hex('', 16), // ExpireTime
      hex('', 16), // ScheduleTime
      '01', // ReportFlag
      '00', // TP_pid
      '00', // TP_udhi
      '08', // MessageCoding
      '00', // MessageType
      u32(4), // MessageLength
      content,
      hex('', 8), // Reserve
    ].join('');
    const packet = encodeSgipPdu({ command: 'submit', sequence: seq, ...submit });
    assert.equal(packet.toString('hex'), expected);
    assert.deepEqual(decodeSgipPdu(packet), { command: 'submit', sequence: seq, ...submit });
  });

  it('encodes a Deliver and a Report (64 bytes) by hand and decodes them back', () => {
    const deliver = {
      command: 'deliver' as const,
      sequence: seq,
      userNumber: '8613000000001',
      spNumber: '10655',
      tpPid: 0,
      tpUdhi: 0,
      messageCoding: 15,
      messageContent: Buffer.from('c4e3bac3', 'hex'),
      reserve: '',
    };
    const deliverHex =
      u32(20 + 21 + 21 + 3 + 4 + 4 + 8) +
      u32(4) +
      seqHex +
      hex('8613000000001', 21) +
      hex('10655', 21) +
      '00000f' +
      u32(4) +
      'c4e3bac3' +
      hex('', 8);
    assert.equal(encodeSgipPdu(deliver).toString('hex'), deliverHex);
    assert.deepEqual(decodeSgipPdu(Buffer.from(deliverHex, 'hex')), deliver);

    const submitted = { nodeId: 3053112345, timestamp: 1123180000, counter: 99 };
    const report = {
      command: 'report' as const,
      sequence: seq,
      submitSequence: submitted,
      reportType: 0,
      userNumber: '8613000000001',
      state: 2,
      errorCode: 6,
      reserve: '',
    };
    const reportHex =
      u32(64) +
      u32(5) +
      seqHex +
      u32(3053112345) +
      u32(1123180000) +
      u32(99) +
      '00' +
      hex('8613000000001', 21) +
      '02' +
      '06' +
      hex('', 8);
    assert.equal(encodeSgipPdu(report).toString('hex'), reportHex);
    assert.deepEqual(decodeSgipPdu(Buffer.from(reportHex, 'hex')), report);
  });

  it('encodes Unbind and Unbind_Resp as bare headers', () => {
    assert.equal(
      encodeSgipPdu({ command: 'unbind', sequence: seq }).toString('hex'),
      u32(20) + u32(2) + seqHex,
    );
    assert.equal(
      encodeSgipPdu({ command: 'unbind_resp', sequence: seq }).toString('hex'),
      u32(20) + u32(0x80000002) + seqHex,
    );
  });

  it('refuses to encode too many users or too long numbers', () => {
    assert.throws(
      () => encodeSgipPdu({ command: 'submit', sequence: seq, ...submit, userNumbers: [] }),
      FieldEncodeError,
    );
    assert.throws(
      () =>
        encodeSgipPdu({ command: 'submit', sequence: seq, ...submit, spNumber: '1'.repeat(22) }),
      /SPNumber/,
    );
  });

  it('frames a stream: split packets, unknown commands, truncated bodies, broken lengths', () => {
    const d = createSgipDecoder();
    const good = encodeSgipPdu({ command: 'unbind', sequence: seq });
    const events = [
      ...d.push(good.subarray(0, 7)),
      ...d.push(Buffer.concat([good.subarray(7), frameSgip(0x1000, seq, Buffer.alloc(3))])),
      ...d.push(frameSgip(0x80000003, seq, Buffer.alloc(0))),
    ];
    assert.deepEqual(
      events.map((e) =>
        e.kind === 'pdu' ? e.pdu.command : `${e.kind}:${e.kind === 'fatal' ? '' : e.error.reason}`,
      ),
      ['unbind', 'bad-packet:unknown-command', 'bad-packet:truncated'],
    );
    const broken = Buffer.alloc(20);
    broken.writeUInt32BE(19, 0);
    const fatal = createSgipDecoder().push(broken);
    assert.ok(fatal[0].kind === 'fatal' && fatal[0].error instanceof PduDecodeError);
  });
});

describe('SGIP sequence numbers', () => {
  it('are node id + MMDDhhmmss + a running counter', () => {
    const clock = new ManualClock(new Date(2026, 10, 23, 18, 1, 1).getTime());
    const gen = new SgipSequenceGenerator(3053112345, clock);
    assert.deepEqual(gen.next(), { nodeId: 3053112345, timestamp: 1123180101, counter: 1 });
    clock.advance(60_000);
    assert.deepEqual(gen.next(), { nodeId: 3053112345, timestamp: 1123180201, counter: 2 });
    assert.equal(sgipTimestamp(new Date(2026, 0, 2, 3, 4, 5)), 102030405);
    assert.equal(
      formatSgipSequence({ nodeId: 1, timestamp: 102030405, counter: 9 }),
      '1-0102030405-9',
    );
    assert.throws(() => new SgipSequenceGenerator(2 ** 32), RangeError);
  });
});

describe('SGIP decoder robustness', () => {
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
