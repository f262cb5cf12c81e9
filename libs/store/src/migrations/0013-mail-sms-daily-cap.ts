import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/** Mail sent as SMS is counted per user and day (notify.mailToSmsDailyCap). */
export class MailSmsDailyCap1733443200000 implements MigrationInterface {
  name = 'MailSmsDailyCap1733443200000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('mail_sms', new TableIndex({ columnNames: ['user_id', 'created_at'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    const table = await q.getTable('mail_sms');
    for (const idx of table?.indices ?? [])
      if (idx.columnNames.join(',') === 'user_id,created_at') await q.dropIndex('mail_sms', idx);
  }
}
