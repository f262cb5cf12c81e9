import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** SMS rows and their carrier segments (issue 4). */
export class Sms1732665600000 implements MigrationInterface {
  name = 'Sms1732665600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'sms_messages',
        columns: [
          { name: 'id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'direction', type: 'varchar', length: '3' },
          { name: 'to_number', type: 'varchar', length: '32' },
          { name: 'from_number', type: 'varchar', length: '32', default: "''" },
          { name: 'text', type: 'text' },
          { name: 'status', type: 'varchar', length: '12' },
          { name: 'link_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'segments', type: 'integer', default: 0 },
          { name: 'error', type: 'varchar', length: '1000', isNullable: true },
          { name: 'purpose', type: 'varchar', length: '20', default: "'api'" },
          { name: 'user_id', type: 'integer', isNullable: true },
          { name: 'send_at', type: 'bigint', isNullable: true },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
        indices: [{ columnNames: ['status', 'created_at'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'sms_segments',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'sms_id', type: 'varchar', length: '32' },
          { name: 'seq', type: 'integer' },
          { name: 'link_id', type: 'varchar', length: '64' },
          { name: 'carrier_id', type: 'varchar', length: '64' },
          { name: 'status', type: 'varchar', length: '12' },
          { name: 'carrier_status', type: 'varchar', length: '32', isNullable: true },
          { name: 'updated_at', type: 'bigint' },
        ],
        indices: [{ columnNames: ['sms_id'] }, { columnNames: ['link_id', 'carrier_id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('sms_segments');
    await q.dropTable('sms_messages');
  }
}
