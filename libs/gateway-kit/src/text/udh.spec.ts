import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UdhError } from '../errors';
import { concatUdh, parseUdh } from './udh';

describe('UDH', () => {
  it('builds the 8-bit and 16-bit reference concatenation headers', () => {
    assert.equal(
      concatUdh({ reference: 0x1a, referenceBits: 8, total: 3, seq: 2 }).toString('hex'),
      '0500031a0302',
    );
    assert.equal(
      concatUdh({ reference: 0xbeef, referenceBits: 16, total: 4, seq: 4 }).toString('hex'),
      '060804beef0404',
    );
  });

  it('parses both forms and reports the header length', () => {
    const eight = parseUdh(Buffer.from('0500031a0302ffff', 'hex'));
    assert.equal(eight.headerLength, 6);
    assert.deepEqual(eight.concat, { reference: 0x1a, referenceBits: 8, total: 3, seq: 2 });
    const sixteen = parseUdh(Buffer.from('060804beef0404', 'hex'));
    assert.deepEqual(sixteen.concat, { reference: 0xbeef, referenceBits: 16, total: 4, seq: 4 });
  });

  it('keeps other elements and finds concatenation among them', () => {
    // A port-addressing element (0x05) before the concatenation element.
    const udh = parseUdh(Buffer.from('0b05040b8423f00003070201', 'hex'));
    assert.equal(udh.elements.length, 2);
    assert.equal(udh.elements[0].iei, 0x05);
    assert.deepEqual(udh.concat, { reference: 7, referenceBits: 8, total: 2, seq: 1 });
  });

  it('rejects headers that run past the data or describe impossible segments', () => {
    assert.throws(() => parseUdh(Buffer.from('0500031a', 'hex')), UdhError);
    assert.throws(() => parseUdh(Buffer.from('03000501', 'hex')), UdhError);
    assert.throws(() => parseUdh(Buffer.from('0500031a0204', 'hex')), /segment 4 of 2/);
    assert.throws(() => parseUdh(Buffer.from('0500031a0000', 'hex')), UdhError);
    assert.throws(() => parseUdh(Buffer.alloc(0)), UdhError);
  });
});
