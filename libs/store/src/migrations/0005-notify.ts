import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const id: TableColumnOptions = {
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
};
const str = (name: string, length: number, extra: Partial<TableColumnOptions> = {}) =>
  ({ name, type: 'varchar', length: String(length), ...extra }) as TableColumnOptions;
const int = (name: string, extra: Partial<TableColumnOptions> = {}) =>
  ({ name, type: 'integer', ...extra }) as TableColumnOptions;
const big = (name: string, extra: Partial<TableColumnOptions> = {}) =>
  ({ name, type: 'bigint', ...extra }) as TableColumnOptions;
const bool = (name: string, dflt: boolean) =>
  ({ name, type: 'boolean', default: dflt ? 'true' : 'false' }) as TableColumnOptions;
// Phones, rules and alerts go with their user: a removed user's number must not keep
// acting for a mailbox (an MO from it would otherwise still find a binding).
const ownedByUser = [
  {
    columnNames: ['user_id'],
    referencedTableName: 'users',
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  },
];

/** Phone bindings, arrival alert rules, the alert log and the daily alert counters (issue 5). */
export class Notify1732752000000 implements MigrationInterface {
  name = 'Notify1732752000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'user_phones',
        columns: [
          id,
          int('user_id'),
          str('number', 32),
          bool('confirmed', false),
          str('code_hash', 64, { isNullable: true }),
          big('code_expires_at', { isNullable: true }),
          big('code_sent_at', { isNullable: true }),
          int('failed_attempts', { default: 0 }),
          big('locked_until', { isNullable: true }),
          big('created_at'),
          big('updated_at'),
        ],
        indices: [{ columnNames: ['user_id'], isUnique: true }, { columnNames: ['number'] }],
        foreignKeys: ownedByUser,
      }),
    );
    await q.createTable(
      new Table({
        name: 'alert_rules',
        columns: [
          id,
          int('user_id'),
          bool('enabled', true),
          { name: 'senders', type: 'text', default: "''" },
          { name: 'keywords', type: 'text', default: "''" },
          bool('high_priority', false),
          str('folder', 255, { isNullable: true }),
          str('quiet_start', 5, { isNullable: true }),
          str('quiet_end', 5, { isNullable: true }),
          int('daily_cap', { isNullable: true }),
          big('created_at'),
        ],
        indices: [{ columnNames: ['user_id'] }],
        foreignKeys: ownedByUser,
      }),
    );
    await q.createTable(
      new Table({
        name: 'alerts',
        columns: [
          id,
          int('user_id'),
          int('rule_id'),
          int('message_id'),
          str('phone_number', 32),
          str('from_address', 320, { default: "''" }),
          str('state', 12),
          { name: 'text', type: 'text', default: "''" },
          str('sms_id', 32, { isNullable: true }),
          str('error', 1000, { isNullable: true }),
          str('day', 10),
          big('created_at'),
          big('updated_at'),
        ],
        indices: [{ columnNames: ['user_id', 'created_at'] }, { columnNames: ['state'] }],
        foreignKeys: ownedByUser,
      }),
    );
    await q.createTable(
      new Table({
        name: 'alert_counters',
        columns: [
          int('user_id', { isPrimary: true }),
          str('day', 10, { isPrimary: true }),
          int('count', { default: 0 }),
        ],
        foreignKeys: ownedByUser,
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('alert_counters');
    await q.dropTable('alerts');
    await q.dropTable('alert_rules');
    await q.dropTable('user_phones');
  }
}
