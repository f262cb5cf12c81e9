import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnencodableTextError } from '../errors';
import { GSM7_BASIC } from './gsm7-alphabet';
import {
  decodeGsm7Septets,
  encodeGsm7Septets,
  gsm7FillBits,
  isGsm7Encodable,
  packSeptets,
  unpackSeptets,
} from './gsm7-codec';

describe('GSM 03.38 7-bit codec', () => {
  it('has 128 basic characters with the escape at 0x1B', () => {
    assert.equal(GSM7_BASIC.length, 128);
    assert.equal(GSM7_BASIC.charCodeAt(0x1b), 0x1b);
    assert.equal(GSM7_BASIC[0x00], '@');
    assert.equal(GSM7_BASIC[0x24], '¤');
    assert.equal(GSM7_BASIC[0x40], '¡');
    assert.equal(GSM7_BASIC[0x7f], 'à');
  });

  it('packs "hellohello" as in TS 23.038 examples', () => {
    const packed = packSeptets(encodeGsm7Septets('hellohello'));
    assert.equal(packed.toString('hex').toUpperCase(), 'E8329BFD4697D9EC37');
  });

  it('escapes extension characters and decodes them back', () => {
    assert.deepEqual(encodeGsm7Septets('€'), [0x1b, 0x65]);
    assert.deepEqual(encodeGsm7Septets('a{b'), [0x61, 0x1b, 0x28, 0x62]);
    assert.equal(decodeGsm7Septets([0x61, 0x1b, 0x28, 0x62]), 'a{b');
  });

  it('round-trips every basic and extension character', () => {
    const all = GSM7_BASIC.replace('\x1b', '') + '^{}\\[~]|€\f';
    assert.equal(decodeGsm7Septets(encodeGsm7Septets(all)), all);
  });

  it('shows the basic character for an unknown extension code and drops a lone escape', () => {
    assert.equal(decodeGsm7Septets([0x1b, 0x41]), 'A');
    assert.equal(decodeGsm7Septets([0x41, 0x1b]), 'A');
  });

  it('refuses characters outside the alphabet with their position', () => {
    assert.equal(isGsm7Encodable('abc€'), true);
    assert.equal(isGsm7Encodable('ab中'), false);
    assert.throws(
      () => encodeGsm7Septets('ab中'),
      (e: unknown) => e instanceof UnencodableTextError && e.index === 2 && e.character === '中',
    );
  });

  it('puts fill bits in front after a UDH so septets align', () => {
    assert.equal(gsm7FillBits(6), 1);
    assert.equal(gsm7FillBits(7), 0);
    assert.equal(gsm7FillBits(0), 0);
    // 'A' = 0x41 shifted left by one fill bit = 0x82.
    assert.deepEqual([...packSeptets([0x41], 1)], [0x82]);
    const septets = encodeGsm7Septets('Hello, world of septets!');
    for (let fill = 0; fill < 7; fill++) {
      assert.deepEqual(unpackSeptets(packSeptets(septets, fill), septets.length, fill), septets);
    }
  });

  it('packs 8 septets into exactly 7 octets', () => {
    assert.equal(packSeptets(encodeGsm7Septets('12345678')).length, 7);
    assert.equal(packSeptets(encodeGsm7Septets('1234567')).length, 7);
  });
});
