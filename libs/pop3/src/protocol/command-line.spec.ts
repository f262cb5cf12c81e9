import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine, parseDecimal } from './command-line';

describe('parseCommandLine', () => {
  it('upper-cases the keyword and splits the arguments', () => {
    assert.deepEqual(parseCommandLine(Buffer.from('top 1  10')), {
      keyword: 'TOP',
      rest: '1  10',
      args: ['1', '10'],
    });
    assert.deepEqual(parseCommandLine(Buffer.from('STAT')), {
      keyword: 'STAT',
      rest: '',
      args: [],
    });
  });

  it('keeps the rest of the line as sent, for passwords with spaces', () => {
    assert.equal(parseCommandLine(Buffer.from('PASS  my secret '))?.rest, ' my secret ');
  });

  it('refuses anything that is not a 3-4 letter keyword', () => {
    for (const line of ['', ' STAT', 'ST', 'STATS', 'RET1 1', '\0\0\0\0', 'ÄÖÜ 1']) {
      assert.equal(parseCommandLine(Buffer.from(line, 'latin1')), undefined, line);
    }
  });
});

describe('parseDecimal', () => {
  it('reads plain decimals only', () => {
    assert.equal(parseDecimal('1'), 1);
    assert.equal(parseDecimal('0'), 0);
    assert.equal(parseDecimal('0007'), 7);
    assert.equal(parseDecimal('9999999999'), 9_999_999_999);
  });

  it('refuses signs, fractions, exponents, huge and missing values', () => {
    for (const token of ['-1', '+1', '1.5', '1e3', '0x10', '99999999999999999999', '', ' 1']) {
      assert.equal(parseDecimal(token), undefined, token);
    }
    assert.equal(parseDecimal(undefined), undefined);
  });
});
