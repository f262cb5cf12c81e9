import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PduDecodeError, FieldEncodeError } from '@dizi/gateway-kit';
import { SmppTag } from './smpp-constants';
import { SmppFrameDecoder } from './smpp-frame-decoder';
import {
  decodeSmppPdu,
  defaultBind,
  encodeSmppPdu,
  findTlv,
  shortMessageFields,
  tlvString,
  type SmppPdu,
} from './smpp-pdu';
import { parseReceipt } from './smpp-receipt';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// PROTOCOLS.md §4, from SMSGate's TestBaseSmCodec (cloudhopper-derived).
const RECEIPT_ACCEPTD =
  '000000A2000000050000000000116AD500010134343935313336313932303537000501475442616E6B000400000000010000006E69643A3934323531343330393233207375623A30303120646C7672643A303031207375626D697420646174653A3039313130343031323420646F6E6520646174653A3039313130343031323420737461743A41434345505444206572723A31303720746578743A20323646313032';
const RECEIPT_WITH_TLVS =
  '000000EB00000005000000000000000100010134343935313336313932300000013430343034000400000000000003009069643A3132366538356136656465616331613032303230303939333132343739353634207375623A30303120646C7672643A303031207375626D697420646174653A3130303231393136333020646F6E6520646174653A3130303231393136333020737461743A44454C49565244206572723A30303020546578743A48656C6C6F2020202020202020202020202020200427000102001E0021313236653835613665646561633161303230323030393933313234373935363400';
const HIGH_SEQUENCE =
  '000000400000000500000000A2859F22313030310001013434393531333631393230000001343034303430343034303430343034300000000000000000080000';

