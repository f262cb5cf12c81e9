import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** SMS links configured through the admin API (issue 4); config-file links are not stored. */
export class SmsLinks1732924800000 implements MigrationInterface {
  name = 'SmsLinks1732924800000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'sms_links',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'settings', type: 'text' },
          { name: 'enabled', type: 'boolean', default: 'true' },
          { name: 'revision', type: 'integer', default: 1 },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('sms_links');
  }
}
