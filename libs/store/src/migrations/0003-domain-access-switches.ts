import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Per-domain switches that turn IMAP and POP3 access off (M6). */
export class DomainAccessSwitches1732579200000 implements MigrationInterface {
  name = 'DomainAccessSwitches1732579200000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'domains',
      new TableColumn({ name: 'imap_enabled', type: 'boolean', default: 'true' }),
    );
    await q.addColumn(
      'domains',
      new TableColumn({ name: 'pop3_enabled', type: 'boolean', default: 'true' }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('domains', 'pop3_enabled');
    await q.dropColumn('domains', 'imap_enabled');
  }
}