describe('SMPP PDU codec against published vectors', () => {
  it('reads a deliver_sm receipt (ACCEPTD, err 107), 162 bytes', () => {
    const pdu = decodeSmppPdu(hex(RECEIPT_ACCEPTD));
    assert.equal(pdu.command, 'deliver_sm');
    if (pdu.command !== 'deliver_sm') return;
    assert.equal(pdu.sequenceId, 0x116ad5);
    assert.equal(pdu.sourceAddrTon, 1);
    assert.equal(pdu.sourceAddrNpi, 1);
    assert.equal(pdu.sourceAddr, '4495136192057');
    assert.equal(pdu.destAddrTon, 5);
    assert.equal(pdu.destAddrNpi, 1);
    assert.equal(pdu.destinationAddr, 'GTBank');
    assert.equal(pdu.esmClass, 0x04);
    assert.equal(pdu.registeredDelivery, 1);
    assert.equal(pdu.shortMessage.length, 110);
    const receipt = parseReceipt(pdu.shortMessage.toString('latin1'), pdu.tlvs);
    assert.equal(receipt.messageId, '94251430923');
    assert.equal(receipt.carrierStatus, 'ACCEPTD');
    assert.equal(receipt.state, 'accepted');
    assert.equal(receipt.error, '107');
    assert.equal(receipt.fields.text, ' 26F102');
    assert.deepEqual(receipt.submittedAt, new Date(2009, 10, 4, 1, 24));
    // Encoding what was read gives the same bytes back.
    assert.deepEqual(encodeSmppPdu(pdu), hex(RECEIPT_ACCEPTD));
  });

  it('reads a receipt with message_state and receipted_message_id TLVs, 235 bytes', () => {
    const pdu = decodeSmppPdu(hex(RECEIPT_WITH_TLVS));
    assert.equal(pdu.command, 'deliver_sm');
    if (pdu.command !== 'deliver_sm') return;
    assert.equal(pdu.dataCoding, 3);
    assert.equal(pdu.shortMessage.length, 0x90);
    assert.deepEqual(
      pdu.tlvs.map((t) => t.tag),
      [SmppTag.MESSAGE_STATE, SmppTag.RECEIPTED_MESSAGE_ID],
    );
    const id = findTlv(pdu.tlvs, SmppTag.RECEIPTED_MESSAGE_ID);
    assert.equal(id && tlvString(id), '126e85a6edeac1a02020099312479564');
    const receipt = parseReceipt(pdu.shortMessage.toString('latin1'), pdu.tlvs);
    assert.equal(receipt.messageId, '126e85a6edeac1a02020099312479564');
    assert.equal(receipt.state, 'delivered');
    assert.equal(receipt.carrierStatus, 'DELIVRD');
    assert.equal(receipt.fields.text?.trimEnd(), 'Hello');
    assert.deepEqual(encodeSmppPdu(pdu), hex(RECEIPT_WITH_TLVS));
  });

  it('keeps a sequence number with the high bit set unsigned', () => {
    const pdu = decodeSmppPdu(hex(HIGH_SEQUENCE));
    assert.equal(pdu.sequenceId, 0xa2859f22);
    assert.equal(pdu.command, 'deliver_sm');
    if (pdu.command !== 'deliver_sm') return;
    assert.equal(pdu.serviceType, '1001');
    assert.equal(pdu.sourceAddr, '44951361920');
    assert.equal(pdu.destinationAddr, '4040404040404040');
    assert.equal(pdu.dataCoding, 8);
    assert.equal(pdu.shortMessage.length, 0);
    assert.deepEqual(encodeSmppPdu(pdu), hex(HIGH_SEQUENCE));
  });

  it('waits on a cut enquire_link and skips one with a trailing garbage byte', () => {
    const decoder = new SmppFrameDecoder();
    assert.deepEqual(decoder.push(hex('0000001000000015000000000a342e')), []);
    assert.equal(decoder.buffered, 15);
    const [first] = decoder.push(Buffer.from([0x01]));
    assert.equal(first.kind, 'pdu');
    assert.equal(first.kind === 'pdu' && first.pdu.sequenceId, 0x0a342e01);
    const events = decoder.push(
      Buffer.concat([
        hex('00000011000000150000000000000007ff'),
        hex('00000010800000150000000000000008'),
      ]),
    );
    assert.equal(events.length, 2);
    assert.equal(events[0].kind, 'bad-packet');
    assert.equal(events[0].kind === 'bad-packet' && events[0].error.reason, 'bad-field');
    assert.equal(events[1].kind, 'pdu');
    assert.equal(events[1].kind === 'pdu' && events[1].pdu.command, 'enquire_link_resp');
  });

  it('loses the framing on a command_length below the header and says so', () => {
    const decoder = new SmppFrameDecoder();
    const [event] = decoder.push(hex('00000008 00000015 00000000 00000001'));
    assert.equal(event.kind, 'fatal');
    assert.match(event.kind === 'fatal' ? event.error.message : '', /length 8 outside 16/);
  });
});

