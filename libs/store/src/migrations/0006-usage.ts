import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const big = (name: string, extra: Partial<TableColumnOptions> = {}) =>
  ({ name, type: 'bigint', ...extra }) as TableColumnOptions;
const price = (name: string) => big(name, { default: 0 });
const planRef = {
  columnNames: ['plan_id'],
  referencedTableName: 'rating_plans',
  referencedColumnNames: ['id'],
  onDelete: 'CASCADE',
};

/** Usage records, rating plans and their assignment to domains and users (H16, issue 5). */
export class Usage1732838400000 implements MigrationInterface {
  name = 'Usage1732838400000';

  async up(q: QueryRunner): Promise<void> {
    // Records add up fast (a storage record per user and day): a 64-bit id on
    // PostgreSQL (bigserial); SQLite allows AUTOINCREMENT only on INTEGER, which is
    // 64-bit there.
    const idType = q.connection.options.type === 'postgres' ? 'bigint' : 'integer';
    await q.createTable(
      new Table({
        name: 'usage_records',
        columns: [
          {
            name: 'id',
            type: idType,
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          big('at'),
          { name: 'service', type: 'varchar', length: '16' },
          { name: 'purpose', type: 'varchar', length: '20', default: "''" },
          { name: 'user_id', type: 'integer', isNullable: true },
          { name: 'domain_id', type: 'integer', isNullable: true },
          big('quantity'),
          { name: 'ref', type: 'varchar', length: '128' },
        ],
        indices: [
          { columnNames: ['service', 'ref'], isUnique: true },
          { columnNames: ['at', 'id'] },
          { columnNames: ['user_id', 'at'] },
          { columnNames: ['domain_id', 'at'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'rating_plans',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'name', type: 'varchar', length: '64', isUnique: true },
          { name: 'currency', type: 'varchar', length: '3', default: "'CNY'" },
          price('sms_segment'),
          price('mms'),
          price('alert'),
          price('storage_mb_day'),
          price('traffic_mb'),
          price('period_fee'),
          { name: 'period', type: 'varchar', length: '5', default: "'month'" },
          big('created_at'),
          big('updated_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'domain_plans',
        columns: [
          { name: 'domain_id', type: 'integer', isPrimary: true },
          { name: 'plan_id', type: 'integer' },
        ],
        foreignKeys: [
          {
            columnNames: ['domain_id'],
            referencedTableName: 'domains',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          planRef,
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'user_plans',
        columns: [
          { name: 'user_id', type: 'integer', isPrimary: true },
          { name: 'plan_id', type: 'integer' },
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          planRef,
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('user_plans');
    await q.dropTable('domain_plans');
    await q.dropTable('rating_plans');
    await q.dropTable('usage_records');
  }
}
