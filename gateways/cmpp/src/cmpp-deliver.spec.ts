import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PduDecodeError } from '@dizi/gateway-kit';
import {
  decodeStatusReport,
  encodeStatusReport,
  type CmppDeliver,
  type CmppStatusReport,
} from './cmpp-deliver';
import { decodeCmppBody, encodeCmppPdu } from './cmpp-pdu';

const mo = (msgId: bigint): CmppDeliver => ({
  msgId,
  destId: '900001',
  serviceId: '',
  tpPid: 0,
  tpUdhi: 0,
  msgFmt: 0,
  srcTerminalId: '13412340000',
  srcTerminalType: 0,
  registeredDelivery: 0,
  msgContent: Buffer.from('This is a test MO.'),
  reserveOrLinkId: '',
});

const D1 =
  '000000670000000500000005b5256280000100003930303030310000000000000000000000000000000000000000000000000000000031333431323334303030300000000000000000000000125468697320697320612074657374204d4f2e0000000000000000';
const D2 =
  '0000007f0000000500000001b4c55300000100003930303030310000000000000000000000000000000000000000000000000000000031333431323334303030300000000000000000000000000000000000000000000000125468697320697320612074657374204d4f2e0000000000000000000000000000000000000000';
const R1 =
  'b4c553000001000044454c49565244313531313132303935353135313131323039353731333431323334303030300000000000000000000012345678';

const hex = (s: string, width: number) =>
  Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(width - s.length)]).toString('hex');

describe('CMPP DELIVER', () => {
  it('encodes MO vectors D1 (2.0) and D2 (3.0) byte for byte and decodes them back', () => {
    assert.equal(
      encodeCmppPdu(
        { command: 'deliver', sequenceId: 5, ...mo(0xb525628000010000n) },
        0x20,
      ).toString('hex'),
      D1,
    );
    assert.equal(
      encodeCmppPdu(
        { command: 'deliver', sequenceId: 1, ...mo(0xb4c5530000010000n) },
        0x30,
      ).toString('hex'),
      D2,
    );
    assert.deepEqual(decodeCmppBody(5, 1, Buffer.from(D2, 'hex').subarray(12), 0x30), {
      command: 'deliver',
      sequenceId: 1,
      ...mo(0xb4c5530000010000n),
    });
  });

  it('encodes DELIVER_RESP 2.0 and 3.0 vectors', () => {
    assert.equal(
      encodeCmppPdu(
        { command: 'deliver_resp', sequenceId: 5, msgId: 0xb525628000010000n, result: 0 },
        0x20,
      ).toString('hex'),
      '000000158000000500000005b52562800001000000',
    );
    assert.equal(
      encodeCmppPdu(
        { command: 'deliver_resp', sequenceId: 1, msgId: 0xb4c5530000010000n, result: 0 },
        0x30,
      ).toString('hex'),
      '000000188000000500000001b4c553000001000000000000',
    );
  });

  const report: CmppStatusReport = {
    msgId: 0xb4c5530000010000n,
    stat: 'DELIVRD',
    submitTime: '1511120955',
    doneTime: '1511120957',
    destTerminalId: '13412340000',
    smscSequence: 0x12345678,
  };

  it('encodes the 60-byte report of vector R1 and decodes it', () => {
    assert.equal(encodeStatusReport(report, 0x20).toString('hex'), R1);
    assert.deepEqual(decodeStatusReport(Buffer.from(R1, 'hex')), report);
  });

  it('encodes a 3.0 DELIVER carrying a 71-byte status report, laid out by hand', () => {
    const reportHex = [
      'b4c5530000010000', // Msg_Id of the SUBMIT_RESP
      hex('DELIVRD', 7), // Stat
      hex('1511120955', 10), // Submit_time
      hex('1511120957', 10), // Done_time
      hex('13412340000', 32), // Dest_terminal_Id (3.0 width)
      '12345678', // SMSC_sequence
    ].join('');
    const expected = [
      '000000b4', // Total_Length 12 + 77 + 71 + 20 = 180
      '00000005', // CMPP_DELIVER
      '00000009', // Sequence_Id
      'c2cf8400a37359d8', // Msg_Id of this DELIVER
      hex('1065888801', 21), // Dest_Id
      hex('', 10), // Service_Id
      '00', // TP_pid
      '00', // TP_udhi
      '00', // Msg_Fmt
      hex('13412340000', 32), // Src_terminal_Id
      '00', // Src_terminal_type
      '01', // Registered_Delivery: this is a report
      '47', // Msg_Length 71
      reportHex,
      hex('', 20), // LinkID
    ];
    const packet = encodeCmppPdu(
      {
        command: 'deliver',
        sequenceId: 9,
        ...mo(0xc2cf8400a37359d8n),
        destId: '1065888801',
        registeredDelivery: 1,
        msgContent: encodeStatusReport(report, 0x30),
      },
      0x30,
    );
    assert.equal(packet.toString('hex'), expected.join(''));
    const decoded = decodeCmppBody(5, 9, packet.subarray(12), 0x30);
    assert.equal(decoded.command, 'deliver');
    if (decoded.command === 'deliver')
      assert.deepEqual(decodeStatusReport(decoded.msgContent), report);
  });

  it('reads a 60-byte report inside a 3.0 DELIVER by its length', () => {
    const packet = encodeCmppPdu(
      {
        command: 'deliver',
        sequenceId: 3,
        ...mo(1n),
        registeredDelivery: 1,
        msgContent: Buffer.from(R1, 'hex'),
      },
      0x30,
    );
    const decoded = decodeCmppBody(5, 3, packet.subarray(12), 0x30);
    assert.ok(decoded.command === 'deliver');
    assert.equal(decodeStatusReport(decoded.msgContent).destTerminalId, '13412340000');
  });

  it('refuses a report of any other length', () => {
    assert.throws(
      () => decodeStatusReport(Buffer.alloc(59)),
      (e: unknown) => e instanceof PduDecodeError && e.reason === 'bad-field',
    );
  });
});
