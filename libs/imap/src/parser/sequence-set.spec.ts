import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSequenceSet, parseSequenceSet, sequenceSetContains } from './sequence-set';
import { ImapSyntaxError } from './syntax-error';

describe('sequence sets', () => {
  it('parses numbers, ranges and *', () => {
    assert.deepEqual(parseSequenceSet('2,4:7'), [
      { from: 2, to: 2 },
      { from: 4, to: 7 },
    ]);
    assert.deepEqual(parseSequenceSet('1:*'), [{ from: 1, to: '*' }]);
    assert.deepEqual(parseSequenceSet('*:4'), [{ from: '*', to: 4 }]);
  });

  it('evaluates * as the largest value and backward ranges', () => {
    const set = parseSequenceSet('*:4');
    assert.equal(sequenceSetContains(set, 3, 10), false);
    assert.equal(sequenceSetContains(set, 4, 10), true);
    assert.equal(sequenceSetContains(set, 10, 10), true);
    assert.equal(sequenceSetContains(set, 11, 10), false);
    assert.equal(sequenceSetContains(parseSequenceSet('2,4:7'), 3, 10), false);
    assert.equal(sequenceSetContains(parseSequenceSet('2,4:7'), 5, 10), true);
    // "*" alone in an empty box with UIDs: 10:* still contains the last UID 3.
    assert.equal(sequenceSetContains(parseSequenceSet('10:*'), 3, 3), true);
  });

  it('rejects zero, empty parts and junk', () => {
    for (const bad of ['0', '1:', ':2', '1,,2', '1:2:3', 'a', '99999999999']) {
      assert.throws(() => parseSequenceSet(bad), ImapSyntaxError, bad);
    }
  });

  it('formats compactly', () => {
    assert.equal(formatSequenceSet([7, 1, 2, 3, 9, 10]), '1:3,7,9:10');
    assert.equal(formatSequenceSet([]), '');
  });
});
