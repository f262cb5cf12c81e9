import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalPhone } from './phone-number';

describe('canonicalPhone', () => {
  it('one form for a Chinese mobile however it is written', () => {
    for (const n of ['13800138000', '+8613800138000', '8613800138000', '138-0013 8000'])
      assert.equal(canonicalPhone(n), '13800138000');
    assert.equal(canonicalPhone('+447700900123'), '+447700900123');
    assert.throws(() => canonicalPhone('abc'), /not a phone number/);
  });
});
