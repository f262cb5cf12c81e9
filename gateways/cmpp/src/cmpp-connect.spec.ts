import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authenticatorIsmg, authenticatorSource, decodeConnectResp } from './cmpp-connect';
import { CMPP_VERSION_3 } from './cmpp-constants';
import { decodeCmppBody, encodeCmppPdu } from './cmpp-pdu';
import { cmppTimestamp, cmppTimestampText } from './cmpp-timestamp';

// gocmpp inputs (PROTOCOLS.md §1.9): SP "900001", secret "888888", timestamp 1021080510, seq 0x17.
const AUTH_SOURCE = '90d00c1d517abd0b4f65f6bcf8535d16';

describe('CMPP CONNECT', () => {
  it('computes AuthenticatorSource = MD5(SP ‖ 9×0 ‖ secret ‖ MMDDHHMMSS) as in vector C1', () => {
    assert.equal(authenticatorSource('900001', '888888', 1021080510).toString('hex'), AUTH_SOURCE);
  });

  it('encodes vector C1 byte for byte', () => {
    const packet = encodeCmppPdu(
      {
        command: 'connect',
        sequenceId: 0x17,
        sourceAddr: '900001',
        authenticatorSource: authenticatorSource('900001', '888888', 1021080510),
        version: 0x21,
        timestamp: 1021080510,
      },
      0x21,
    );
    assert.equal(
      packet.toString('hex'),
      '00000027000000010000001739303030303190d00c1d517abd0b4f65f6bcf8535d16213cdc73be',
    );
  });

  it('encodes a hand-laid 3.0 CONNECT field by field', () => {
    const auth = authenticatorSource('901234', 'secret', 123456);
    const expected =
      '00000027' + // Total_Length 39
      '00000001' + // CMPP_CONNECT
      '00000001' + // Sequence_Id
      Buffer.from('901234').toString('hex') + // Source_Addr, 6 bytes
      auth.toString('hex') + // AuthenticatorSource, 16 bytes
      '30' + // Version 3.0
      '0001e240'; // Timestamp 0000123456 as u32
    const packet = encodeCmppPdu(
      {
        command: 'connect',
        sequenceId: 1,
        sourceAddr: '901234',
        authenticatorSource: auth,
        version: 0x30,
        timestamp: 123456,
      },
      CMPP_VERSION_3,
    );
    assert.equal(packet.toString('hex'), expected);
    // The leading zero of the month goes into the hash as text.
    const byHand = authenticatorSource('901234', 'secret', 123456);
    assert.equal(cmppTimestampText(123456), '0000123456');
    assert.deepEqual(byHand, auth);
  });

  it('encodes CONNECT_RESP 2.0 (vector C2) and 3.0 (vector C3), with AuthenticatorISMG', () => {
    const src = Buffer.from(AUTH_SOURCE, 'hex');
    const ismg2 = authenticatorIsmg(0, src, '888888', 0x21);
    assert.equal(ismg2.toString('hex'), '6c0b846e25bab6daa4ed1c466e0f4bd8');
    assert.equal(
      encodeCmppPdu(
        {
          command: 'connect_resp',
          sequenceId: 0x17,
          status: 0,
          authenticatorIsmg: ismg2,
          version: 0x21,
        },
        0x21,
      ).toString('hex'),
      '0000001e8000000100000017006c0b846e25bab6daa4ed1c466e0f4bd821',
    );
    const ismg3 = authenticatorIsmg(0, src, '888888', 0x30);
    assert.equal(
      encodeCmppPdu(
        {
          command: 'connect_resp',
          sequenceId: 0x17,
          status: 0,
          authenticatorIsmg: ismg3,
          version: 0x30,
        },
        0x30,
      ).toString('hex'),
      '000000218000000100000017000000007942977274098cf210ab0c16c367bc8d30',
    );
  });

  it('decodes CONNECT_RESP by its length whatever version was asked for', () => {
    const two = decodeConnectResp(Buffer.from('006c0b846e25bab6daa4ed1c466e0f4bd821', 'hex'));
    assert.deepEqual({ status: two.status, version: two.version }, { status: 0, version: 0x21 });
    const three = decodeConnectResp(
      Buffer.from('000000037942977274098cf210ab0c16c367bc8d30', 'hex'),
    );
    assert.deepEqual(
      { status: three.status, version: three.version },
      { status: 3, version: 0x30 },
    );
  });

  it('decodes the CONNECT it encodes', () => {
    const body = Buffer.from('39303030303190d00c1d517abd0b4f65f6bcf8535d16213cdc73be', 'hex');
    const pdu = decodeCmppBody(1, 0x17, body, 0x21);
    assert.equal(pdu.command, 'connect');
    if (pdu.command === 'connect') {
      assert.equal(pdu.sourceAddr, '900001');
      assert.equal(pdu.timestamp, 1021080510);
      assert.equal(pdu.authenticatorSource.toString('hex'), AUTH_SOURCE);
    }
  });

  it('formats the local time as MMDDHHMMSS', () => {
    assert.equal(cmppTimestamp(new Date(2015, 9, 21, 8, 5, 10)), 1021080510);
    assert.equal(cmppTimestamp(new Date(2026, 0, 2, 3, 4, 5)), 102030405);
  });
});
