import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldEncodeError, encodeUcs2, segmentText } from '@dizi/gateway-kit';
import { decodeCmppBody, encodeCmppPdu } from './cmpp-pdu';
import { decodeMsgIdResult, type CmppSubmit } from './cmpp-submit';

// gocmpp's submit inputs (PROTOCOLS.md §1.9).
const gocmppSubmit: CmppSubmit = {
  msgId: 0n,
  pkTotal: 1,
  pkNumber: 1,
  registeredDelivery: 1,
  msgLevel: 1,
  serviceId: 'test',
  feeUserType: 2,
  feeTerminalId: '13500002696',
  feeTerminalType: 0,
  tpPid: 0,
  tpUdhi: 0,
  msgFmt: 8,
  msgSrc: '900001',
  feeType: '02',
  feeCode: '10',
  validTime: '151105131555101+',
  atTime: '',
  srcId: '900001',
  destTerminalIds: ['13500002696'],
  destTerminalType: 0,
  msgContent: encodeUcs2('测试gocmpp submit'),
  reserveOrLinkId: '',
};

const S1 =
  '000000bd0000000400000017000000000000000001010101746573740000000000000231333530303030323639360000000000000000000000000839303030303130323130000000003135313130353133313535353130312b000000000000000000000000000000000000393030303031000000000000000000000000000000013133353030303032363936000000000000000000001e6d4b8bd50067006f0063006d007000700020007300750062006d006900740000000000000000';
const S2 =
  '000000e10000000400000017000000000000000001010101746573740000000000000231333530303030323639360000000000000000000000000000000000000000000000000839303030303130323130000000003135313130353133313535353130312b000000000000000000000000000000000000393030303031000000000000000000000000000000013133353030303032363936000000000000000000000000000000000000000000001e6d4b8bd50067006f0063006d007000700020007300750062006d006900740000000000000000000000000000000000000000';

const hex = (s: string, width: number) =>
  Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(width - s.length)]).toString('hex');

