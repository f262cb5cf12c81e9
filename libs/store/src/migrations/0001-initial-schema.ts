import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

// Written with TypeORM's schema builder rather than raw SQL so the one migration
// produces the right DDL on SQLite and PostgreSQL alike.
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

export class InitialSchema1732406400000 implements MigrationInterface {
  name = 'InitialSchema1732406400000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'domains',
        columns: [
          id,
          str('name', 253, { isUnique: true }),
          bool('enabled', true),
          big('quota_bytes', { default: 0 }),
          int('max_users', { default: 0 }),
          big('created_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          id,
          int('domain_id'),
          str('address', 320, { isUnique: true }),
          str('password_hash', 255),
          str('display_name', 255, { default: "''" }),
          str('role', 20, { default: "'user'" }),
          big('quota_bytes', { default: 0 }),
          big('used_bytes', { default: 0 }),
          bool('enabled', true),
          bool('quota_warned', false),
          big('created_at'),
        ],
        indices: [{ columnNames: ['domain_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'aliases',
        columns: [id, str('address', 320), str('target', 320)],
        indices: [
          { columnNames: ['address'] },
          { columnNames: ['address', 'target'], isUnique: true },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'groups',
        columns: [
          id,
          str('address', 320, { isUnique: true }),
          str('name', 255, { default: "''" }),
          str('post_policy', 20, { default: "'anyone'" }),
          str('allowed_sender', 320, { isNullable: true }),
          big('created_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'group_members',
        columns: [id, int('group_id'), str('member', 320)],
        indices: [{ columnNames: ['group_id', 'member'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'folders',
        columns: [
          id,
          int('user_id'),
          str('name', 1024),
          str('special_use', 20, { isNullable: true }),
          big('uid_validity'),
          int('uid_next', { default: 1 }),
          big('highest_modseq', { default: 1 }),
          bool('subscribed', true),
        ],
        indices: [{ columnNames: ['user_id', 'name'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'messages',
        columns: [
          id,
          int('folder_id'),
          int('uid'),
          str('blob_id', 64),
          big('modseq'),
          str('flags', 1024, { default: "''" }),
          big('size'),
          big('internal_date'),
          str('subject', 998, { default: "''" }),
          str('from_addr', 998, { default: "''" }),
          str('to_addr', 998, { default: "''" }),
          str('message_id', 998, { default: "''" }),
        ],
        indices: [
          { columnNames: ['folder_id', 'uid'], isUnique: true },
          { columnNames: ['blob_id'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'blobs',
        columns: [str('id', 64, { isPrimary: true }), big('size'), int('refs', { default: 0 })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'inbound_deliveries',
        columns: [
          str('spool_id', 64, { isPrimary: true }),
          str('recipient', 320, { isPrimary: true }),
          big('created_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'outbound_messages',
        columns: [
          str('id', 64, { isPrimary: true }),
          str('blob_id', 64),
          str('sender', 320, { default: "''" }),
          big('size'),
          str('env_id', 100, { isNullable: true }),
          str('ret', 8, { isNullable: true }),
          big('created_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'outbound_recipients',
        columns: [
          id,
          str('message_id', 64),
          str('recipient', 320),
          str('domain', 253),
          str('status', 12, { default: "'queued'" }),
          int('attempts', { default: 0 }),
          big('next_attempt_at'),
          int('last_code', { isNullable: true }),
          str('last_error', 1000, { isNullable: true }),
          str('remote_host', 255, { isNullable: true }),
          str('notify', 40, { isNullable: true }),
          big('updated_at'),
        ],
        indices: [{ columnNames: ['message_id'] }, { columnNames: ['status', 'next_attempt_at'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'outbound_recipients',
      'outbound_messages',
      'inbound_deliveries',
      'blobs',
      'messages',
      'folders',
      'group_members',
      'groups',
      'aliases',
      'users',
      'domains',
    ]) {
      await q.dropTable(t);
    }
  }
}
