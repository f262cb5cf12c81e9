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
const big = (name: string) => ({ name, type: 'bigint' }) as TableColumnOptions;

/**
 * The minimal address book (contacts, H3) and the log of SMS sent because of a mail
 * (mail_sms: mail to `<number>@<smsDomain>`, H5, and send-time notices, H3).
 */
export class Contacts1733097600000 implements MigrationInterface {
  name = 'Contacts1733097600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'contacts',
        columns: [
          id,
          { name: 'user_id', type: 'integer' },
          str('name', 255, { default: "''" }),
          str('email', 320, { default: "''" }),
          str('mobile', 32, { default: "''" }),
          big('created_at'),
          big('updated_at'),
        ],
        indices: [{ columnNames: ['user_id', 'email'] }],
        // An address book goes with its owner.
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'mail_sms',
        columns: [
          id,
          str('spool_id', 64),
          str('kind', 12),
          str('recipient', 320),
          str('number', 32),
          str('sms_id', 32),
          { name: 'user_id', type: 'integer', isNullable: true },
          str('sender', 320, { default: "''" }),
          str('env_id', 100, { isNullable: true }),
          big('arrived_at'),
          { name: 'headers', type: 'text', default: "''" },
          str('state', 12),
          str('error', 1000, { isNullable: true }),
          big('created_at'),
          big('updated_at'),
        ],
        indices: [
          { columnNames: ['spool_id', 'kind', 'recipient'], isUnique: true },
          { columnNames: ['sms_id'] },
        ],
        // The row stays (a bounce may still be due) when the user who paid is removed.
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('mail_sms');
    await q.dropTable('contacts');
  }
}
