import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodingOfMessageFormat, messageFormatOf } from './message-format';

describe('carrier message format codes', () => {
  it('reads 0/8/15 as text and keeps anything else as binary', () => {
    assert.deepEqual([0, 8, 15, 4, 0xf6].map(encodingOfMessageFormat), [
      'ascii',
      'ucs2',
      'gbk',
      'binary',
      'binary',
    ]);
  });

  it('maps each sendable encoding back to its code; packed GSM has none', () => {
    assert.deepEqual((['ascii', 'ucs2', 'gbk', 'binary', 'gsm7'] as const).map(messageFormatOf), [
      0,
      8,
      15,
      4,
      undefined,
    ]);
  });
});
