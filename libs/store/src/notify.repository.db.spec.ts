import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { Database } from './database';
import { openDataSource } from './data-source';
import { DirectoryRepository } from './directory.repository';
import { MailboxRepository } from './mailbox.repository';
import { NewAlert, NotifyRepository } from './notify.repository';
import { rows } from './raw-sql';

// The SQL under durable alerts, on SQLite and PostgreSQL: one decision per user and
// stored message, watermarks that never go down, the catch-up's window, alert states
// following SMS rows.
describe('NotifyRepository (alerts)', () => {
  let dir: string;
  let tdb: TestDatabase;
  let db: Database;
  let repo: NotifyRepository;
  let mailboxes: MailboxRepository;
  let userId: number;
  let n = 0;

  const deliver = async (internalDate: number) => {
    const id = `blob${++n}`;
    const [o] = await mailboxes.deliver(
      {
        spoolId: id,
        blobId: id,
        size: 10,
        internalDate,
        summary: { subject: 's', from: 'f', to: 't', messageId: `<${id}@x>` },
      },
      [{ userId, recipient: 'u@repo.test', folder: 'INBOX' }],
    );
    assert.equal(o.status, 'delivered');
    return { blobId: id, messageId: (o as { messageId: number }).messageId };
  };
  const alert = (blobId: string, messageId: number, over: Partial<NewAlert> = {}): NewAlert => ({
    userId,
    ruleId: 1,
    messageId,
    blobId,
    phoneNumber: '13800138000',
    fromAddress: 'a@b.c',
    mailSubject: 'Hi',
    mailMessageId: '<m1@b.c>',
    replyExtension: null,
    state: 'decided',
    text: 'hello',
    smsId: null,
    error: null,
    day: '2024-03-05',
    ...over,
  });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dizi-notify-repo-'));
    tdb = await createTestDatabase();
    db = new Database(await openDataSource({ databaseUrl: tdb.url, dataDir: dir }));
    repo = new NotifyRepository(db);
    mailboxes = new MailboxRepository(db);
    const dirRepo = new DirectoryRepository(db);
    const domain = await dirRepo.addDomain('repo.test');
    const user = await dirRepo.addUser({
      domainId: domain.id,
      address: 'u@repo.test',
      passwordHash: 'x',
      displayName: '',
      role: 'user',
      quotaBytes: 0,
    });
    userId = user.id; // with the default folders, INBOX among them
  });
  after(async () => {
    await db?.close();
    await tdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records one decision per user and blob, and takes the allowance once', async () => {
    const d = await deliver(Date.now());
    const first = await repo.decideAlert(alert(d.blobId, d.messageId), 2);
    assert.equal(first?.state, 'decided');
    assert.equal(await repo.decideAlert(alert(d.blobId, d.messageId), 2), null);
    const d2 = await deliver(Date.now());
    assert.equal((await repo.decideAlert(alert(d2.blobId, d2.messageId), 2))?.state, 'decided');
    const d3 = await deliver(Date.now());
    const capped = await repo.decideAlert(alert(d3.blobId, d3.messageId, { smsId: 'x1' }), 2);
    assert.equal(capped?.state, 'capped');
    assert.equal(capped?.smsId, null, 'a capped alert has no SMS');
    const [c] = await db.run((m) =>
      rows<{ count: number | string }>(m, 'SELECT count FROM alert_counters WHERE user_id = ?', [
        userId,
      ]),
    );
    assert.equal(Number(c.count), 2, 'the repeated decision took no allowance');
  });

  it('watermarks only rise; the catch-up window is above them, within the age limit', async () => {
    await repo.startWatermark(userId);
    const w0 = (await repo.watermark(userId))!;
    const now = Date.now();
    const old = await deliver(now - 3 * 3600_000);
    const fresh = await deliver(now - 1000);
    const undecided = await repo.undecidedDeliveries(now - 3600_000, now);
    assert.deepEqual(
      undecided.map((u) => u.messageId),
      [fresh.messageId],
    );
    assert.deepEqual(await repo.staleDeliveries(now - 3600_000), [
      { userId, maxId: old.messageId, count: 1 },
    ]);
    // A decided delivery drops out of the window.
    await repo.decideAlert(alert(fresh.blobId, fresh.messageId, { state: 'quiet' }), null);
    assert.deepEqual(await repo.undecidedDeliveries(now - 3600_000, now), []);
    await repo.raiseWatermarks([{ userId, messageId: fresh.messageId }]);
    assert.equal(await repo.watermark(userId), fresh.messageId);
    await repo.raiseWatermarks([{ userId, messageId: w0 }]);
    assert.equal(await repo.watermark(userId), fresh.messageId, 'never lowered');
    assert.deepEqual(await repo.staleDeliveries(now - 3600_000), []);
  });

  it('a stale delivery above a young one is not passed over', async () => {
    const now = Date.now();
    const young = await deliver(now - 1000);
    const old = await deliver(now - 3 * 3600_000); // recovered late: old date, higher id
    assert.deepEqual(await repo.staleDeliveries(now - 3600_000), [], 'the young one comes first');
    await repo.decideAlert(alert(young.blobId, young.messageId, { state: 'quiet' }), null);
    await repo.raiseWatermarks([{ userId, messageId: young.messageId }]);
    assert.deepEqual(await repo.staleDeliveries(now - 3600_000), [
      { userId, maxId: old.messageId, count: 1 },
    ]);
  });

  it('alert states follow their SMS rows', async () => {
    const d = await deliver(Date.now());
    const smsId = `sms${n}`;
    const a = (await repo.decideAlert(alert(d.blobId, d.messageId, { smsId }), null))!;
    assert.equal(a.smsId, smsId);
    assert.deepEqual(await repo.followSms([smsId], 1), [], 'no SMS row yet: still decided');
    assert.equal(await repo.smsExists(smsId), false);
    const queuedAt = Date.now();
    await db.run((m) =>
      rows(
        m,
        "INSERT INTO sms_messages (id, direction, to_number, from_number, text, status, link_id, segments, error, purpose, user_id, send_at, created_at, updated_at) VALUES (?, 'out', '13800138000', '', 'hello', 'queued', NULL, 0, NULL, 'alert', ?, NULL, ?, ?)",
        [smsId, userId, queuedAt, queuedAt],
      ),
    );
    assert.equal(await repo.smsExists(smsId), true);
    assert.deepEqual(await repo.followSms([smsId], 1), [{ id: a.id, state: 'queued' }]);
    const setSms = (status: string, link: string | null, error: string | null) =>
      db.run((m) =>
        rows(m, 'UPDATE sms_messages SET status = ?, link_id = ?, error = ? WHERE id = ?', [
          status,
          link,
          error,
          smsId,
        ]),
      );
    await setSms('submitted', 'cm-1', null);
    assert.deepEqual(await repo.followSms([smsId], 1000), [{ id: a.id, state: 'submitted' }]);
    await setSms('failed', 'cm-1', 'carrier status UNDELIV');
    assert.deepEqual(await repo.followSms([smsId], 2000), [{ id: a.id, state: 'failed' }]);
    const [row] = (await repo.alerts(userId, 1)).filter((x) => x.id === a.id);
    assert.equal(row.state, 'failed');
    assert.equal(row.queuedAt, queuedAt, 'queued when its SMS row was written');
    assert.equal(row.submittedAt, 1000);
    assert.equal(row.finishedAt, 2000);
    assert.equal(row.error, 'carrier status UNDELIV');
    assert.deepEqual(await repo.openAlertSms(), [], 'nothing left open');
  });
});
