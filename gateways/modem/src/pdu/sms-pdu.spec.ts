import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PduDecodeError, UdhError, segmentText, type TextEncoding } from '@dizi/gateway-kit';
import { decodeDcs, encodeDcs, type SmsAlphabet } from './dcs';
import { decodeTimestamp, encodeTimestamp } from './scts';
import { encodeAddress, encodeAlphanumericAddress } from './semi-octets';
import { encodeDeliver } from './sms-deliver';
import { decodeSmsPdu, bytesToHex } from './sms-pdu';
import {
  deliveryStateOfStatus,
  encodeStatusReport,
  statusClassOf,
  statusText,
} from './sms-status-report';
import { encodeSubmit, submitOfSegment, type SubmitOptions } from './sms-submit';
import { relativeValidity, relativeValidityMinutes } from './validity';

/** SUBMIT hex for a text the kit segments in `encoding` (single segment). */
function submitHex(
  text: string,
  encoding: TextEncoding,
  rest: Omit<SubmitOptions, 'alphabet' | 'userData' | 'userDataLength' | 'hasUdh'>,
): string {
  const message = segmentText(text, { encodings: [encoding], reference: 0 });
  assert.equal(message.segments.length, 1);
  const alphabet: SmsAlphabet = encoding === 'ucs2' ? 'ucs2' : 'gsm7';
  return bytesToHex(encodeSubmit(submitOfSegment(message.segments[0], alphabet, rest)).pdu);
}

