import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Database as SqliteConnection } from 'better-sqlite3';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { Database } from './database';
import { openDataSource } from './data-source';
import { rows } from './raw-sql';

describe('Database.txGroupCommit', () => {
  let dir: string;
  let tdb: TestDatabase;
  let db: Database;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dizi-db-'));
    tdb = await createTestDatabase();
    db = new Database(await openDataSource({ databaseUrl: tdb.url, dataDir: dir }));
  });
  after(async () => {
    await db.close();
    await tdb.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const domains = () =>
    db.run(async (m) =>
      (await rows<{ name: string }>(m, 'SELECT name FROM domains ORDER BY name')).map(
        (r) => r.name,
      ),
    );
  const insert = (m: Parameters<Parameters<Database['tx']>[0]>[0], name: string) =>
    rows(
      m,
      'INSERT INTO domains (name, enabled, quota_bytes, max_users, created_at) VALUES (?, ?, 0, 0, 0)',
      [name, true],
    );

  test('commits all of a unit of work, or none of it', async () => {
    await db.txGroupCommit(async (m) => {
      await insert(m, 'a.test');
      await insert(m, 'b.test');
    });
    await assert.rejects(
      db.txGroupCommit(async (m) => {
        await insert(m, 'c.test');
        await insert(m, 'a.test'); // unique name: the whole unit is rolled back
      }),
    );
    assert.deepEqual(await domains(), ['a.test', 'b.test']);
  });

  test('concurrent units and ordinary transactions interleave safely', async () => {
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) =>
        db.txGroupCommit((m) => insert(m, `g${String(i).padStart(2, '0')}.test`)),
      ),
      db.tx((m) => insert(m, 'plain.test')),
    ]);
    const names = await domains();
    assert.equal(names.filter((n) => n.startsWith('g')).length, 20);
    assert.ok(names.includes('plain.test'));
  });

  test('on SQLite: commits are visible to another connection; checkpoints moved to a worker', async (t) => {
    if (!db.isSqlite) return t.skip('SQLite only');
    const c = (db.dataSource.driver as unknown as { databaseConnection: SqliteConnection })
      .databaseConnection;
    assert.equal(c.pragma('wal_autocheckpoint', { simple: true }), 0);
    assert.equal(c.pragma('synchronous', { simple: true }), 2, 'back to FULL after each unit');
    const Sqlite = (await import('better-sqlite3')).default;
    const other = new Sqlite(c.name, { readonly: true });
    try {
      const n = (other.prepare('SELECT COUNT(*) AS n FROM domains').get() as { n: number }).n;
      assert.equal(n, (await domains()).length);
    } finally {
      other.close();
    }
  });
});
