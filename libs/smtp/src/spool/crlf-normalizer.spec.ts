import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrlfNormalizer } from './crlf-normalizer';

const run = (...chunks: string[]) => {
  const n = new CrlfNormalizer();
  return Buffer.concat(chunks.map((c) => n.push(Buffer.from(c, 'latin1')))).toString('latin1');
};

test('bare LF becomes CRLF, CRLF is kept', () => {
  assert.equal(run('a\nb\r\nc\n'), 'a\r\nb\r\nc\r\n');
});

test('a CR at the end of one chunk pairs with the LF starting the next', () => {
  assert.equal(run('a\r', '\nb'), 'a\r\nb');
  assert.equal(run('a', '\nb'), 'a\r\nb');
});

test('bare CR and empty chunks pass through', () => {
  assert.equal(run('a\rb', '', '\n\n'), 'a\rb\r\n\r\n');
});
