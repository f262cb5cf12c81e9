import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface DataSourceOptions {
  /** `postgres://…` for PostgreSQL; empty for the embedded SQLite file under dataDir. */
  databaseUrl: string;
  dataDir: string;
}

/**
 * Opens the database and runs pending migrations (never `synchronize`).
 * SQLite runs in WAL mode with synchronous=FULL: a commit is on disk before it returns,
 * which the "250 only after it is on disk" promise relies on.
 */
export async function openDataSource(opts: DataSourceOptions): Promise<DataSource> {
  let ds: DataSource;
  if (/^postgres(ql)?:\/\//.test(opts.databaseUrl)) {
    ds = new DataSource({
      type: 'postgres',
      url: opts.databaseUrl,
      entities: ENTITIES,
      migrations: MIGRATIONS,
      migrationsRun: false,
      extra: { max: 20 },
    });
  } else if (!opts.databaseUrl || opts.databaseUrl.startsWith('sqlite:')) {
    const file = opts.databaseUrl
      ? opts.databaseUrl.replace(/^sqlite:(\/\/)?/, '')
      : path.join(opts.dataDir, 'dizi.sqlite');
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    ds = new DataSource({
      type: 'better-sqlite3',
      database: file,
      entities: ENTITIES,
      migrations: MIGRATIONS,
      // Several processes (server, CLI) may open the file; wait rather than fail on a lock.
      timeout: 10_000,
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        // Fewer system calls per statement: a bigger page cache, reads through mmap.
        db.pragma('cache_size = -65536');
        db.pragma('mmap_size = 268435456');
        db.pragma('temp_store = MEMORY');
        db.pragma('foreign_keys = ON');
      },
    });
  } else {
    throw new Error(
      `DATABASE_URL must start with postgres:// (or be empty for the embedded SQLite); got ${opts.databaseUrl}`,
    );
  }
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}