describe('SMS-SUBMIT encoding (python-messaging vectors, PROTOCOLS.md §5)', () => {
  it('"hola" to +34616585119 without a validity period', () => {
    assert.equal(
      submitHex('hola', 'gsm7', { destination: '+34616585119' }),
      '0001000B914316565811F9000004E8373B0C',
    );
  });

  it('with a relative validity of 4 days (TP-VP 0xAA)', () => {
    assert.equal(
      submitHex('hola', 'gsm7', {
        destination: '+34616585119',
        validity: { relativeMinutes: 4 * 24 * 60 },
      }),
      '0011000B914316565811F90000AA04E8373B0C',
    );
  });

  it('with an absolute validity of 2010-07-25 20:15:39', () => {
    assert.equal(
      submitHex('hola', 'gsm7', {
        destination: '+34616585119',
        validity: { absolute: new Date(Date.UTC(2010, 6, 25, 20, 15, 39)) },
      }),
      '0019000B914316565811F900000170520251930004E8373B0C',
    );
  });

  it('with the service centre +34646456456 in front', () => {
    const hex = submitHex('hola', 'gsm7', { destination: '+34616585119', smsc: '+34646456456' });
    assert.equal(hex, '07914346466554F601000B914316565811F9000004E8373B0C');
    const encoded = encodeSubmit(
      submitOfSegment(
        segmentText('hola', { encodings: ['gsm7'], reference: 0 }).segments[0],
        'gsm7',
        {
          destination: '+34616585119',
          smsc: '+34646456456',
        },
      ),
    );
    // AT+CMGS counts the TPDU only: the 8 SCA octets are left out.
    assert.equal(encoded.tpduLength, encoded.pdu.length - 8);
    assert.equal(encoded.tpduLength, 17);
  });

  it('message classes 0-3 (DCS 0x10-0x13) and a status report request', () => {
    for (const cls of [0, 1, 2, 3] as const) {
      assert.equal(
        submitHex('hey yo', 'gsm7', { destination: '+34654123456', messageClass: cls }),
        `0001000B914356143254F600${(0x10 + cls).toString(16).toUpperCase()}06E8721E947F03`,
      );
    }
    assert.equal(
      submitHex('hey yo', 'gsm7', { destination: '+34654123456', statusReport: true }),
      '0021000B914356143254F6000006E8721E947F03',
    );
  });

  it('GSM 7-bit national characters and UCS2', () => {
    assert.equal(
      submitHex('BÄRÇA äñ@', 'gsm7', { destination: '+34654123456' }),
      '0001000B914356143254F6000009C2AD341104EDFB00',
    );
    assert.equal(
      submitHex('あ叶葉', 'ucs2', { destination: '+34616585119', smsc: '+34646456456' }),
      '07914346466554F601000B914316565811F9000806304253F68449',
    );
  });

  it('8-bit data to a number of unknown type (TOA 0x81)', () => {
    const data = Buffer.from('Hi there...');
    const hex = bytesToHex(
      encodeSubmit({
        smsc: '+44000000000',
        destination: '01000000000',
        alphabet: 'binary',
        userData: data,
        userDataLength: data.length,
        hasUdh: false,
      }).pdu,
    );
    assert.equal(hex, '07914400000000F001000B811000000000F000040B48692074686572652E2E2E');
  });

  it('matches gammu 1.42 output from the first octet on (TP-VP 0xFF = 63 weeks)', () => {
    const maxVp = { relativeMinutes: relativeValidityMinutes(255) };
    assert.equal(
      submitHex('Hello world', 'gsm7', { destination: '8613800138000', validity: maxVp }).slice(2),
      '11000D81683108108300F00000FF0BC8329BFD06DDDF723619',
    );
    assert.equal(
      submitHex('你好，世界', 'ucs2', { destination: '8613800138000', validity: maxVp }).slice(2),
      '11000D81683108108300F00008FF0A4F60597DFF0C4E16754C',
    );
    assert.equal(
      submitHex('hi', 'gsm7', {
        destination: '8613800138000',
        validity: { relativeMinutes: 24 * 60 },
        statusReport: true,
      }).slice(2),
      '31000D81683108108300F00000A702E834',
    );
  });

  it('two parts of 200 × "x" with UDH 050003440201/02, first octet 0x51 and fill bits', () => {
    const message = segmentText('x'.repeat(200), { encodings: ['gsm7'], reference: 0x44 });
    const pdus = message.segments.map((s) =>
      encodeSubmit(
        submitOfSegment(s, 'gsm7', {
          destination: '8613800138000',
          validity: { relativeMinutes: relativeValidityMinutes(255) },
        }),
      ),
    );
    assert.equal(pdus.length, 2);
    const first = bytesToHex(pdus[0].pdu);
    assert.ok(first.startsWith('0051000D81683108108300F00000FFA0050003440201'), first);
    assert.ok(bytesToHex(pdus[1].pdu).startsWith('0051000D81683108108300F00000FF'));
    assert.ok(bytesToHex(pdus[1].pdu).includes('050003440202'));
    // UDL 160 septets = 7 header septets (6 octets + 1 fill bit) + 153 characters.
    const decoded = decodeSmsPdu(pdus[0].pdu);
    assert.equal(decoded.type, 'submit');
    if (decoded.type !== 'submit') return;
    assert.equal(decoded.userData.text, 'x'.repeat(153));
    assert.deepEqual(decoded.userData.concat, {
      reference: 0x44,
      referenceBits: 8,
      total: 2,
      seq: 1,
    });
    // After the UDH the first septet is shifted by one fill bit: 'x' = 0x78 << 1 = 0xF0.
    assert.equal(pdus[0].pdu[1 + 1 + 1 + 9 + 2 + 1 + 1 + 6], 0xf0);
  });

  it('refuses a TP-MR out of range and over-long user data', () => {
    assert.throws(
      () =>
        encodeSubmit({
          destination: '+1',
          messageReference: 256,
          alphabet: 'gsm7',
          userData: Buffer.alloc(1),
          userDataLength: 1,
          hasUdh: false,
        }),
      /TP-MR/,
    );
    assert.throws(
      () =>
        encodeSubmit({
          destination: '+1',
          alphabet: 'binary',
          userData: Buffer.alloc(141),
          userDataLength: 141,
          hasUdh: false,
        }),
      /140/,
    );
    assert.throws(() => encodeAddress('12ab'), /not 1-20 digits/);
  });
});

