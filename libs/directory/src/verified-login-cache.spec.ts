import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VerifiedLoginCache } from './verified-login-cache';

test('a verified pair is remembered until the TTL, for the same stored hash only', () => {
  let now = 0;
  const c = new VerifiedLoginCache(1000, () => now);
  c.remember('a@x.test', 'pw-one', 'hash1');
  assert.equal(c.has('a@x.test', 'pw-one', 'hash1'), true);
  assert.equal(c.has('a@x.test', 'pw-two', 'hash1'), false, 'another password');
  assert.equal(c.has('b@x.test', 'pw-one', 'hash1'), false, 'another user');
  assert.equal(c.has('a@x.test', 'pw-one', 'hash2'), false, 'the password was changed');
  c.remember('a@x.test', 'pw-one', 'hash1');
  now = 1001;
  assert.equal(c.has('a@x.test', 'pw-one', 'hash1'), false, 'expired');
});
