import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DirectoryService } from '@dizi/directory';
import { DiziError } from '@dizi/errors';
import {
  ContactsRepository,
  Database,
  DirectoryRepository,
  MailSmsRepository,
  NotifyRepository,
  openDataSource,
} from '@dizi/store';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { ContactBook } from './contact-book';

// The address book and the look-ups of send-time notices, on the real database
// (SQLite, and PostgreSQL in the second pass).
describe('contacts and notice look-ups (SQL)', () => {
  let dir: string;
  let tdb: TestDatabase;
  let db: Database;
  let users: DirectoryRepository;
  let directory: DirectoryService;
  let repo: ContactsRepository;
  let book: ContactBook;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dizi-contacts-'));
    tdb = await createTestDatabase();
    db = new Database(await openDataSource({ databaseUrl: tdb.url, dataDir: dir }));
    users = new DirectoryRepository(db);
    directory = new DirectoryService(users, { userQuotaMb: 10 });
    repo = new ContactsRepository(db);
    book = new ContactBook(repo, users);
    await directory.addDomain('dizi.test');
    for (const a of ['zhang@dizi.test', 'li@dizi.test', 'wang@dizi.test'])
      await directory.addUser({ address: a, password: 'password123' });
  });
  after(async () => {
    await db.close();
    await tdb.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('add, list and remove; e-mail lower-cased, mobile canonical', async () => {
    const c = await book.add('Zhang@Dizi.test', {
      name: ' 李四 ',
      email: 'Li.Si@Remote.Test',
      mobile: '+86 139-0013-9001',
    });
    assert.deepEqual(
      { ...c, id: 0 },
      {
        id: 0,
        owner: 'zhang@dizi.test',
        name: '李四',
        email: 'li.si@remote.test',
        mobile: '13900139001',
      },
    );
    await book.add('zhang@dizi.test', { email: 'wang@dizi.test', mobile: '13900139002' });
    assert.deepEqual(
      (await book.list('zhang@dizi.test')).map((x) => x.email),
      ['wang@dizi.test', 'li.si@remote.test'], // by name: '' sorts first
    );
    assert.deepEqual(await book.list('li@dizi.test'), [], 'address books are per owner');
    await book.remove('zhang@dizi.test', String(c.id));
    await book.remove('zhang@dizi.test', 'WANG@dizi.test');
    assert.deepEqual(await book.list('zhang@dizi.test'), []);
  });

  test('bad input is refused with the field named; a second contact for one e-mail is a conflict', async () => {
    const code = (p: Promise<unknown>, c: string, field: string) =>
      assert.rejects(
        p,
        (e: DiziError) => e instanceof DiziError && e.code === c && e.field === field,
      );
    await code(
      book.add('zhang@dizi.test', { email: 'not-an-address', mobile: '13900139001' }),
      'invalid',
      'email',
    );
    await code(
      book.add('zhang@dizi.test', { email: 'a@b.test', mobile: 'call me' }),
      'invalid',
      'mobile',
    );
    await code(
      book.add('zhang@dizi.test', {
        name: 'x'.repeat(256),
        email: 'a@b.test',
        mobile: '13900139001',
      }),
      'invalid',
      'name',
    );
    await code(
      book.add('nobody@dizi.test', { email: 'a@b.test', mobile: '13900139001' }),
      'not-found',
      'address',
    );
    await book.add('zhang@dizi.test', { email: 'dup@b.test', mobile: '13900139001' });
    await code(
      book.add('zhang@dizi.test', { email: 'DUP@b.test', mobile: '13900139009' }),
      'conflict',
      'email',
    );
    await code(book.remove('zhang@dizi.test', '999999'), 'not-found', 'contact');
    await book.remove('zhang@dizi.test', 'dup@b.test');
  });

  test('look-ups for notices: mobiles by e-mail, confirmed bound phones by user', async () => {
    const zhang = (await users.findUser('zhang@dizi.test'))!;
    const li = (await users.findUser('li@dizi.test'))!;
    const wang = (await users.findUser('wang@dizi.test'))!;
    await book.add('zhang@dizi.test', { email: 'li@dizi.test', mobile: '13900139011' });
    await book.add('zhang@dizi.test', { email: 'far@remote.test', mobile: '13900139012' });
    await book.add('li@dizi.test', { email: 'far@remote.test', mobile: '13900139099' });
    const mobiles = await repo.mobilesByEmail(zhang.id, [
      'li@dizi.test',
      'far@remote.test',
      'unknown@remote.test',
    ]);
    assert.deepEqual(
      [...mobiles].sort(),
      [
        ['far@remote.test', '13900139012'],
        ['li@dizi.test', '13900139011'],
      ],
      "only the owner's own contacts count",
    );
    const many = Array.from({ length: 1200 }, (_, i) => `x${i}@remote.test`).concat(
      'far@remote.test',
    );
    assert.equal((await repo.mobilesByEmail(zhang.id, many)).get('far@remote.test'), '13900139012');

    const phones = new NotifyRepository(db);
    await phones.bindPhone(li.id, '13800138001', { confirmed: true });
    await phones.bindPhone(wang.id, '13800138002', { confirmed: false });
    assert.deepEqual(
      [...(await repo.confirmedPhones([li.id, wang.id, zhang.id]))],
      [[li.id, '13800138001']],
      'an unconfirmed binding is no number to notify',
    );
  });

  test("a removed user's address book goes with it", async () => {
    await directory.addUser({ address: 'gone@dizi.test', password: 'password123' });
    await book.add('gone@dizi.test', { email: 'li@dizi.test', mobile: '13900139021' });
    const gone = (await users.findUser('gone@dizi.test'))!;
    await directory.removeUser('gone@dizi.test');
    assert.deepEqual(await repo.list(gone.id), []);
  });

  test('mail_sms: a claim is made once per (mail, kind, recipient); a failure is taken once', async () => {
    const mailSms = new MailSmsRepository(db);
    const row = {
      spoolId: 'spool1',
      kind: 'mail2sms' as const,
      recipient: '13800138000@sms.dizi.test',
      number: '13800138000',
      smsId: 'aaaaaaaaaaaaaaaaaaaa',
      userId: null,
      sender: 'zhang@dizi.test',
      envId: null,
      arrivedAt: Date.now(),
      headers: 'Subject: x\0\r\n',
    };
    const first = await mailSms.claim(row);
    assert.equal(first.created, true);
    assert.equal(first.row.headers, 'Subject: x\r\n', 'no NUL in a text column');
    const again = await mailSms.claim({ ...row, smsId: 'bbbbbbbbbbbbbbbbbbbb' });
    assert.deepEqual([again.created, again.row.smsId], [false, 'aaaaaaaaaaaaaaaaaaaa']);
    assert.equal(await mailSms.smsExists('aaaaaaaaaaaaaaaaaaaa'), false);
    assert.equal((await mailSms.failSms('aaaaaaaaaaaaaaaaaaaa', 'refused')).length, 1);
    assert.equal((await mailSms.failSms('aaaaaaaaaaaaaaaaaaaa', 'refused')).length, 0);
    assert.equal((await mailSms.forSpool('spool1'))[0].state, 'failed');
  });
});
