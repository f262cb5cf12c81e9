import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiziError } from '@dizi/errors';
import { createLogger } from '@dizi/logging';
import {
  Database,
  DirectoryRepository,
  openDataSource,
  rows,
  SmsRepository,
  UsageRepository,
  UserEntity,
} from '@dizi/store';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { Billing } from './billing';
import { localDay } from './period';
import { MB } from './rating';
import { StorageDayJob } from './storage-day';
import { UsageRecorder } from './usage-recorder';

const TZ = 'Asia/Shanghai';
const log = createLogger('silent');

// The usage store on a real database (SQLite, and PostgreSQL in the PostgreSQL pass):
// idempotent writes, the recorder's buffer and clean stop, the storage-day job, the
// crash catch-up for SMS, paging exports and rated totals.
describe('usage records and billing (SQL)', () => {
  let dir: string;
  let tdb: TestDatabase;
  let db: Database;
  let repo: UsageRepository;
  let directory: DirectoryRepository;
  let billing: Billing;
  let li: UserEntity;
  let wang: UserEntity;
  let zhao: UserEntity;
  let today: { from: string; to: string };

  const count = async (where = '1 = 1', params: unknown[] = []) =>
    Number(
      (
        await db.run((m) =>
          rows<{ n: unknown }>(m, `SELECT COUNT(*) AS n FROM usage_records WHERE ${where}`, params),
        )
      )[0].n,
    );
  const addUser = async (address: string, domainId: number) =>
    directory.addUser({
      address,
      domainId,
      passwordHash: 'unused',
      quotaBytes: 0,
      role: 'user',
      displayName: '',
    });
  const setUsed = (u: UserEntity, bytes: number) =>
    db.run((m) => rows(m, 'UPDATE users SET used_bytes = ? WHERE id = ?', [bytes, u.id]));
  const smsRow = (id: string, purpose: string, userId: number | null, segments: number) =>
    new SmsRepository(db).insert({
      id,
      direction: 'out',
      toNumber: '13800138000',
      fromNumber: '',
      text: 'x',
      status: segments ? 'submitted' : 'queued',
      linkId: segments ? 'cm-1' : null,
      segments,
      error: null,
      purpose,
      userId,
      sendAt: null,
    });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dizi-usage-'));
    tdb = await createTestDatabase();
    db = new Database(await openDataSource({ databaseUrl: tdb.url, dataDir: dir }));
    repo = new UsageRepository(db);
    directory = new DirectoryRepository(db);
    const a = await directory.addDomain('a.test');
    const b = await directory.addDomain('b.test');
    li = await addUser('li@a.test', a.id);
    wang = await addUser('wang@a.test', a.id);
    zhao = await addUser('zhao@b.test', b.id);
    billing = new Billing(
      repo,
      directory,
      { timeZone: TZ, defaultPlan: '', flushIntervalMs: 60_000 },
      log,
    );
    // Today and tomorrow, local: every record of this file falls in it even when the
    // run crosses midnight.
    const now = Date.now();
    today = { from: localDay(now, TZ), to: localDay(now + 86_400_000, TZ) };
  });
  after(async () => {
    await billing.close();
    await db.close();
    await tdb.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the same act recorded twice is one record', async () => {
    const r = {
      at: Date.now(),
      service: 'traffic-in' as const,
      purpose: '',
      userId: li.id,
      domainId: li.domainId,
      quantity: 100,
      ref: 'dup-1/1',
    };
    assert.equal(await repo.insert([r, r]), 1);
    assert.equal(await repo.insert([r, { ...r, ref: 'dup-2/1' }]), 1);
    assert.equal(await count("ref LIKE 'dup-%'"), 2);
    await db.run((m) => rows(m, "DELETE FROM usage_records WHERE ref LIKE 'dup-%'"));
  });

  test('the recorder buffers, resolves owners once per batch and loses nothing on a clean stop', async () => {
    const recorder = new UsageRecorder(repo, { flushIntervalMs: 60_000 }, log);
    await smsRow('sms-alert-1', 'alert', li.id, 2);
    await smsRow('sms-api-1', 'api', null, 3);
    recorder.smsSubmitted({ id: 'sms-alert-1', segments: 2 });
    recorder.smsSubmitted({ id: 'sms-api-1', segments: 3 });
    recorder.smsSubmitted({ id: 'sms-api-1', segments: 3 }); // a repeated hook: still one
    const entry = { id: 'spool-1', envelope: { via: 'mx', size: 5000 } };
    recorder.delivered(wang.id, entry);
    recorder.delivered(wang.id, { id: 'spool-0', envelope: { via: 'internal', size: 900 } });
    recorder.accepted({
      id: 'spool-2',
      envelope: { via: 'submission', size: 7000, authUser: 'LI@a.test' },
    });
    recorder.accepted({ id: 'spool-3', envelope: { via: 'mx', size: 10 } }); // no AUTH: not traffic
    assert.equal(recorder.buffered, 5);
    assert.equal(await count(), 0, 'nothing written before the interval');
    await recorder.close();
    assert.equal(recorder.buffered, 0);
    const got = await db.run((m) =>
      rows<Record<string, unknown>>(
        m,
        'SELECT service, purpose, user_id AS "userId", domain_id AS "domainId", quantity, ref FROM usage_records ORDER BY id',
      ),
    );
    assert.deepEqual(
      got.map((r) => [
        r.service,
        r.purpose,
        r.userId === null ? null : Number(r.userId),
        r.domainId === null ? null : Number(r.domainId),
        Number(r.quantity),
        r.ref,
      ]),
      [
        ['sms', 'alert', li.id, li.domainId, 2, 'sms-alert-1'],
        ['alert', '', li.id, li.domainId, 1, 'sms-alert-1'],
        ['sms', 'api', null, null, 3, 'sms-api-1'],
        ['traffic-in', '', wang.id, wang.domainId, 5000, `spool-1/${wang.id}`],
        ['traffic-out', '', li.id, li.domainId, 7000, 'spool-2'],
      ],
    );
  });

  test('SMS a crashed process had not recorded are caught up, once', async () => {
    await smsRow('sms-lost-1', 'alert', zhao.id, 1);
    await smsRow('sms-lost-2', 'verify', wang.id, 2);
    await smsRow('sms-queued', 'api', null, 0);
    assert.equal(await repo.recoverSms(Date.now() - 3600_000), 3, 'sms x2 and the alert');
    assert.equal(await repo.recoverSms(Date.now() - 3600_000), 0);
    assert.equal(await count("ref = 'sms-queued'"), 0, 'nothing for an SMS not yet sent');
    assert.equal(await count("service = 'alert' AND ref = 'sms-lost-1'"), 1);
  });

  test('storage-day: one record per user and day, however many runs and nodes', async () => {
    await setUsed(li, 3 * MB);
    await setUsed(wang, 1234);
    const now = Date.now();
    const jobs = [1, 2, 3].map(() => new StorageDayJob(repo, TZ, log));
    const runs = await Promise.all(jobs.map((j) => j.runOnce(now)));
    assert.equal(
      runs.reduce((n, r) => n + r.added, 0),
      3,
      'three users, three records between all runs',
    );
    assert.equal((await jobs[0].runOnce(now + 1000)).added, 0);
    const stored = await db.run((m) =>
      rows<{ userId: unknown; quantity: unknown; ref: string }>(
        m,
        `SELECT user_id AS "userId", quantity, ref FROM usage_records WHERE service = 'storage' ORDER BY user_id`,
      ),
    );
    const day = localDay(now, TZ);
    assert.deepEqual(
      stored.map((s) => [Number(s.userId), Number(s.quantity), s.ref]),
      [
        [li.id, 3 * MB, `${day}/${li.id}`],
        [wang.id, 1234, `${day}/${wang.id}`],
        [zhao.id, 0, `${day}/${zhao.id}`],
      ],
    );
    // The next local day gets its own records.
    assert.equal((await jobs[1].runOnce(now + 86_400_000)).added, 3);
    await db.run((m) =>
      rows(m, "DELETE FROM usage_records WHERE service = 'storage' AND at > ?", [now + 1000]),
    );
  });

  test('plans: prices as data, merged on change, assigned to a domain or a user', async () => {
    const created = await billing.plans.save('basic', {
      smsSegment: '0.10',
      alert: 0.05,
      storageMbDay: '0.001',
      trafficMb: '0.02',
      periodFee: '5',
    });
    assert.equal(created.created, true);
    assert.equal(created.plan.smsSegment, '0.1');
    const changed = await billing.plans.save('basic', { currency: 'cny', period: 'month' });
    assert.equal(changed.created, false);
    assert.equal(changed.plan.alert, '0.05', 'prices not given stay');
    await billing.plans.save('vip', { smsSegment: '0', periodFee: '1', period: 'day' });
    await billing.plans.assignDomain('A.TEST', 'basic');
    await billing.plans.assignUser('wang@a.test', 'vip');
    const list = await billing.plans.list();
    assert.deepEqual(
      list.map((p) => [p.name, p.domains, p.users]),
      [
        ['basic', ['a.test'], []],
        ['vip', [], ['wang@a.test']],
      ],
    );
    const refused = async (p: Promise<unknown>, code: string, field: string) =>
      assert.rejects(p, (e: DiziError) => e.code === code && e.field === field);
    await refused(billing.plans.save('bad name', {}), 'invalid', 'name');
    await refused(billing.plans.save('x', { currency: 'yuan' }), 'invalid', 'currency');
    await refused(billing.plans.save('x', { trafficMb: '-1' }), 'invalid', 'trafficMb');
    await refused(billing.plans.save('x', { period: 'week' }), 'invalid', 'period');
    await refused(billing.plans.assignDomain('nowhere.test', 'basic'), 'not-found', 'domain');
    await refused(billing.plans.assignUser('li@a.test', 'gold'), 'not-found', 'plan');
    await refused(billing.plans.get('gold'), 'not-found', 'name');
  });

  test('totals rate each user at the plan that applies to them', async () => {
    const r = await billing.totals({ ...today, by: 'user' });
    const row = (u: string) => r.rows.find((x) => x.user === u)!;
    assert.deepEqual(
      r.rows.map((x) => x.user),
      ['', 'li@a.test', 'wang@a.test', 'zhao@b.test'],
    );
    const li = row('li@a.test');
    assert.deepEqual(
      [li.plan, li.quantities.smsSegments, li.quantities.alerts, li.quantities.trafficOutBytes],
      ['basic', 2, 1, 7000],
    );
    // 2 x 0.1 + 1 x 0.05 + 3 MB-days x 0.001 + 7000 B x 0.02/MB + the month's fee (two
    // months when today is the last day of one)
    const months = today.from.slice(0, 7) === today.to.slice(0, 7) ? 1 : 2;
    const traffic = Math.round((7000 * 20_000) / MB);
    assert.equal(li.quantities.periods, months);
    assert.equal(li.amounts.total, 200_000 + 50_000 + 3_000 + traffic + months * 5_000_000);
    const wang = row('wang@a.test');
    assert.equal(wang.plan, 'vip');
    assert.equal(wang.quantities.periods, 2, 'today and tomorrow');
    assert.equal(wang.amounts.sms, 0);
    assert.equal(wang.amounts.time, 2_000_000);
    assert.equal(row('').quantities.smsSegments, 3);
    assert.equal(row('zhao@b.test').amounts.total, 0);

    const byDomain = await billing.totals({ ...today, by: 'domain', domain: 'a.test' });
    assert.deepEqual(
      byDomain.rows.map((x) => x.domain),
      ['a.test'],
    );
    assert.equal(byDomain.rows[0].amounts.total, li.amounts.total + wang.amounts.total);
    const one = await billing.totals({ ...today, user: 'zhao@b.test' });
    assert.deepEqual(
      one.rows.map((x) => x.user),
      ['zhao@b.test'],
    );
    await assert.rejects(
      billing.totals({ ...today, by: 'planet' }),
      (e: DiziError) => e.field === 'by',
    );
    await assert.rejects(
      billing.totals({ ...today, user: 'nobody@a.test' }),
      (e: DiziError) => e.code === 'not-found' && e.field === 'user',
    );
  });

  test('a removed user keeps their records; their own plan goes with them', async () => {
    const gone = await addUser('gone@a.test', li.domainId);
    await billing.plans.assignUser('gone@a.test', 'vip');
    await repo.insert([
      {
        at: Date.now(),
        service: 'traffic-in',
        purpose: '',
        userId: gone.id,
        domainId: gone.domainId,
        quantity: MB,
        ref: 'gone-1',
      },
    ]);
    await directory.removeUser(gone.id);
    assert.deepEqual((await billing.plans.get('vip')).users, ['wang@a.test']);
    const r = await billing.totals(today);
    const row = r.rows.find((x) => x.user === `#${gone.id}`)!;
    assert.equal(row.plan, 'basic', 'the domain plan');
    assert.equal(row.amounts.total, 20_000, 'traffic only, no fee');
  });

  test('an export pages through a large period in order, with a header and every record', async () => {
    const base = Date.now() - 60_000;
    const many = Array.from({ length: 2345 }, (_, i) => ({
      at: base + Math.floor(i / 3), // ties on `at`: the id breaks them
      service: 'traffic-in' as const,
      purpose: '',
      userId: zhao.id,
      domainId: zhao.domainId,
      quantity: i + 1,
      ref: `bulk-${i}`,
    }));
    assert.equal(await repo.insert(many), many.length);
    const chunks: string[] = [];
    const exp = await billing.prepareExport(
      { ...today, format: 'csv', user: 'zhao@b.test' },
      'json',
    );
    assert.equal(exp.contentType, 'text/csv; charset=utf-8');
    assert.match(exp.fileName, /^usage-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
    const n = await exp.write(async (c) => {
      chunks.push(c);
    });
    const lines = chunks.join('').split('\r\n').filter(Boolean);
    assert.equal(lines[0], 'id,time,service,purpose,user,domain,quantity,unit,ref');
    const bulk = lines.slice(1).filter((l) => l.includes(',bulk-'));
    assert.equal(bulk.length, many.length);
    assert.equal(n, lines.length - 1);
    assert.ok(chunks.length >= 3, 'written page by page');
    assert.deepEqual(
      bulk.map((l) => Number(l.split(',')[6])),
      many.map((r) => r.quantity),
      'in time order, ties by id',
    );
    const json = await billing.prepareExport({ ...today, domain: 'b.test' }, 'json');
    let text = '';
    await json.write(async (c) => {
      text += c;
    });
    const parsed = JSON.parse(text) as { records: Array<{ user: string; domain: string }> };
    assert.ok(parsed.records.length >= many.length);
    assert.ok(parsed.records.every((r) => r.domain === 'b.test'));
    await assert.rejects(
      billing.prepareExport({ ...today, format: 'xml' }, 'json'),
      (e: DiziError) => e.field === 'format',
    );
  });
});
