import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Database as SqliteConnection } from 'better-sqlite3';
import { DataSource, EntityManager } from 'typeorm';
import { fdSyncer, GroupSync } from './dir-syncer';
import { sqliteStatement } from './raw-sql';

/** How often the checkpointer worker copies the WAL into the database file. */
const CHECKPOINT_INTERVAL_MS = 1000;

/**
 * The one door to SQL. TypeORM's better-sqlite3 driver shares a single connection, so
 * two interleaved transactions would silently merge (the second BEGIN becomes a
 * SAVEPOINT of the first). On SQLite every unit of work is therefore run one at a time
 * through a queue; on PostgreSQL work runs concurrently on the pool.
 */
export class Database {
  private tail: Promise<unknown> = Promise.resolve();
  readonly isSqlite: boolean;
  /** SQLite: the WAL file, kept open for shared syncs (see txGroupCommit). */
  private wal: { fd: number; sync: GroupSync } | null = null;
  /** SQLite: the worker thread that checkpoints the WAL (see startCheckpointer). */
  private checkpointer: Worker | null = null;

  constructor(readonly dataSource: DataSource) {
    this.isSqlite = dataSource.options.type === 'better-sqlite3';
  }

  /** Runs `fn` in one transaction: all of it is committed, or none of it. */
  tx<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.serial(() => this.dataSource.transaction(fn));
  }

  /**
   * `tx` for hot units of work written in hand-written SQL only (`rows()`; no TypeORM
   * entity calls, which would try to open a transaction of their own): on SQLite the
   * commit does not fsync on the event loop, where it would stop every SMTP session for
   * the length of a disk flush. The transaction commits with synchronous=NORMAL (the
   * WAL is written, not synced) and the promise resolves once an fdatasync of the WAL
   * file, run on the thread pool and shared by every commit made meanwhile (group
   * commit), has made it durable, so the caller gets the same promise as from `tx`.
   * Other connections and other transactions keep synchronous=FULL. On PostgreSQL this
   * is `tx`.
   */
  async txGroupCommit<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const c = this.sqliteConnection();
    if (!c || !this.inWalMode(c)) return this.tx(fn);
    // Prepared once: better-sqlite3's pragma() and exec() parse the text every call.
    const run = (sql: string) => sqliteStatement(c, sql).run();
    const result = await this.serial(async () => {
      run('PRAGMA synchronous = NORMAL');
      try {
        run('BEGIN');
        try {
          const r = await fn(this.dataSource.manager);
          run('COMMIT');
          return r;
        } catch (err) {
          if (c.inTransaction) run('ROLLBACK');
          throw err;
        }
      } finally {
        run('PRAGMA synchronous = FULL');
      }
    });
    await this.walSync(c).sync();
    return result;
  }

  /** Runs reads (or single-statement writes) outside an explicit transaction. */
  run<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.serial(() => fn(this.dataSource.manager));
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    if (!this.isSqlite) return work();
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private walMode: boolean | undefined;
  private inWalMode(c: SqliteConnection): boolean {
    this.walMode ??= c.pragma('journal_mode', { simple: true }) === 'wal';
    return this.walMode;
  }

  private sqliteConnection(): SqliteConnection | undefined {
    if (!this.isSqlite) return undefined;
    return (this.dataSource.driver as unknown as { databaseConnection?: SqliteConnection })
      .databaseConnection;
  }

  /**
   * The WAL file stays open until the database closes: closing a descriptor of a file
   * SQLite has open would drop the process's POSIX locks on it. The file exists from
   * the first write (the migrations) and keeps its inode while a connection is open.
   */
  private walSync(c: SqliteConnection): GroupSync {
    if (!this.wal) {
      const fd = openSync(`${c.name}-wal`, 'r');
      this.wal = { fd, sync: fdSyncer(fd, true) };
      this.startCheckpointer(c);
    }
    return this.wal.sync;
  }

  /**
   * Moves WAL checkpoints off the event loop: a worker thread with its own connection
   * runs a PASSIVE checkpoint every second, and this connection's automatic checkpoint
   * (a copy and two fsyncs inside some commit, every 1000 pages) is turned off. Started
   * with the first group commit, so a CLI run keeps SQLite's default. If the worker
   * fails, the automatic checkpoint comes back.
   */
  private startCheckpointer(c: SqliteConnection): void {
    const restore = () => {
      if (this.checkpointer && c.open) c.pragma('wal_autocheckpoint = 1000');
      this.checkpointer = null;
    };
    try {
      const worker = new Worker(path.join(__dirname, 'wal-checkpointer.worker.js'), {
        workerData: { file: c.name, intervalMs: CHECKPOINT_INTERVAL_MS },
      });
      worker.unref();
      worker.on('error', restore);
      worker.on('exit', restore);
      this.checkpointer = worker;
      c.pragma('wal_autocheckpoint = 0');
    } catch {
      this.checkpointer = null; // no worker: SQLite's automatic checkpoint stays
    }
  }

  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    const worker = this.checkpointer;
    this.checkpointer = null;
    if (worker) {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.ref(); // unref'd while it runs; the close must wait for it
      worker.postMessage('stop');
      await exited;
    }
    const wal = this.wal;
    this.wal = null;
    await wal?.sync.settle();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    if (wal) closeSync(wal.fd);
  }
}
