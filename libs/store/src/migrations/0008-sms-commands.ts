import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * SMS account commands and replies to alerts (issue 5, H4/H5): per-domain SMS settings,
 * the source extension an SMS goes out with, what an alert needs to route a reply, and
 * the confirmation codes of account commands (cancelling a mailbox).
 */
export class SmsCommands1733011200000 implements MigrationInterface {
  name = 'SmsCommands1733011200000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('domains', [
      new TableColumn({ name: 'sms_register', type: 'varchar', length: '8', default: "'closed'" }),
      new TableColumn({
        name: 'sms_commands',
        type: 'varchar',
        length: '200',
        default: "'register,password,cancel,unread'",
      }),
      new TableColumn({ name: 'sms_number', type: 'varchar', length: '32', isNullable: true }),
    ]);
    await q.addColumn(
      'sms_messages',
      new TableColumn({ name: 'source_extension', type: 'varchar', length: '8', isNullable: true }),
    );
    await q.addColumns('alerts', [
      new TableColumn({ name: 'reply_extension', type: 'varchar', length: '8', isNullable: true }),
      new TableColumn({ name: 'mail_subject', type: 'varchar', length: '998', default: "''" }),
      new TableColumn({ name: 'mail_message_id', type: 'varchar', length: '998', default: "''" }),
    ]);
    await q.createIndex('alerts', new TableIndex({ columnNames: ['user_id', 'reply_extension'] }));
    await q.createTable(
      new Table({
        name: 'account_codes',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'user_id', type: 'integer' },
          { name: 'action', type: 'varchar', length: '16' },
          { name: 'code_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'expires_at', type: 'bigint', isNullable: true },
          { name: 'sent_at', type: 'bigint', isNullable: true },
          { name: 'failed_attempts', type: 'integer', default: 0 },
          { name: 'locked_until', type: 'bigint', isNullable: true },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [{ columnNames: ['user_id', 'action'], isUnique: true }],
        // A removed user's pending codes go with it.
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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('account_codes');
    await q.dropIndex('alerts', new TableIndex({ columnNames: ['user_id', 'reply_extension'] }));
    for (const c of ['mail_message_id', 'mail_subject', 'reply_extension'])
      await q.dropColumn('alerts', c);
    await q.dropColumn('sms_messages', 'source_extension');
    for (const c of ['sms_number', 'sms_commands', 'sms_register'])
      await q.dropColumn('domains', c);
  }
}
