import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

const bigNull = (name: string) => new TableColumn({ name, type: 'bigint', isNullable: true });

/**
 * Durable arrival alerts and their SMS states (issue 5): alerts keyed by user and stored
 * message, a per-user watermark of decided deliveries, the time of every state, and a
 * domain's own alert template and length.
 */
export class AlertDelivery1733184000000 implements MigrationInterface {
  name = 'AlertDelivery1733184000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'alerts',
      new TableColumn({ name: 'blob_id', type: 'varchar', length: '64', isNullable: true }),
    );
    for (const c of ['queued_at', 'submitted_at', 'finished_at'])
      await q.addColumn('alerts', bigNull(c));
    // `sent` meant "handed to the SMS service": that is `queued` now; the SMS row says the rest.
    await q.query(
      "UPDATE alerts SET state = 'queued', queued_at = updated_at WHERE state = 'sent'",
    );
    // Old rows have no blob id (NULLs never collide in a unique index, on either database).
    await q.createIndex(
      'alerts',
      new TableIndex({ columnNames: ['user_id', 'blob_id'], isUnique: true }),
    );
    await q.createIndex('alerts', new TableIndex({ columnNames: ['sms_id'] }));

    await q.createTable(
      new Table({
        name: 'alert_watermarks',
        columns: [
          { name: 'user_id', type: 'integer', isPrimary: true },
          { name: 'message_id', type: 'integer', default: 0 },
          { name: 'updated_at', type: 'bigint' },
        ],
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
    // Users who have rules already start from what they have: no alert for old mail.
    await q.query(
      'INSERT INTO alert_watermarks (user_id, message_id, updated_at) ' +
        'SELECT r.user_id, COALESCE((SELECT MAX(m.id) FROM messages m JOIN folders f ON f.id = m.folder_id ' +
        'WHERE f.user_id = r.user_id), 0), 0 FROM (SELECT DISTINCT user_id FROM alert_rules) r',
    );

    await q.createTable(
      new Table({
        name: 'domain_alert_settings',
        columns: [
          { name: 'domain_id', type: 'integer', isPrimary: true },
          { name: 'template', type: 'text', isNullable: true },
          { name: 'segments', type: 'integer', isNullable: true },
          { name: 'updated_at', type: 'bigint' },
        ],
        foreignKeys: [
          {
            columnNames: ['domain_id'],
            referencedTableName: 'domains',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('domain_alert_settings');
    await q.dropTable('alert_watermarks');
    const table = await q.getTable('alerts');
    for (const idx of table?.indices ?? []) {
      const cols = idx.columnNames.join(',');
      if (cols === 'user_id,blob_id' || cols === 'sms_id') await q.dropIndex('alerts', idx);
    }
    await q.query(
      "UPDATE alerts SET state = 'sent' WHERE state IN ('queued', 'submitted', 'delivered')",
    );
    for (const c of ['finished_at', 'submitted_at', 'queued_at', 'blob_id'])
      await q.dropColumn('alerts', c);
  }
}
