import type { Database as SqliteConnection, Statement } from 'better-sqlite3';
import { EntityManager, QueryFailedError } from 'typeorm';

/**
 * Hot paths (delivery, recipient lookups) use hand-written SQL: TypeORM's query builder
 * costs more CPU per statement than the statement itself. Written with `?` placeholders
 * and turned into `$1…$n` for PostgreSQL.
 */
export function sqlFor(m: EntityManager, text: string): string {
  if (m.connection.options.type !== 'postgres') return text;
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/**
 * Runs a statement and returns its rows (RETURNING rows for writes). Uses TypeORM's
 * structured result: EntityManager.query answers UPDATE differently on each driver.
 */
export async function rows<T>(
  m: EntityManager,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const sqlite = sqliteConnection(m);
  if (sqlite) return sqliteRun<T>(sqlite, text, params);
  const own = !m.queryRunner;
  const qr = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const r = await qr.query(sqlFor(m, text), params, true);
    return (r.records ?? []) as T[];
  } finally {
    if (own) await qr.release();
  }
}

/**
 * The better-sqlite3 connection behind `m`, when that is the driver. TypeORM's SQLite
 * driver has one connection, inside and outside transactions (Database serializes the
 * work on it), so statements run on it directly join the current transaction.
 */
export function sqliteConnection(m: EntityManager): SqliteConnection | undefined {
  if (m.connection.options.type !== 'better-sqlite3') return undefined;
  return (m.connection.driver as unknown as { databaseConnection?: SqliteConnection })
    .databaseConnection;
}

const statementCache = new WeakMap<SqliteConnection, Map<string, Statement>>();
/** Distinct statement texts kept prepared per connection (the hot ones are a few dozen). */
const STATEMENT_CACHE_SIZE = 500;

/** A prepared statement for `text`, prepared once per connection. */
export function sqliteStatement(connection: SqliteConnection, text: string): Statement {
  let cache = statementCache.get(connection);
  if (!cache) statementCache.set(connection, (cache = new Map()));
  let statement = cache.get(text);
  if (!statement) {
    statement = connection.prepare(text);
    cache.set(text, statement);
    // Texts with a variable number of placeholders (IN lists) must not fill memory.
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  return statement;
}

/**
 * `rows` on better-sqlite3 without TypeORM's query runner, which costs several times
 * the statement itself (a runner per call, query events, a result object): a cached
 * prepared statement, booleans bound as 0/1 as TypeORM does, and errors wrapped the
 * same way (QueryFailedError).
 */
function sqliteRun<T>(connection: SqliteConnection, text: string, params: unknown[]): T[] {
  const values = params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
  try {
    const statement = sqliteStatement(connection, text);
    if (statement.reader) return statement.all(...values) as T[];
    statement.run(...values);
    return [];
  } catch (err) {
    throw new QueryFailedError(text, values, err as Error);
  }
}

export function bool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't' || v === 'true';
}
