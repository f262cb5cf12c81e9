import { EntityManager } from 'typeorm';

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
  const own = !m.queryRunner;
  const qr = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const r = await qr.query(sqlFor(m, text), params, true);
    return (r.records ?? []) as T[];
  } finally {
    if (own) await qr.release();
  }
}

export function bool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't' || v === 'true';
}
