import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DirSyncer } from './dir-syncer';

test('concurrent sync requests share fsyncs; each is covered by one that started after it', async () => {
  const s = new DirSyncer(mkdtempSync(path.join(tmpdir(), 'dizi-sync-')));
  let fsyncs = 0;
  const inner = (s as unknown as { syncOnce: () => Promise<void> }).syncOnce.bind(s);
  (s as unknown as { syncOnce: () => Promise<void> }).syncOnce = async () => {
    fsyncs++;
    await inner();
  };
  await Promise.all(Array.from({ length: 50 }, () => s.sync()));
  assert.ok(fsyncs >= 1 && fsyncs <= 2, `50 concurrent requests made ${fsyncs} fsyncs`);
  await s.sync();
  assert.equal(fsyncs <= 3, true);
  await s.close();
});
