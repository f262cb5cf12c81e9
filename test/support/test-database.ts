import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * The database a test server uses: the embedded SQLite file by default; a fresh
 * PostgreSQL database (created here, dropped by `drop()`) when the suite runs its
 * PostgreSQL pass (DIZI_TEST_DB=postgres, see scripts/test.mjs).
 */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (process.env.DIZI_TEST_DB !== 'postgres') return { url: '', drop: async () => undefined };
  const admin = process.env.DIZI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `dizi_t_${randomBytes(6).toString('hex')}`;
  const c = new Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const d = new Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}