describe('SMS-DELIVER decoding', () => {
  it('"How are you?" from +31641600986 via +31624000000, 2002-08-26 19:37:41', () => {
    const pdu = decodeSmsPdu(
      '07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07',
    );
    assert.equal(pdu.type, 'deliver');
    if (pdu.type !== 'deliver') return;
    assert.equal(pdu.smsc, '+31624000000');
    assert.equal(pdu.originator.address, '+31641600986');
    assert.equal(pdu.userData.text, 'How are you?');
    assert.equal(pdu.userData.alphabet, 'gsm7');
    // Zone octet 0x08 is "minus zero": the wall time is UTC.
    assert.equal(pdu.serviceCentreTime.date.toISOString(), '2002-08-26T19:37:41.000Z');
    assert.equal(pdu.serviceCentreTime.offsetMinutes, 0);
  });

  it('UCS2 "中兴通讯" and a UTC+2 time stamp', () => {
    const pdu = decodeSmsPdu(
      '07914306073011F0040B914316709807F2000880604290224080084E2D5174901A8BAF',
    );
    assert.equal(pdu.type, 'deliver');
    if (pdu.type !== 'deliver') return;
    assert.equal(pdu.userData.text, '中兴通讯');
    assert.equal(pdu.originator.address, '+34610789702');
    // 08-06-24 09:22:04, zone 0x80 → 08 quarters = +2 h.
    assert.equal(pdu.serviceCentreTime.offsetMinutes, 120);
    assert.equal(pdu.serviceCentreTime.date.toISOString(), '2008-06-24T07:22:04.000Z');
  });

  it('a real modem transcript (gammu tests/at-sms/01.dump), length checked against +CMGR', () => {
    const pdu = decodeSmsPdu(
      '0791246030500200110481643000007030427132500047D6B0BEECCE83F4E17558EF4EAFEB2CD09C5DD78BC3207519447E8FC3737719D44EB7DF20B8FC6D7FEB5D2062795D5797DB65903E0C82BFC7E837BCEC4EBB00',
      { tpduLength: 78, expect: 'received' },
    );
    assert.equal(pdu.type, 'deliver');
    if (pdu.type !== 'deliver') return;
    assert.equal(pdu.smsc, '+420603052000');
    assert.equal(pdu.originator.address, '4603');
    assert.equal(pdu.serviceCentreTime.offsetMinutes, 0);
    assert.equal(pdu.serviceCentreTime.date.toISOString(), '2007-03-24T17:23:05.000Z');
    assert.equal(pdu.userData.text.length, 71);
    assert.match(pdu.userData.text, /^Vazeny zakazniku, sluzba je docasne mimo provoz/);
    assert.throws(
      () =>
        decodeSmsPdu(
          '0791246030500200110481643000007030427132500047D6B0BEECCE83F4E17558EF4EAFEB2CD09C5DD78BC3207519447E8FC3737719D44EB7DF20B8FC6D7FEB5D2062795D5797DB65903E0C82BFC7E837BCEC4EBB00',
          { tpduLength: 77, expect: 'received' },
        ),
      (e: unknown) => e instanceof PduDecodeError && e.reason === 'bad-length',
    );
  });

  it('alphanumeric senders round-trip ("FONIC", "www.tim.it")', () => {
    for (const sender of ['FONIC', 'www.tim.it']) {
      const text = segmentText('Guthaben', { encodings: ['gsm7'], reference: 0 }).segments[0];
      const { pdu } = encodeDeliver({
        originator: sender,
        alphanumeric: true,
        alphabet: 'gsm7',
        userData: text.userData,
        userDataLength: text.userDataLength,
        hasUdh: false,
        serviceCentreTime: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
        offsetMinutes: 60,
      });
      const decoded = decodeSmsPdu(pdu);
      assert.equal(decoded.type, 'deliver');
      if (decoded.type !== 'deliver') return;
      assert.equal(decoded.originator.address, sender);
      assert.equal(decoded.originator.typeOfNumber, 5);
      assert.equal(decoded.userData.text, 'Guthaben');
    }
    // "FONIC" as real networks send it: 5 septets = 9 semi-octets (0x09), TOA 0xD0.
    assert.equal(
      encodeAlphanumericAddress('FONIC').toString('hex').toUpperCase(),
      '09D0C6A7333904',
    );
  });

  it('concatenated parts with 8-bit and 16-bit references (UCS2 and GSM 7-bit)', () => {
    for (const referenceBits of [8, 16] as const) {
      for (const [encoding, text] of [
        ['ucs2', '长'.repeat(100)],
        ['gsm7', 'y'.repeat(200)],
      ] as const) {
        const message = segmentText(text, {
          encodings: [encoding],
          reference: 0x1234,
          referenceBits,
        });
        const parts = message.segments.map((s) =>
          decodeSmsPdu(
            encodeDeliver({
              originator: '+8613800138000',
              alphabet: encoding,
              userData: s.userData,
              userDataLength: s.userDataLength,
              hasUdh: true,
              serviceCentreTime: new Date(0x5f000000 * 1000),
              offsetMinutes: 480,
            }).pdu,
          ),
        );
        const texts = parts.map((p) => (p.type === 'deliver' ? p.userData.text : ''));
        assert.equal(texts.join(''), text);
        const first = parts[0];
        assert.equal(first.type, 'deliver');
        if (first.type !== 'deliver') return;
        assert.deepEqual(first.userData.concat, {
          reference: referenceBits === 8 ? 0x34 : 0x1234,
          referenceBits,
          total: 2,
          seq: 1,
        });
        assert.equal(first.serviceCentreTime.offsetMinutes, 480);
      }
    }
  });
});

