import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * What IMAP needs beyond delivery: which UIDs some session already saw (`\Recent`, RFC
 * 3501 2.3.2) and the UIDs expunged with their mod-sequence (QRESYNC VANISHED, RFC 7162).
 */
export class ImapState1732492800000 implements MigrationInterface {
  name = 'ImapState1732492800000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'folders',
      new TableColumn({ name: 'recent_uid', type: 'integer', default: 0 }),
    );
    await q.createTable(
      new Table({
        name: 'expunged_messages',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'folder_id', type: 'integer' },
          { name: 'uid', type: 'integer' },
          { name: 'modseq', type: 'bigint' },
        ],
        indices: [{ columnNames: ['folder_id', 'modseq'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('expunged_messages');
    await q.dropColumn('folders', 'recent_uid');
  }
}
