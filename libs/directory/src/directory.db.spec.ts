import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiziError } from '@dizi/errors';
import { Database, DirectoryRepository, MailboxRepository, openDataSource } from '@dizi/store';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { DirectoryService } from './directory.service';
import { RecipientResolver } from './recipient-resolver';

describe('DirectoryService and RecipientResolver (SQL)', () => {
  let dir: string;
  let tdb: TestDatabase;
  let db: Database;
  let svc: DirectoryService;
  let resolver: RecipientResolver;
  let mailboxes: MailboxRepository;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dizi-dir-'));
    tdb = await createTestDatabase();
    db = new Database(await openDataSource({ databaseUrl: tdb.url, dataDir: dir }));
    const repo = new DirectoryRepository(db);
    svc = new DirectoryService(repo, { userQuotaMb: 100 });
    resolver = new RecipientResolver(repo);
    mailboxes = new MailboxRepository(db);
  });
  after(async () => {
    await db.close();
    await tdb.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('domains are normalised (case, IDN to punycode) and unique', async () => {
    const d = await svc.addDomain('Example.COM');
    assert.equal(d.name, 'example.com');
    const idn = await svc.addDomain('邮件.中国');
    assert.equal(idn.name, 'xn--5nq051n.xn--fiqs8s');
    await assert.rejects(svc.addDomain('example.com'), (e: DiziError) => e.code === 'conflict');
    await assert.rejects(
      svc.addDomain('bad domain'),
      (e: DiziError) => e.code === 'invalid' && e.field === 'name',
    );
  });

  test('users get the default folders and a hashed password; bad input is refused', async () => {
    const u = await svc.addUser({ address: 'Alice@Example.com', password: 'correct horse' });
    assert.equal(u.address, 'alice@example.com');
    assert.match(u.passwordHash, /^scrypt\$/);
    assert.equal(u.quotaBytes, 100 * 1024 * 1024, 'the default quota');
    const folders = (await mailboxes.listFolders(u.id))
      .map((f) => `${f.name}:${f.specialUse ?? ''}`)
      .sort();
    assert.deepEqual(folders, [
      'Drafts:\\Drafts',
      'INBOX:',
      'Junk:\\Junk',
      'Sent:\\Sent',
      'Trash:\\Trash',
    ]);
    await assert.rejects(
      svc.addUser({ address: 'x@nowhere.test', password: 'password1' }),
      /not hosted here/,
    );
    await assert.rejects(
      svc.addUser({ address: 'bob@example.com', password: 'short' }),
      (e: DiziError) => e.field === 'password',
    );
    await assert.rejects(
      svc.addUser({ address: 'alice@example.com', password: 'password1' }),
      (e: DiziError) => e.code === 'conflict',
    );
    await assert.rejects(
      svc.addUser({ address: 'no-at-sign', password: 'password1' }),
      (e: DiziError) => e.field === 'address',
    );
  });

  test('authentication: right and wrong password; a login without domain needs a single hosted domain', async () => {
    assert.ok(await svc.authenticate('alice@example.com', 'correct horse'));
    assert.equal(await svc.authenticate('alice@example.com', 'wrong'), null);
    assert.equal(await svc.authenticate('nobody@example.com', 'correct horse'), null);
    assert.equal(
      await svc.authenticate('alice', 'correct horse'),
      null,
      'two domains: no default domain',
    );
  });

  test('resolution: user, alias chain with a loop, remote target, unknown, wildcard group', async () => {
    await svc.addUser({ address: 'bob@example.com', password: 'password12' });
    await svc.addAlias('team@example.com', [
      'alice@example.com',
      'bob@example.com',
      'ext@partner.test',
    ]);
    await svc.addAlias('loop1@example.com', ['loop2@example.com']);
    await svc.addAlias('loop2@example.com', ['loop1@example.com', 'bob@example.com']);
    const team = await resolver.resolve('TEAM@example.com', { sender: 'x@y.test' });
    assert.equal(team.kind, 'local');
    if (team.kind === 'local') {
      assert.deepEqual(team.mailboxes.map((m) => m.address).sort(), [
        'alice@example.com',
        'bob@example.com',
      ]);
      assert.deepEqual(team.remote, ['ext@partner.test']);
    }
    const loop = await resolver.resolve('loop1@example.com', { sender: '' });
    assert.equal(loop.kind, 'local', 'an alias loop ends instead of hanging');
    assert.deepEqual((await resolver.resolve('ghost@example.com', { sender: '' })).kind, 'unknown');
    assert.deepEqual((await resolver.resolve('someone@gmail.test', { sender: '' })).kind, 'remote');
    await svc.addGroup('everyone@example.com', { postPolicy: 'authenticated' });
    await svc.addGroupMember('everyone@example.com', '*@example.com');
    const refused = await resolver.resolve('everyone@example.com', { sender: 'x@y.test' });
    assert.equal(refused.kind, 'refused');
    const ok = await resolver.resolve('everyone@example.com', {
      sender: 'alice@example.com',
      authUser: 'alice@example.com',
    });
    assert.equal(ok.kind === 'local' && ok.mailboxes.length, 2);
  });

  test('a domain with users cannot be removed; removing the user first works', async () => {
    await svc.addDomain('gone.test');
    await svc.addUser({ address: 'temp@gone.test', password: 'password12' });
    await assert.rejects(svc.removeDomain('gone.test'), (e: DiziError) => e.code === 'conflict');
    await svc.removeUser('temp@gone.test');
    await svc.removeDomain('gone.test');
    assert.equal(await svc.isLocalDomain('gone.test'), false);
  });
  test("a domain's total space is shared out as quotas; its user limit holds", async () => {
    await svc.addDomain('limits.test');
    await svc.addUser({ address: 'a@limits.test', password: 'correct horse', quotaMb: 300 });
    await svc.addUser({ address: 'b@limits.test', password: 'correct horse', quotaMb: 0 });
    await assert.rejects(
      svc.setDomainLimits('limits.test', { quotaMb: 1000 }),
      (e: DiziError) => e.code === 'conflict' && /without a quota/.test(e.message),
      'a box without a quota does not fit any total',
    );
    await svc.setQuota('b@limits.test', 200);
    await assert.rejects(
      svc.setDomainLimits('limits.test', { quotaMb: 400 }),
      (e: DiziError) => e.code === 'conflict' && /500 MB/.test(e.message),
    );
    const d = await svc.setDomainLimits('limits.test', { quotaMb: 600, maxUsers: 3 });
    assert.equal(d.quotaBytes, 600 * 1024 * 1024);
    await assert.rejects(
      svc.addUser({ address: 'c@limits.test', password: 'correct horse', quotaMb: 101 }),
      (e: DiziError) =>
        e.code === 'conflict' && e.field === 'quotaMb' && /100 MB of its 600 MB/.test(e.message),
    );
    await assert.rejects(
      svc.addUser({ address: 'c@limits.test', password: 'correct horse', quotaMb: 0 }),
      (e: DiziError) => e.code === 'conflict' && /each user needs a quota/.test(e.message),
    );
    await svc.addUser({ address: 'c@limits.test', password: 'correct horse', quotaMb: 100 });
    await assert.rejects(
      svc.setQuota('a@limits.test', 301),
      (e: DiziError) => e.code === 'conflict',
    );
    await svc.setQuota('a@limits.test', 250); // shrinking always fits
    await svc.setQuota('c@limits.test', 150); // ... and the room it freed can be given out
    await assert.rejects(
      svc.addUser({ address: 'd@limits.test', password: 'correct horse', quotaMb: 1 }),
      (e: DiziError) => e.code === 'conflict' && /limit of 3 users/.test(e.message),
    );
    await assert.rejects(
      svc.setDomainLimits('limits.test', { maxUsers: 2 }),
      (e: DiziError) => e.code === 'conflict' && e.field === 'maxUsers',
    );
    await assert.rejects(
      svc.setDomainLimits('limits.test', { quotaMb: -5 }),
      (e: DiziError) => e.code === 'invalid' && e.field === 'quotaMb',
    );
    await svc.setDomainLimits('limits.test', { quotaMb: 0, maxUsers: 0 });
    await svc.addUser({ address: 'd@limits.test', password: 'correct horse', quotaMb: 0 });
  });
});
