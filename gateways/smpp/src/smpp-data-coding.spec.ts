import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnencodableTextError } from '@dizi/gateway-kit';
import {
  chooseSmppEncoding,
  contentEncodingOf,
  dataCodingOf,
  encodeSmppText,
} from './smpp-data-coding';

describe('SMPP data_coding', () => {
  it('chooses the first encoding that carries the text', () => {
    const all = ['gsm7', 'latin1', 'ucs2'] as const;
    assert.equal(chooseSmppEncoding('Hello {world} €', all), 'gsm7');
    assert.equal(chooseSmppEncoding('crème brûlée', all), 'latin1');
    assert.equal(chooseSmppEncoding('你好', all), 'ucs2');
    assert.equal(chooseSmppEncoding('brûlée', ['gsm7', 'ucs2']), 'ucs2');
    assert.throws(
      () => chooseSmppEncoding('a✓', ['gsm7', 'latin1']),
      (e: unknown) => e instanceof UnencodableTextError && e.index === 1,
    );
  });

  it('maps encodings to data_coding and back', () => {
    assert.deepEqual(
      (['gsm7', 'ascii', 'latin1', 'ucs2', 'binary'] as const).map(dataCodingOf),
      [0, 1, 3, 8, 4],
    );
    assert.equal(contentEncodingOf(0), 'gsm7');
    assert.equal(contentEncodingOf(3), 'ascii');
    assert.equal(contentEncodingOf(8), 'ucs2');
    assert.equal(contentEncodingOf(0xf0), 'gsm7');
    assert.equal(contentEncodingOf(0xf4), 'binary');
    assert.equal(contentEncodingOf(6), 'binary');
  });

  it('writes GSM 7-bit unpacked, one septet per octet, escapes included', () => {
    assert.deepEqual(encodeSmppText('@A€', 'gsm7'), Buffer.from([0x00, 0x41, 0x1b, 0x65]));
    assert.deepEqual(encodeSmppText('é', 'latin1'), Buffer.from([0xe9]));
    assert.deepEqual(encodeSmppText('😀', 'ucs2'), Buffer.from([0xd8, 0x3d, 0xde, 0x00]));
  });
});