describe('SMPP PDU codec, hand-laid layouts (SMPP 3.4 §4)', () => {
  it('encodes bind_transceiver byte for byte', () => {
    const bytes = encodeSmppPdu({
      command: 'bind_transceiver',
      sequenceId: 1,
      status: 0,
      ...defaultBind({ systemId: 'dizi', password: 'pw', systemType: 'VMA' }),
    });
    // 16 header + "dizi\0" 5 + "pw\0" 3 + "VMA\0" 4 + version 1 + ton 1 + npi 1 + range "\0" 1 = 32
    assert.deepEqual(
      bytes,
      hex('00000020 00000009 00000000 00000001 64697a6900 707700 564d4100 34 00 00 00'),
    );
    assert.deepEqual(decodeSmppPdu(bytes), {
      command: 'bind_transceiver',
      sequenceId: 1,
      status: 0,
      ...defaultBind({ systemId: 'dizi', password: 'pw', systemType: 'VMA' }),
    });
  });

  it('encodes submit_sm with UDH and a TLV byte for byte', () => {
    const pdu: SmppPdu = {
      command: 'submit_sm',
      sequenceId: 0x7fffffff,
      status: 0,
      ...shortMessageFields({
        sourceAddrTon: 5,
        sourceAddr: 'Dizi',
        destAddrTon: 1,
        destAddrNpi: 1,
        destinationAddr: '4915112345678',
        esmClass: 0x40,
        registeredDelivery: 1,
        dataCoding: 8,
        shortMessage: hex('050003 2a 02 01 00480069'),
        tlvs: [{ tag: 0x0204, value: hex('0001') }],
      }),
    };
    const bytes = encodeSmppPdu(pdu);
    const expected = hex(
      [
        '00000042 00000004 00000000 7fffffff', // header, 66 octets
        '00', // service_type ""
        '05 00 44697a6900', // source ton/npi/addr
        '01 01 3439313531313233343536373800', // dest ton/npi/addr
        '40 00 00', // esm_class, protocol_id, priority
        '00 00', // schedule, validity
        '01 00 08 00', // registered_delivery, replace, data_coding, default msg id
        '0a 0500032a0201 00480069', // sm_length, short_message
        '0204 0002 0001', // user_message_reference TLV
      ].join(''),
    );
    assert.deepEqual(bytes, expected);
    assert.deepEqual(decodeSmppPdu(bytes), pdu);
  });

  it('reads error responses without a body and writes submit_sm_resp ids', () => {
    assert.deepEqual(decodeSmppPdu(hex('00000010 80000004 00000058 00000003')), {
      command: 'submit_sm_resp',
      sequenceId: 3,
      status: 0x58,
      messageId: '',
    });
    const ok = encodeSmppPdu({
      command: 'submit_sm_resp',
      sequenceId: 4,
      status: 0,
      messageId: 'ab12',
    });
    assert.deepEqual(ok, hex('00000015 80000004 00000000 00000004 6162313200'));
    assert.deepEqual(decodeSmppPdu(hex('00000010 80000009 0000000e 00000001')), {
      command: 'bind_transceiver_resp',
      sequenceId: 1,
      status: 0x0e,
      systemId: '',
      tlvs: [],
    });
  });

  it('refuses bad bodies with typed errors', () => {
    const unknown = () => decodeSmppPdu(hex('00000010 00000099 00000000 00000001'));
    assert.throws(
      unknown,
      (e: unknown) => e instanceof PduDecodeError && e.reason === 'unknown-command',
    );
    // sm_length says 10 octets, only 2 follow.
    const good = encodeSmppPdu({
      command: 'deliver_sm',
      sequenceId: 9,
      status: 0,
      ...shortMessageFields({ sourceAddr: '1', destinationAddr: '2', shortMessage: hex('4142') }),
    });
    const cut = Buffer.from(good);
    cut[cut.length - 3] = 10;
    assert.throws(
      () => decodeSmppPdu(cut),
      (e: unknown) => e instanceof PduDecodeError && e.reason === 'truncated',
    );
    // A C-string with no NUL.
    const noNul = hex('00000014 00000009 00000000 00000001 41424344');
    assert.throws(() => decodeSmppPdu(noNul), /system_id has no terminating NUL/);
    // A TLV that claims more than is there.
    const badTlv = Buffer.concat([good, hex('0424 0010 00')]);
    badTlv.writeUInt32BE(badTlv.length, 0);
    assert.throws(() => decodeSmppPdu(badTlv), /TLV 0x0424 claims 16 octets, 1 left/);
    // A system_id longer than its 16 octets.
    const longId = Buffer.concat([
      hex('00000000 00000009 00000000 00000001'),
      Buffer.from('A'.repeat(20) + '\0\0\0\x34\0\0\0'),
    ]);
    longId.writeUInt32BE(longId.length, 0);
    assert.throws(
      () => decodeSmppPdu(longId),
      (e: unknown) => e instanceof PduDecodeError && e.reason === 'bad-field',
    );
  });

  it('refuses to encode fields that do not fit', () => {
    const base = { command: 'submit_sm' as const, sequenceId: 1, status: 0 };
    assert.throws(
      () => encodeSmppPdu({ ...base, ...shortMessageFields({ destinationAddr: '1'.repeat(21) }) }),
      FieldEncodeError,
    );
    assert.throws(
      () => encodeSmppPdu({ ...base, ...shortMessageFields({ shortMessage: Buffer.alloc(255) }) }),
      /at most 254/,
    );
  });
});
