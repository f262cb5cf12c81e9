import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PduDecodeError, encodeUcs2 } from '@dizi/gateway-kit';
import { decodeReport, encodeReport } from './smgp-deliver';
import { authenticatorClient } from './smgp-login';
import { composeSmgpMsgId, formatSmgpMsgId } from './smgp-msg-id';
import { createSmgpDecoder, decodeSmgpPdu, encodeSmgpPdu } from './smgp-pdu';
import type { SmgpSubmit } from './smgp-submit';
import { SmgpTag, decodeTlvs, tlvU8, u8Tlv } from './smgp-tlv';
import { SmgpRequest } from './smgp-constants';

const hex = (s: string, width: number) =>
  Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(width - s.length)]).toString('hex');
const u32 = (n: number) => n.toString(16).padStart(8, '0');

// SMSGate TestSMGPMsgIdUtil / TestSMGPReportData (PROTOCOLS.md §3).
const REPORT_VECTOR =
  '69643a6495c36ac4ea6b00000b7375623a30303120646c7672643a303031207375626d69745f646174653a3138303730353232303720646f6e655f646174653a3138303730353232303720737461743a44454c49565244206572723a303030207478743ad6d0b9fa306138616535';

const COMMAND_IDS = Object.values(SmgpRequest);
const DECODER = () => createSmgpDecoder();
const FRAME = (id: number, body: Buffer) => {
  const header = Buffer.alloc(12);
  header.writeUInt32BE(12 + body.length, 0);
  header.writeUInt32BE(id, 4);
  header.writeUInt32BE(1, 8);
  return Buffer.concat([header, body]);
};

describe('SMGP 3.0 Login', () => {
  it('computes AuthenticatorClient with seven zero bytes (checked with Python hashlib)', () => {
    assert.equal(
      authenticatorClient('10001234', 'secret', 1123180101).toString('hex'),
      'b3c9e886cc682198ebbc50ca0c1c3d5a',
    );
    assert.equal(
      authenticatorClient('10001234', 'secret', 102030405).toString('hex'),
      '001791a270165d4a72afb5a38fd8eb68',
    );
  });

  it('encodes Login (42 bytes) and Login_Resp (33 bytes) as laid out by hand', () => {
    const auth = authenticatorClient('10001234', 'secret', 1123180101);
    const login = encodeSmgpPdu({
      command: 'login',
      sequenceId: 1,
      clientId: '10001234',
      authenticatorClient: auth,
      loginMode: 2,
      timestamp: 1123180101,
      clientVersion: 0x30,
    });
    assert.equal(
      login.toString('hex'),
      u32(42) +
        u32(1) +
        u32(1) +
        hex('10001234', 8) +
        auth.toString('hex') +
        '02' +
        u32(1123180101) +
        '30',
    );
    const resp = encodeSmgpPdu({
      command: 'login_resp',
      sequenceId: 1,
      status: 21,
      authenticatorServer: Buffer.alloc(16, 0xab),
      serverVersion: 0x30,
    });
    assert.equal(
      resp.toString('hex'),
      u32(33) + u32(0x80000001) + u32(1) + u32(21) + 'ab'.repeat(16) + '30',
    );
    assert.deepEqual(decodeSmgpPdu(resp), {
      command: 'login_resp',
      sequenceId: 1,
      status: 21,
      authenticatorServer: Buffer.alloc(16, 0xab),
      serverVersion: 0x30,
    });
  });
});

