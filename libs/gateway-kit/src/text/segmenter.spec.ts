import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnencodableTextError } from '../errors';
import { decodeGsm7Septets, unpackSeptets } from './gsm7-codec';
import { segmentBinary, segmentText } from './segmenter';
import { decodeUcs2 } from './ucs2-codec';
import { parseUdh } from './udh';

const gsmFirst = { encodings: ['gsm7', 'ucs2'] as const, reference: 0x42 };
const cmppLike = { encodings: ['ascii', 'ucs2'] as const, reference: 0x42 };

describe('segmentText', () => {
  it('keeps 160 GSM characters in one segment without UDH and splits 161 into 153 + 8', () => {
    const one = segmentText('a'.repeat(160), gsmFirst);
    assert.equal(one.encoding, 'gsm7');
    assert.equal(one.segments.length, 1);
    assert.equal(one.segments[0].udh, null);
    assert.equal(one.segments[0].userData.length, 140);
    const two = segmentText('a'.repeat(161), gsmFirst);
    assert.deepEqual(
      two.segments.map((s) => s.text.length),
      [153, 8],
    );
    assert.equal(two.segments[0].userData.length, 140);
    assert.equal(two.segments[0].userDataLength, 160);
  });

  it('packs GSM segments after the UDH with one fill bit', () => {
    const msg = segmentText('x'.repeat(150) + 'Hello world', gsmFirst);
    const second = msg.segments[1];
    assert.equal(second.udh?.toString('hex'), '050003420202');
    const septets = unpackSeptets(second.payload, second.text.length, 1);
    assert.equal(decodeGsm7Septets(septets), second.text);
    assert.equal(second.userDataLength, 7 + second.text.length);
  });

  it('never splits an extension character across segments', () => {
    const text = 'a'.repeat(152) + '€' + 'b'.repeat(10);
    const msg = segmentText(text, gsmFirst);
    assert.equal(msg.segments[0].text, 'a'.repeat(152));
    assert.equal(msg.segments[1].text, '€' + 'b'.repeat(10));
  });

  it('falls back to UCS-2: 70 characters single, 71 split 67 + 4', () => {
    const one = segmentText('中'.repeat(70), gsmFirst);
    assert.equal(one.encoding, 'ucs2');
    assert.equal(one.segments.length, 1);
    const two = segmentText('中'.repeat(71), gsmFirst);
    assert.deepEqual(
      two.segments.map((s) => s.text.length),
      [67, 4],
    );
    assert.equal(two.segments[0].userData.length, 140);
  });

  it('never splits a surrogate pair: the emoji moves whole to the next segment', () => {
    const text = '中'.repeat(66) + '😀' + '文'.repeat(5);
    const msg = segmentText(text, gsmFirst);
    assert.equal(msg.segments[0].text, '中'.repeat(66));
    assert.equal(msg.segments[1].text, '😀' + '文'.repeat(5));
    for (const s of msg.segments) assert.equal(decodeUcs2(s.payload), s.text);
  });

  it('uses unpacked ASCII for CMPP-like links: 140 single, 134 per part with UDH', () => {
    assert.equal(segmentText('a'.repeat(140), cmppLike).segments.length, 1);
    const two = segmentText('a'.repeat(141), cmppLike);
    assert.equal(two.encoding, 'ascii');
    assert.deepEqual(
      two.segments.map((s) => s.payload.length),
      [134, 7],
    );
  });

  it('builds the 16-bit reference form with 66 UCS-2 characters per part', () => {
    const msg = segmentText('中'.repeat(100), {
      ...gsmFirst,
      reference: 0x1234,
      referenceBits: 16,
    });
    assert.deepEqual(
      msg.segments.map((s) => s.text.length),
      [66, 34],
    );
    assert.equal(msg.segments[1].udh?.toString('hex'), '06080412340202');
    assert.deepEqual(parseUdh(msg.segments[1].userData).concat, {
      reference: 0x1234,
      referenceBits: 16,
      total: 2,
      seq: 2,
    });
  });

  it('encodes a 3-part UCS-2 message byte for byte', () => {
    // 140 × '测' (U+6D4B) + 'AB': 67 + 67 + 8 characters, reference 0x42.
    const msg = segmentText('测'.repeat(140) + 'AB', { encodings: ['ucs2'], reference: 0x42 });
    assert.equal(msg.segments.length, 3);
    const expected = [
      '050003420301' + '6d4b'.repeat(67),
      '050003420302' + '6d4b'.repeat(67),
      '050003420303' + '6d4b'.repeat(6) + '00410042',
    ];
    assert.deepEqual(
      msg.segments.map((s) => s.userData.toString('hex')),
      expected,
    );
  });

  it('counts GBK in bytes: 70 Chinese characters fit, mixed text splits on characters', () => {
    assert.equal(
      segmentText('中'.repeat(70), { encodings: ['ascii', 'gbk'], reference: 1 }).segments.length,
      1,
    );
    const mixed = segmentText('a' + '中'.repeat(70), { encodings: ['ascii', 'gbk'], reference: 1 });
    assert.equal(mixed.encoding, 'gbk');
    assert.deepEqual(
      mixed.segments.map((s) => s.payload.length),
      [133, 8],
    );
    assert.equal(mixed.segments[0].payload.subarray(0, 3).toString('hex'), '61d6d0');
  });

  it('names the character no allowed encoding can carry', () => {
    assert.throws(
      () => segmentText('ok 中', { encodings: ['ascii'], reference: 1 }),
      (e: unknown) => e instanceof UnencodableTextError && e.index === 3,
    );
  });
});

describe('segmentBinary', () => {
  it('keeps 140 octets whole and splits longer data in 134-octet parts', () => {
    assert.equal(segmentBinary(Buffer.alloc(140, 1), { reference: 1 }).segments.length, 1);
    const parts = segmentBinary(Buffer.alloc(300, 1), { reference: 9 }).segments;
    assert.deepEqual(
      parts.map((p) => p.payload.length),
      [134, 134, 32],
    );
    assert.equal(parts[2].udh?.toString('hex'), '050003090303');
  });
});
