import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Redis from 'ioredis';
import { createLogger } from '@dizi/logging';
import { redisOptions, RedisSupervisor } from '@dizi/queue';
import { AdminAlerts, AdminAlertSettings } from './admin-alerts';

let dir: string;
let redis: RedisSupervisor;
let client: Redis;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dizi-admin-alerts-'));
  redis = new RedisSupervisor(dir, createLogger('silent'));
  await redis.start();
  client = new Redis(redisOptions(redis.url()));
});
after(async () => {
  client.disconnect();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

const settings = (over: Partial<AdminAlertSettings> = {}): AdminAlertSettings => ({
  phones: ['13800000001', '13800000002'],
  cooldownSeconds: 60,
  checkSeconds: 60,
  queueBacklog: 100,
  diskFreeMb: 0,
  linkDownSeconds: 30,
  ...over,
});

test('a link is reported only after it stayed down long enough, to every admin, once per cool-down', async () => {
  let now = 1_000_000;
  const sent: Array<[string, string]> = [];
  let state = 'down';
  const alerts = new AdminAlerts(
    settings(),
    {
      links: () => [{ id: 'cm-1', state }],
      outboundBacklog: async () => 0,
      dataDir: dir,
      send: async (to, text) => void sent.push([to, text]),
    },
    client,
    createLogger('silent'),
    () => now,
  );
  assert.deepEqual(await alerts.check(), [], 'down for 0 s: reconnects are normal');
  now += 31_000;
  assert.deepEqual(await alerts.check(), ['link-down:cm-1']);
  assert.deepEqual(
    sent.map(([to]) => to),
    ['13800000001', '13800000002'],
  );
  now += 31_000;
  assert.deepEqual(await alerts.check(), [], 'inside the cool-down');
  state = 'up';
  await alerts.check();
  state = 'down';
  assert.deepEqual(await alerts.check(), [], 'back down: the down time counts from now');
});

test('queue backlog and low disk are reported; no phones means no alerts', async () => {
  const sent: string[] = [];
  const sources = {
    links: () => [],
    outboundBacklog: async () => 5000,
    dataDir: dir,
    send: async (_to: string, text: string) => void sent.push(text),
  };
  const alerts = new AdminAlerts(
    settings({ phones: ['13900000000'], diskFreeMb: 1e9 }),
    sources,
    client,
    createLogger('silent'),
  );
  assert.deepEqual((await alerts.check()).sort(), ['disk-low', 'queue-backlog']);
  assert.ok(sent.some((t) => /backlog: 5000 recipients/.test(t)));
  assert.ok(sent.some((t) => /disk low: \d+ MB free/.test(t)));
  const off = new AdminAlerts(settings({ phones: [] }), sources, client, createLogger('silent'));
  assert.equal(off.enabled, false);
  assert.equal(await off.crashed('redis', 'test'), false);
});