describe('SMGP 3.0 Submit and Deliver', () => {
  const submit: SmgpSubmit = {
    msgType: 6,
    needReport: 1,
    priority: 0,
    serviceId: 'MDZ',
    feeType: '00',
    feeCode: '000000',
    fixedFee: '000000',
    msgFormat: 8,
    validTime: '',
    atTime: '',
    srcTermId: '10660001',
    chargeTermId: '',
    destTermIds: ['13300000001'],
    msgContent: Buffer.concat([Buffer.from('050003070201', 'hex'), encodeUcs2('电信')]),
    reserve: '',
    tlvs: [u8Tlv(SmgpTag.TP_UDHI, 1), u8Tlv(SmgpTag.PK_TOTAL, 2), u8Tlv(SmgpTag.PK_NUMBER, 1)],
  };

  it('encodes segment 1 of 2 field by field, UDHI and Pk as TLVs after Reserve', () => {
    const content = submit.msgContent.toString('hex');
    const body = [
      '06', // MsgType MT
      '01', // NeedReport
      '00', // Priority
      hex('MDZ', 10), // ServiceID
      hex('00', 2), // FeeType
      hex('000000', 6), // FeeCode
      hex('000000', 6), // FixedFee
      '08', // MsgFormat UCS2
      hex('', 17), // ValidTime
      hex('', 17), // AtTime
      hex('10660001', 21), // SrcTermID
      hex('', 21), // ChargeTermID
      '01', // DestTermIDCount
      hex('13300000001', 21), // DestTermID
      '0a', // MsgLength
      content,
      hex('', 8), // Reserve
      '0002' + '0001' + '01', // TLV TP_udhi = 1
      '0009' + '0001' + '02', // TLV PkTotal = 2
      '000a' + '0001' + '01', // TLV PkNumber = 1
    ].join('');
    const packet = encodeSmgpPdu({ command: 'submit', sequenceId: 0x42, ...submit });
    assert.equal(packet.toString('hex'), u32(12 + body.length / 2) + u32(2) + u32(0x42) + body);
    assert.deepEqual(decodeSmgpPdu(packet), { command: 'submit', sequenceId: 0x42, ...submit });
  });

  it('encodes Submit_Resp with a BCD MsgID and decodes it', () => {
    const msgId = composeSmgpMsgId(123456, new Date(2026, 6, 9, 12, 6), 17);
    assert.equal(formatSmgpMsgId(msgId), '12345607091206000017');
    const packet = encodeSmgpPdu({ command: 'submit_resp', sequenceId: 9, msgId, status: 0 });
    assert.equal(
      packet.toString('hex'),
      u32(26) + u32(0x80000002) + u32(9) + '12345607091206000017' + u32(0),
    );
  });

  it('decodes the SMSGate report vector and encodes it back byte for byte', () => {
    const report = decodeReport(Buffer.from(REPORT_VECTOR, 'hex'));
    assert.equal(formatSmgpMsgId(report.msgId), '6495c36ac4ea6b00000b');
    assert.deepEqual(
      [report.sub, report.dlvrd, report.submitDate, report.doneDate, report.stat, report.err],
      ['001', '001', '1807052207', '1807052207', 'DELIVRD', '000'],
    );
    assert.equal(report.txt.toString('hex'), 'd6d0b9fa306138616535');
    assert.equal(encodeReport(report).toString('hex'), REPORT_VECTOR);
  });

  it('accepts a blank after the id and refuses reports without the fields', () => {
    const spaced = Buffer.concat([
      Buffer.from('id:'),
      Buffer.alloc(10, 1),
      Buffer.from(
        ' sub:001 dlvrd:000 submit_date:2611231200 done_date:2611231201 stat:UNDELIV err:005 txt:',
      ),
    ]);
    assert.equal(decodeReport(spaced).stat, 'UNDELIV');
    assert.throws(() => decodeReport(Buffer.from('id:short')), PduDecodeError);
    assert.throws(
      () =>
        decodeReport(Buffer.concat([Buffer.from('id:'), Buffer.alloc(10), Buffer.from('garbage')])),
      /lacks/,
    );
  });

  it('encodes a Deliver carrying a report, TLVs kept, and decodes it back', () => {
    const deliver = {
      command: 'deliver' as const,
      sequenceId: 5,
      msgId: composeSmgpMsgId(1, new Date(2026, 10, 23, 18, 0), 2),
      isReport: 1,
      msgFormat: 0,
      recvTime: '20261123180000',
      srcTermId: '13300000001',
      destTermId: '10660001',
      msgContent: Buffer.from(REPORT_VECTOR, 'hex'),
      reserve: '',
      tlvs: [{ tag: 0x7777, value: Buffer.from('unknown tag kept') }],
    };
    const packet = encodeSmgpPdu(deliver);
    assert.equal(
      packet.length,
      12 + 10 + 1 + 1 + 14 + 21 + 21 + 1 + deliver.msgContent.length + 8 + 4 + 16,
    );
    assert.deepEqual(decodeSmgpPdu(packet), deliver);
  });
});

describe('SMGP TLVs and framing', () => {
  it('reads TLVs and refuses one that runs past the body', () => {
    const tlvs = decodeTlvs(Buffer.from('0002000101', 'hex'));
    assert.equal(tlvU8(tlvs, SmgpTag.TP_UDHI), 1);
    assert.throws(() => decodeTlvs(Buffer.from('0002000501', 'hex')), PduDecodeError);
    assert.throws(() => decodeTlvs(Buffer.from('00', 'hex')), /stray bytes/);
  });

  it('encodes Active_Test and Exit as bare headers and frames a stream with bad packets', () => {
    assert.equal(
      encodeSmgpPdu({ command: 'active_test', sequenceId: 3 }).toString('hex'),
      u32(12) + u32(4) + u32(3),
    );
    assert.equal(
      encodeSmgpPdu({ command: 'exit_resp', sequenceId: 3 }).toString('hex'),
      u32(12) + u32(0x80000006) + u32(3),
    );
    const d = createSmgpDecoder();
    const unknown = Buffer.from(u32(12) + u32(0x55) + u32(1), 'hex');
    const short = Buffer.from(u32(14) + u32(0x80000002) + u32(1) + '0000', 'hex');
    const events = d.push(
      Buffer.concat([unknown, short, encodeSmgpPdu({ command: 'exit', sequenceId: 4 })]),
    );
    assert.deepEqual(
      events.map((e) =>
        e.kind === 'pdu' ? e.pdu.command : e.kind === 'bad-packet' ? e.error.reason : e.kind,
      ),
      ['unknown-command', 'truncated', 'exit'],
    );
  });
});

describe('SMGP decoder robustness', () => {
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
