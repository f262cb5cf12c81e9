import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiziError } from '@dizi/errors';
import { formatMicros, mulDivRound, parsePrice } from './money';

test('prices are read from their decimal text, exactly', () => {
  assert.equal(parsePrice('0.10', 'sms'), 100_000);
  assert.equal(parsePrice(0.1, 'sms'), 100_000);
  assert.equal(parsePrice('5', 'fee'), 5_000_000);
  assert.equal(parsePrice(' 0.000001 ', 'x'), 1);
  assert.equal(parsePrice(0.3, 'x'), 300_000, 'not 299999.99... through floats');
  assert.equal(parsePrice('1000000000.5', 'x'), 1_000_000_000_500_000);
});

test('bad prices are refused naming the field', () => {
  for (const bad of ['-1', '0.1234567', 'abc', '', '1,5', 1e-7, -0.5, NaN, '1e3', null, {}]) {
    assert.throws(
      () => parsePrice(bad, 'smsSegment'),
      (e: DiziError) => e.code === 'invalid' && e.field === 'smsSegment',
      String(bad),
    );
  }
  assert.throws(() => parsePrice('1000000001', 'fee'), /at most 1000000000/);
});

test('micros print without trailing zeros', () => {
  assert.equal(formatMicros(100_000), '0.1');
  assert.equal(formatMicros(5_000_000), '5');
  assert.equal(formatMicros(0), '0');
  assert.equal(formatMicros(1), '0.000001');
  assert.equal(formatMicros(12_345_678), '12.345678');
  assert.equal(formatMicros(-2_500_000), '-2.5');
});

test('mulDivRound is exact beyond 2^53 and rounds half up', () => {
  assert.equal(mulDivRound(3, 1, 2), 2);
  assert.equal(mulDivRound(1, 1, 3), 0);
  assert.equal(mulDivRound(5, 1, 10), 1);
  assert.equal(mulDivRound(4, 1, 10), 0);
  // 10 TB-days at 1 micro per MB-day: 10 * 2^40 * 1 / 2^20 = 10 * 2^20
  assert.equal(mulDivRound(10 * 2 ** 40, 1, 2 ** 20), 10 * 2 ** 20);
  // A product far past 2^53 still divides exactly.
  assert.equal(mulDivRound(2 ** 50, 1_000_000, 2 ** 20), 2 ** 30 * 1_000_000);
});
