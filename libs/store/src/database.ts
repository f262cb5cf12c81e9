import { DataSource, EntityManager } from 'typeorm';

/**
 * The one door to SQL. TypeORM's better-sqlite3 driver shares a single connection, so
 * two interleaved transactions would silently merge (the second BEGIN becomes a
 * SAVEPOINT of the first). On SQLite every unit of work is therefore run one at a time
 * through a queue; on PostgreSQL work runs concurrently on the pool.
 */
export class Database {
  private tail: Promise<unknown> = Promise.resolve();
  readonly isSqlite: boolean;

  constructor(readonly dataSource: DataSource) {
    this.isSqlite = dataSource.options.type === 'better-sqlite3';
  }

  /** Runs `fn` in one transaction: all of it is committed, or none of it. */
  tx<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.serial(() => this.dataSource.transaction(fn));
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

  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
