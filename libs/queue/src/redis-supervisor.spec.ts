import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { createLogger } from '@dizi/logging';
import { RedisSupervisor } from './redis-supervisor';

const log = createLogger('silent');

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(25);
  }
  return check();
}

describe('RedisSupervisor', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'dizi-redis-sup-'));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  test('a redis-server that dies is restarted on the same socket', async () => {
    let restarted = 0;
    const sup = new RedisSupervisor(tempDir(), log, () => restarted++);
    await sup.start();
    try {
      const first = sup.pid;
      assert.ok(first);
      process.kill(first, 'SIGKILL');
      assert.ok(await until(() => restarted === 1, 5000), 'restarted within 5 s');
      assert.ok(sup.pid && sup.pid !== first);
      assert.ok(existsSync(sup.socketPath));
    } finally {
      await sup.stop();
    }
  });

  test('after beginStop, a redis-server killed by the same signal as the server stays down', async () => {
    let restarted = 0;
    const sup = new RedisSupervisor(tempDir(), log, () => restarted++);
    await sup.start();
    const pid = sup.pid;
    assert.ok(pid);
    sup.beginStop();
    process.kill(pid, 'SIGTERM');
    assert.ok(await until(() => !running(pid), 5000), 'redis-server exited');
    // The restart back-off is 500 ms: wait well past it.
    await sleep(1200);
    assert.equal(restarted, 0);
    assert.equal(sup.pid, undefined);
    await sup.stop(); // nothing left to stop: returns at once
    assert.equal(existsSync(sup.socketPath), false);
  });
});