describe('CMPP SUBMIT', () => {
  it('encodes vector S1 (2.0, 189 bytes) byte for byte', () => {
    const packet = encodeCmppPdu({ command: 'submit', sequenceId: 0x17, ...gocmppSubmit }, 0x20);
    assert.equal(packet.length, 189);
    assert.equal(packet.toString('hex'), S1);
  });

  it('encodes vector S2 (3.0, 225 bytes) byte for byte', () => {
    const packet = encodeCmppPdu({ command: 'submit', sequenceId: 0x17, ...gocmppSubmit }, 0x30);
    assert.equal(packet.length, 225);
    assert.equal(packet.toString('hex'), S2);
  });

  it('decodes S1 and S2 back to the same fields', () => {
    for (const [vector, version] of [
      [S1, 0x20],
      [S2, 0x30],
    ] as const) {
      const pdu = decodeCmppBody(4, 0x17, Buffer.from(vector, 'hex').subarray(12), version);
      assert.deepEqual(pdu, { command: 'submit', sequenceId: 0x17, ...gocmppSubmit });
    }
  });

  it('encodes segment 2 of a 3-part UCS-2 message (3.0) as laid out by hand from §1.4', () => {
    const udh = '050003a70302';
    const text = encodeUcs2('第二段');
    const content = Buffer.concat([Buffer.from(udh, 'hex'), text]);
    const expected = [
      '000000' + (12 + 129 + 32 + 1 + 1 + content.length + 20).toString(16), // Total_Length
      '00000004', // CMPP_SUBMIT
      '00000042', // Sequence_Id
      '0000000000000000', // Msg_Id
      '03', // Pk_total
      '02', // Pk_number
      '01', // Registered_Delivery
      '00', // Msg_level
      hex('MDZ0001', 10), // Service_Id
      '02', // Fee_UserType: SP pays
      hex('', 32), // Fee_terminal_Id
      '00', // Fee_terminal_type
      '00', // TP_pId
      '01', // TP_udhi
      '08', // Msg_Fmt UCS2
      hex('901234', 6), // Msg_src
      hex('01', 2), // FeeType free
      hex('000000', 6), // FeeCode
      hex('', 17), // ValId_Time
      hex('', 17), // At_Time
      hex('1065888801', 21), // Src_Id
      '01', // DestUsr_tl
      hex('13800138000', 32), // Dest_terminal_Id
      '00', // Dest_terminal_type
      content.length.toString(16).padStart(2, '0'), // Msg_Length
      content.toString('hex'), // UDH ‖ UCS2
      hex('', 20), // LinkID
    ].join('');
    const packet = encodeCmppPdu(
      {
        ...gocmppSubmit,
        command: 'submit',
        sequenceId: 0x42,
        pkTotal: 3,
        pkNumber: 2,
        msgLevel: 0,
        serviceId: 'MDZ0001',
        feeTerminalId: '',
        tpUdhi: 1,
        msgSrc: '901234',
        feeType: '01',
        feeCode: '000000',
        validTime: '',
        srcId: '1065888801',
        destTerminalIds: ['13800138000'],
        msgContent: content,
      },
      0x30,
    );
    assert.equal(packet.toString('hex'), expected);
  });

  it('encodes all three SUBMITs of a 3-part UCS-2 message (2.0) byte for byte', () => {
    // 140 × '测' + 'AB' = 142 characters: 67 + 67 + 8, reference 0x42 (segmenter spec).
    const message = segmentText('测'.repeat(140) + 'AB', { encodings: ['ucs2'], reference: 0x42 });
    const udhPayload = ['6d4b'.repeat(67), '6d4b'.repeat(67), '6d4b'.repeat(6) + '00410042'];
    message.segments.forEach((segment, i) => {
      const content = `0500034203${(i + 1).toString(16).padStart(2, '0')}` + udhPayload[i];
      const contentLength = content.length / 2;
      const expected = [
        (12 + 117 + 21 + 1 + contentLength + 8).toString(16).padStart(8, '0'), // Total_Length
        '00000004', // CMPP_SUBMIT
        (0x100 + i).toString(16).padStart(8, '0'), // Sequence_Id
        '0000000000000000', // Msg_Id
        '03', // Pk_total
        (i + 1).toString(16).padStart(2, '0'), // Pk_number
        '01', // Registered_Delivery
        '00', // Msg_level
        hex('MDZ0001', 10), // Service_Id
        '02', // Fee_UserType
        hex('', 21), // Fee_terminal_Id (2.0 width)
        '00', // TP_pId
        '01', // TP_udhi
        '08', // Msg_Fmt UCS2
        hex('901234', 6), // Msg_src
        hex('01', 2), // FeeType
        hex('000000', 6), // FeeCode
        hex('', 17), // ValId_Time
        hex('', 17), // At_Time
        hex('1065888801', 21), // Src_Id
        '01', // DestUsr_tl
        hex('13800138000', 21), // Dest_terminal_Id (2.0 width)
        contentLength.toString(16).padStart(2, '0'), // Msg_Length
        content,
        hex('', 8), // Reserve
      ].join('');
      const packet = encodeCmppPdu(
        {
          ...gocmppSubmit,
          command: 'submit',
          sequenceId: 0x100 + i,
          pkTotal: segment.total,
          pkNumber: segment.seq,
          msgLevel: 0,
          serviceId: 'MDZ0001',
          feeTerminalId: '',
          tpUdhi: 1,
          msgSrc: '901234',
          feeType: '01',
          feeCode: '000000',
          validTime: '',
          srcId: '1065888801',
          destTerminalIds: ['13800138000'],
          msgContent: segment.userData,
        },
        0x20,
      );
      assert.equal(packet.toString('hex'), expected, `segment ${i + 1}`);
    });
  });

  it('refuses fields that do not fit instead of cutting them', () => {
    assert.throws(
      () =>
        encodeCmppPdu(
          { command: 'submit', sequenceId: 1, ...gocmppSubmit, srcId: '1'.repeat(22) },
          0x30,
        ),
      (e: unknown) => e instanceof FieldEncodeError && e.field === 'Src_Id',
    );
    assert.throws(
      () =>
        encodeCmppPdu(
          { command: 'submit', sequenceId: 1, ...gocmppSubmit, destTerminalIds: [] },
          0x30,
        ),
      /DestUsr_tl/,
    );
    assert.throws(
      () =>
        encodeCmppPdu(
          { command: 'submit', sequenceId: 1, ...gocmppSubmit, msgContent: Buffer.alloc(256) },
          0x30,
        ),
      /Msg_Length/,
    );
  });
});

describe('CMPP SUBMIT_RESP', () => {
  it('encodes the 2.0 and 3.0 vectors and decodes both by length', () => {
    const resp = {
      command: 'submit_resp' as const,
      sequenceId: 0x17,
      msgId: 0xb2b9da8000010000n,
      result: 0,
    };
    assert.equal(
      encodeCmppPdu(resp, 0x20).toString('hex'),
      '000000158000000400000017b2b9da800001000000',
    );
    assert.equal(
      encodeCmppPdu(resp, 0x30).toString('hex'),
      '000000188000000400000017b2b9da800001000000000000',
    );
    assert.deepEqual(decodeMsgIdResult(Buffer.from('b2b9da80000100000d', 'hex')), {
      msgId: 0xb2b9da8000010000n,
      result: 13,
    });
    assert.deepEqual(decodeMsgIdResult(Buffer.from('b2b9da800001000000000008', 'hex')), {
      msgId: 0xb2b9da8000010000n,
      result: 8,
    });
  });
});
