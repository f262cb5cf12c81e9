import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReverseDnsCache } from './reverse-dns-cache';

const ask = (c: ReverseDnsCache, ip: string) =>
  new Promise<{ err: Error | null; names?: string[] }>((resolve) =>
    c.reverse(ip, (err, names) => resolve({ err, names })),
  );

test('answers and failures are cached for their own times', async () => {
  let now = 0;
  let lookups = 0;
  const c = new ReverseDnsCache(
    1000,
    100,
    10,
    async (ip) => {
      lookups++;
      if (ip === '10.0.0.9') throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      return [`host-${ip}.test`];
    },
    () => now,
  );
  assert.deepEqual((await ask(c, '10.0.0.1')).names, ['host-10.0.0.1.test']);
  assert.deepEqual((await ask(c, '10.0.0.1')).names, ['host-10.0.0.1.test']);
  assert.equal(lookups, 1);
  assert.match(String((await ask(c, '10.0.0.9')).err), /ENOTFOUND/);
  await ask(c, '10.0.0.9');
  assert.equal(lookups, 2);
  now = 150;
  await ask(c, '10.0.0.9');
  assert.equal(lookups, 3, 'a failure is retried after its shorter time');
  now = 1001;
  await ask(c, '10.0.0.1');
  assert.equal(lookups, 4, 'an answer expires too');
});
