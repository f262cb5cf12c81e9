import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldEncodeError, PduDecodeError } from '../errors';
import { OctetReader } from './octet-reader';
import { OctetWriter } from './octet-writer';

describe('OctetWriter / OctetReader', () => {
  it('writes big-endian integers and NUL-padded fixed strings', () => {
    const b = new OctetWriter()
      .u8(1)
      .u16(0x0203)
      .u32(0x04050607)
      .u64(0x08090a0b0c0d0e0fn)
      .octetString('ab', 4)
      .toBuffer();
    assert.equal(b.toString('hex'), '01020304050607' + '08090a0b0c0d0e0f' + '61620000');
    const r = new OctetReader(b);
    assert.equal(r.u8(), 1);
    assert.equal(r.u16(), 0x0203);
    assert.equal(r.u32(), 0x04050607);
    assert.equal(r.u64(), 0x08090a0b0c0d0e0fn);
    assert.equal(r.octetString(4), 'ab');
    assert.equal(r.remaining, 0);
  });

  it('fills a string field completely without a terminator', () => {
    assert.equal(new OctetWriter().octetString('abcd', 4).toBuffer().toString('hex'), '61626364');
  });

  it('refuses values that do not fit instead of cutting them', () => {
    assert.throws(
      () => new OctetWriter().octetString('12345', 4, 'Src_Id'),
      (e: unknown) => e instanceof FieldEncodeError && e.field === 'Src_Id',
    );
    assert.throws(() => new OctetWriter().u8(256), FieldEncodeError);
    assert.throws(() => new OctetWriter().u32(-1), FieldEncodeError);
    assert.throws(() => new OctetWriter().octetString('中', 4), FieldEncodeError);
  });

  it('reports a short buffer as a truncated PDU naming the field', () => {
    const r = new OctetReader(Buffer.from([1, 2]));
    assert.throws(
      () => r.u32('Total_Length'),
      (e: unknown) =>
        e instanceof PduDecodeError && e.reason === 'truncated' && /Total_Length/.test(e.message),
    );
  });
});
