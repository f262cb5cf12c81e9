import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthGuard } from './auth-guard';
import { ConnectionLimiter } from './connection-limiter';

test('AuthGuard locks a login out after the allowed failures, per IP, for the lock time', () => {
  let now = 1_000_000;
  const g = new AuthGuard(0, 3, 60, () => now);
  for (let i = 0; i < 2; i++) g.recordFailure('10.0.0.1', 'Alice@x.test');
  assert.equal(g.isLocked('10.0.0.1', 'alice@x.test'), false);
  g.recordFailure('10.0.0.1', 'alice@x.test');
  assert.equal(g.isLocked('10.0.0.1', 'ALICE@x.test'), true, 'logins compare without case');
  assert.equal(g.isLocked('10.0.0.2', 'alice@x.test'), false, 'another IP is not locked');
  now += 61_000;
  assert.equal(g.isLocked('10.0.0.1', 'alice@x.test'), false, 'the lock ends');
  g.recordFailure('10.0.0.1', 'alice@x.test');
  assert.equal(g.isLocked('10.0.0.1', 'alice@x.test'), false, 'old failures were forgotten');
});

test('AuthGuard: a success clears the failures', () => {
  const g = new AuthGuard(0, 2, 60);
  g.recordFailure('ip', 'bob');
  g.recordSuccess('ip', 'bob');
  g.recordFailure('ip', 'bob');
  assert.equal(g.isLocked('ip', 'bob'), false);
});

test('ConnectionLimiter: at once and per minute, per IP', () => {
  let now = 0;
  const l = new ConnectionLimiter(2, 3, () => now);
  assert.equal(l.admit('a'), null);
  assert.equal(l.admit('a'), null);
  assert.match(l.admit('a') ?? '', /at once/);
  assert.equal(l.admit('b'), null, 'other IPs are not affected');
  l.release('a');
  assert.equal(l.admit('a'), null, 'a slot freed');
  l.release('a');
  assert.match(l.admit('a') ?? '', /in the last minute/);
  now += 60_001;
  assert.equal(l.admit('a'), null, 'the minute window moves on');
});