describe('SMS-STATUS-REPORT decoding', () => {
  it('reference 24, recipient 50131, status 0, with and without an SCA', () => {
    for (const [hex, withSca] of [
      ['0791538375000075061805810531F1019082416500400190824165004000', true],
      ['00060505810531F1010150610000400101506100004000', true],
    ] as const) {
      const pdu = decodeSmsPdu(hex, { withSca });
      assert.equal(pdu.type, 'status-report');
      if (pdu.type !== 'status-report') return;
      assert.equal(pdu.recipient, '50131');
      assert.equal(pdu.status, 0);
      assert.equal(pdu.statusClass, 'completed');
    }
    const first = decodeSmsPdu('0791538375000075061805810531F1019082416500400190824165004000');
    assert.equal(first.type === 'status-report' && first.messageReference, 24);
    assert.equal(first.type === 'status-report' && first.smsc, '+353857000057');
    assert.equal(
      first.type === 'status-report' && first.dischargeTime.date.toISOString(),
      '2010-09-28T13:56:00.000Z', // 14:56 at UTC+1 (zone 0x40 = 4 quarters)
    );
    const second = decodeSmsPdu('00060505810531F1010150610000400101506100004000');
    assert.equal(second.type === 'status-report' && second.messageReference, 5);
  });

  it('round-trips and classifies TP-ST', () => {
    const { pdu, tpduLength } = encodeStatusReport({
      messageReference: 200,
      recipient: '+8613800138000',
      serviceCentreTime: new Date(Date.UTC(2025, 4, 6, 7, 8, 9)),
      dischargeTime: new Date(Date.UTC(2025, 4, 6, 7, 9, 0)),
      offsetMinutes: -300,
      status: 0x46,
    });
    const report = decodeSmsPdu(pdu, { tpduLength });
    assert.equal(report.type, 'status-report');
    if (report.type !== 'status-report') return;
    assert.equal(report.messageReference, 200);
    assert.equal(report.recipient, '+8613800138000');
    assert.equal(report.dischargeTime.offsetMinutes, -300);
    assert.equal(report.dischargeTime.date.toISOString(), '2025-05-06T07:09:00.000Z');
    assert.equal(deliveryStateOfStatus(0x46), 'expired');
    assert.deepEqual(
      [0x00, 0x21, 0x41, 0x47, 0x62, 0x80].map((s) => [statusClassOf(s), deliveryStateOfStatus(s)]),
      [
        ['completed', 'delivered'],
        ['temporary-still-trying', 'accepted'],
        ['permanent', 'undeliverable'],
        ['permanent', 'deleted'],
        ['temporary-gave-up', 'undeliverable'],
        ['reserved', 'unknown'],
      ],
    );
    assert.equal(statusText(0x46), 'ST:46 validity period expired');
  });
});

