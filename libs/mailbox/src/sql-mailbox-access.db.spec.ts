import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { DirectoryService } from '@dizi/directory';
import { createLogger } from '@dizi/logging';
import { redisOptions, RedisSupervisor } from '@dizi/queue';
import {
  Database,
  DirectoryRepository,
  FsBlobStore,
  MailboxRepository,
  openDataSource,
} from '@dizi/store';
import { mailboxAccessContract } from '../../imap/src/testing/mailbox-access-contract';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { MailboxEvents } from './mailbox-events';
import { SqlMailboxAccess } from './sql-mailbox-access';

// The IMAP layer's contract, run against the real store (SQL, blob files, Redis events).
let dir: string;
let tdb: TestDatabase;
let db: Database;
let redis: RedisSupervisor;
let events: MailboxEvents;
let directory: DirectoryService;
let n = 0;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dizi-contract-'));
  tdb = await createTestDatabase();
  db = new Database(await openDataSource({ databaseUrl: tdb.url, dataDir: dir }));
  redis = new RedisSupervisor(dir, createLogger('silent'));
  await redis.start();
  events = new MailboxEvents(redisOptions(redis.url()), createLogger('silent'));
  directory = new DirectoryService(new DirectoryRepository(db), { userQuotaMb: 100 });
  await directory.addDomain('contract.test');
});
after(async () => {
  await events.close();
  await db.close();
  await redis.stop();
  await tdb.drop();
  rmSync(dir, { recursive: true, force: true });
});

mailboxAccessContract('SQL store', async () => {
  const user = await directory.addUser({
    address: `u${++n}@contract.test`,
    password: 'password123',
  });
  const make = () =>
    new SqlMailboxAccess(
      user.id,
      new MailboxRepository(db),
      new DirectoryRepository(db),
      new FsBlobStore(path.join(dir, 'blobs')),
      events,
    );
  return { access: make(), second: make() };
});
