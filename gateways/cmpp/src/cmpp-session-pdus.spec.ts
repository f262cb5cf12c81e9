import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PduDecodeError } from '@dizi/gateway-kit';
import { decodeCmppBody, encodeCmppPdu } from './cmpp-pdu';

describe('CMPP ACTIVE_TEST and TERMINATE', () => {
  it('encodes the four vectors', () => {
    assert.equal(
      encodeCmppPdu({ command: 'active_test', sequenceId: 0x17 }, 0x30).toString('hex'),
      '0000000c0000000800000017',
    );
    assert.equal(
      encodeCmppPdu({ command: 'active_test_resp', sequenceId: 0x17, reserved: 0 }, 0x30).toString(
        'hex',
      ),
      '0000000d800000080000001700',
    );
    assert.equal(
      encodeCmppPdu({ command: 'terminate', sequenceId: 0x17 }, 0x30).toString('hex'),
      '0000000c0000000200000017',
    );
    assert.equal(
      encodeCmppPdu({ command: 'terminate_resp', sequenceId: 0x17 }, 0x20).toString('hex'),
      '0000000c8000000200000017',
    );
  });

  it('accepts an ACTIVE_TEST_RESP without its Reserved byte', () => {
    assert.deepEqual(decodeCmppBody(0x80000008, 4, Buffer.alloc(0), 0x30), {
      command: 'active_test_resp',
      sequenceId: 4,
      reserved: 0,
    });
  });

  it('names an unknown Command_Id in a typed error', () => {
    assert.throws(
      () => decodeCmppBody(0x00000003, 1, Buffer.alloc(0), 0x30),
      (e: unknown) =>
        e instanceof PduDecodeError &&
        e.reason === 'unknown-command' &&
        /0x00000003/.test(e.message),
    );
  });
});
