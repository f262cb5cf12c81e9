import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** SMS reminders to a user's own phone (H7, issue 5). */
export class Reminders1733356800000 implements MigrationInterface {
  name = 'Reminders1733356800000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'reminders',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'user_id', type: 'integer' },
          { name: 'text', type: 'text' },
          { name: 'repeat', type: 'varchar', length: '8', default: "'none'" },
          { name: 'anchor_at', type: 'bigint' },
          { name: 'next_at', type: 'bigint', isNullable: true },
          { name: 'pending_sms_id', type: 'varchar', length: '32', isNullable: true },
          { name: 'sent', type: 'integer', default: 0 },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
        indices: [{ columnNames: ['user_id'] }, { columnNames: ['next_at'] }],
        // A removed user's reminders go with them: nobody else's phone may get them.
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
    await q.dropTable('reminders');
  }
}