describe('fields', () => {
  it('DCS: encode the usual codes, read every group', () => {
    assert.deepEqual([encodeDcs('gsm7'), encodeDcs('binary'), encodeDcs('ucs2')], [0, 4, 8]);
    assert.equal(encodeDcs('ucs2', 1), 0x19);
    assert.throws(() => encodeDcs('gsm7', 4), /class/);
    assert.deepEqual(decodeDcs(0xf0), { alphabet: 'gsm7', compressed: false, messageClass: 0 });
    assert.deepEqual(decodeDcs(0xf5), { alphabet: 'binary', compressed: false, messageClass: 1 });
    assert.equal(decodeDcs(0x08).alphabet, 'ucs2');
    assert.equal(decodeDcs(0x24).alphabet, 'binary');
    assert.equal(decodeDcs(0xe0).alphabet, 'ucs2');
    assert.equal(decodeDcs(0xc0).alphabet, 'gsm7');
    assert.equal(decodeDcs(0x0c).alphabet, 'gsm7');
  });

  it('relative validity: the four ranges', () => {
    assert.deepEqual([0, 143, 144, 167, 168, 196, 197, 255].map(relativeValidityMinutes), [
      5,
      720,
      750,
      1440,
      2 * 1440,
      30 * 1440,
      5 * 10080,
      63 * 10080,
    ]);
    assert.equal(relativeValidity(1), 0);
    assert.equal(relativeValidity(60), 11);
    assert.equal(relativeValidity(1440), 167);
    assert.equal(relativeValidity(10 ** 9), 255);
    assert.throws(() => relativeValidity(0), /not positive/);
  });

  it('time stamps: zones east and west, bad digits refused', () => {
    const date = new Date(Date.UTC(2026, 10, 23, 18, 30, 0));
    for (const offset of [0, 480, -330, 45]) {
      const back = decodeTimestamp(encodeTimestamp(date, offset));
      assert.equal(back.date.getTime(), date.getTime());
      assert.equal(back.offsetMinutes, offset);
    }
    assert.throws(
      () => decodeTimestamp(Buffer.from('2080629173140A'.replace('0A', 'A0'), 'hex')),
      PduDecodeError,
    );
    assert.throws(() => decodeTimestamp(Buffer.from('20F06291731408', 'hex')), PduDecodeError);
    assert.throws(() => encodeTimestamp(date, 10), /quarter/);
  });
});

describe('bad PDUs are typed errors', () => {
  const good = '07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07';
  it('every truncation of a good PDU', () => {
    for (let cut = 0; cut < good.length; cut += 2) {
      assert.throws(
        () => decodeSmsPdu(good.slice(0, cut)),
        (e: unknown) => e instanceof PduDecodeError,
        `cut at ${cut / 2}`,
      );
    }
  });

  it('trailing octets, odd hex, garbage, reserved MTI and bad UDH', () => {
    const isPduError = (e: unknown) => e instanceof PduDecodeError;
    assert.throws(() => decodeSmsPdu(good + '00'), isPduError);
    assert.throws(() => decodeSmsPdu(good + '0'), isPduError);
    assert.throws(() => decodeSmsPdu('ZZ'), isPduError);
    assert.throws(() => decodeSmsPdu('0003'), isPduError);
    assert.throws(() => decodeSmsPdu('FF'), isPduError);
    // UDHI set, UDL 3, UDH length 5 runs past the content.
    assert.throws(
      () => decodeSmsPdu('0044 0B911346610089F6 0004 20806291731408 03 050003'.replace(/ /g, '')),
      (e: unknown) => e instanceof PduDecodeError && !(e instanceof UdhError),
    );
    // Random bytes never throw anything but PduDecodeError.
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      const length = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 60;
      const bytes = Buffer.alloc(length);
      for (let j = 0; j < length; j++)
        bytes[j] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
      try {
        decodeSmsPdu(bytes);
      } catch (error) {
        assert.ok(error instanceof PduDecodeError, String(error));
      }
    }
  });
});
