import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeMsgId, formatMsgId, parseMsgId, parseMsgIdText } from './cmpp-msg-id';

describe('CMPP Msg_Id', () => {
  it('decodes the PROTOCOLS.md examples', () => {
    assert.deepEqual(parseMsgId(0xb2b9da8000010000n), {
      month: 11,
      day: 5,
      hour: 14,
      minute: 29,
      second: 42,
      gatewayCode: 1,
      sequence: 0,
    });
    assert.deepEqual(parseMsgId(0xc2cf8400a37359d8n), {
      month: 12,
      day: 5,
      hour: 19,
      minute: 56,
      second: 16,
      gatewayCode: 41843,
      sequence: 23000,
    });
    assert.deepEqual(parseMsgId(0x522a4980002aa6cen), {
      month: 5,
      day: 4,
      hour: 10,
      minute: 36,
      second: 38,
      gatewayCode: 42,
      sequence: 42702,
    });
  });

  it('composes what it decodes', () => {
    for (const id of [
      0xb2b9da8000010000n,
      0xb4c5530000010000n,
      0xc2cf8400a37359d8n,
      0x522a4980002aa6cen,
    ]) {
      assert.equal(composeMsgId(parseMsgId(id)), id);
    }
  });

  it('prints 16 hex digits and reads them back', () => {
    assert.equal(formatMsgId(0x1n), '0000000000000001');
    assert.equal(parseMsgIdText('c2cf8400a37359d8'), 0xc2cf8400a37359d8n);
    assert.throws(() => parseMsgIdText('xyz'), RangeError);
  });
});
