import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { ImapFlow } from 'imapflow';
import { Client } from 'pg';
import { CmppIsmgSimulator } from '../peers/cmpp-ismg';
import { DiziHarness } from '../support/dizi-harness';
import {
  diziCli,
  DiziProcess,
  DiziProcessSettings,
  readMailboxRows,
  redisServersOn,
} from '../support/dizi-process';
import { freePort } from '../support/peers';
import { SmtpWire, waitUntil } from '../support/smtp-wire';
import { createTestDatabase, TestDatabase } from '../support/test-database';

// Issue 5, alert durability: the alert decision is not in the delivery transaction, so a
// process that stops between the delivery commit and the decision must not lose the
// alert (the catch-up decides it after the restart) nor send it twice (one alert per
// user and stored message); the alert row then follows its SMS to the carrier's report.

const ACCOUNT = '901234';
const SECRET = 'sim-secret';

const cmppLink = (port: number) => ({
  id: 'cm-1',
  kind: 'cmpp',
  version: '3.0',
  host: '127.0.0.1',
  port,
  account: ACCOUNT,
  secret: SECRET,
  serviceId: 'MDZ0001',
  srcId: '1065888801',
  tps: 1000,
  reconnectMinMs: 50,
  reconnectMaxMs: 200,
});

interface AlertRow {
  id: number;
  state: string;
  smsId: string | null;
  messageId: number;
  error: string | null;
  createdAt: string;
  queuedAt: string | null;
  submittedAt: string | null;
  finishedAt: string | null;
}

describe('alert durability: stopped between delivery and decision', () => {
  let ismg: CmppIsmgSimulator;
  let database: TestDatabase;
  let dataDir: string;
  let dizi: DiziHarness | null = null;

  const start = () =>
    DiziHarness.start({
      dataDir,
      sharedDatabaseUrl: database.url,
      config: {
        // Only the start-up catch-up runs by itself; the tests call catchUp() when they want one.
        notify: { timeZone: 'Asia/Shanghai', alertCatchUpSeconds: 3600 },
        links: [cmppLink(ismg.port)],
      },
    });
  const submitsTo = (number: string) =>
    ismg.submits.filter((s) => s.submit.destTerminalIds.includes(number) && s.result === 0);
  const history = async (address: string) =>
    (await dizi!.services.notify.history(address)) as unknown as AlertRow[];

  before(async () => {
    ismg = await CmppIsmgSimulator.start({ accounts: { [ACCOUNT]: SECRET } });
    ismg.autoReportStat = 'DELIVRD';
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'dizi-alert-durable-'));
  });
  after(async () => {
    await dizi?.stop().catch(() => undefined);
    await ismg?.close();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the catch-up after a restart sends the lost alert once; a second restart sends nothing', async () => {
    const LI = 'li@durable.test';
    const PHONE = '13800138101';
    dizi = await start();
    await dizi.addUser(LI);
    await dizi.services.notify.phones.bindByAdmin(LI, PHONE);
    await dizi.services.notify.rules.add(LI, {});

    // The process "dies" right after the delivery commit: the live decision never runs.
    const lost: unknown[] = [];
    dizi.services.notify.alerts.delivered = (e) => void lost.push(e);
    const wire = await SmtpWire.connect(dizi.smtpPort);
    await wire.command('EHLO durable.test');
    const r = await wire.sendMail(
      'boss@example.cn',
      [LI],
      'From: Boss <boss@example.cn>\r\nSubject: contract\r\n\r\nplease sign today\r\n',
    );
    assert.equal(r.code, 250, r.raw);
    await wire.quit();
    await dizi.waitForMessages(LI, 1);
    assert.equal(lost.length, 1, 'the delivery was committed and handed to the (dead) hook');
    assert.deepEqual(await history(LI), [], 'no decision was recorded');
    assert.equal(submitsTo(PHONE).length, 0);
    await dizi.stop();
    dizi = null;

    // Restart: the start-up catch-up finds the delivery above the watermark.
    dizi = await start();
    const sms = await waitUntil(
      () => submitsTo(PHONE)[0],
      'the alert SUBMIT after restart',
      15_000,
    );
    assert.ok(sms);
    const [row] = await waitUntil(async () => {
      const h = await history(LI);
      return h[0]?.state === 'delivered' ? h : null;
    }, 'the alert to follow its SMS to delivered');
    assert.ok(row.smsId);
    assert.ok(row.queuedAt && row.submittedAt && row.finishedAt, JSON.stringify(row));
    assert.ok(row.createdAt <= row.queuedAt && row.queuedAt <= row.submittedAt);
    assert.ok(row.submittedAt <= row.finishedAt);

    // Another restart and catch-up: the delivery has its alert; nothing goes out again.
    await dizi.stop();
    dizi = await start();
    await dizi.services.notify.alerts.catchUp(0);
    await dizi.services.notify.alerts.catchUp(0);
    assert.equal(submitsTo(PHONE).length, 1, 'the phone got the alert exactly once');
    assert.equal((await history(LI)).length, 1);
  });

  test('a live decision and a catch-up of the same delivery alert once', async () => {
    const WANG = 'wang@durable.test';
    const PHONE = '13800138102';
    await dizi!.addUser(WANG);
    await dizi!.services.notify.phones.bindByAdmin(WANG, PHONE);
    await dizi!.services.notify.rules.add(WANG, { keywords: ['urgent'] });
    const wire = await SmtpWire.connect(dizi!.smtpPort);
    await wire.command('EHLO durable.test');
    await wire.sendMail('ops@example.cn', [WANG], 'Subject: urgent\r\n\r\ndisk full\r\n');
    await wire.quit();
    const [msg] = await dizi!.waitForMessages(WANG, 1);
    await dizi!.services.notify.alerts.idle();
    // The same delivery handed to the deciding code again (as a catch-up on another node
    // would, not knowing this one decided): the (user, blob) key makes it a no-op.
    const again = await dizi!.services.notify.alerts.handle({
      userId: (await dizi!.services.directoryRepo.findUser(WANG))!.id,
      messageId: msg.id,
      blobId: msg.blobId,
      folder: 'INBOX',
      receivedAt: msg.internalDate,
    });
    assert.deepEqual(again, { state: 'none', reason: 'decided-before' });
    await waitUntil(() => submitsTo(PHONE).length >= 1, 'the alert SUBMIT');
    await dizi!.services.notify.alerts.catchUp(0);
    assert.equal(submitsTo(PHONE).length, 1);
    assert.equal((await history(WANG)).length, 1);
  });

  test('the alert row records a carrier failure report', async () => {
    const ZHAO = 'zhao@durable.test';
    const PHONE = '13800138103';
    await dizi!.addUser(ZHAO);
    await dizi!.services.notify.phones.bindByAdmin(ZHAO, PHONE);
    await dizi!.services.notify.rules.add(ZHAO, {});
    ismg.autoReportStat = 'UNDELIV';
    try {
      const wire = await SmtpWire.connect(dizi!.smtpPort);
      await wire.command('EHLO durable.test');
      await wire.sendMail('ops@example.cn', [ZHAO], 'Subject: switched off\r\n\r\nphone off\r\n');
      await wire.quit();
      const [row] = await waitUntil(async () => {
        const h = await history(ZHAO);
        return h[0]?.state === 'failed' ? h : null;
      }, 'the alert to record the failure report');
      assert.ok(row.submittedAt, 'it had been submitted');
      assert.ok(row.finishedAt);
      assert.match(row.error ?? '', /UNDELIV/);
    } finally {
      ismg.autoReportStat = 'DELIVRD';
    }
  });

  test('a delivery older than the catch-up age limit is not alerted', async () => {
    const SUN = 'sun@durable.test';
    const PHONE = '13800138104';
    await dizi!.addUser(SUN);
    await dizi!.services.notify.phones.bindByAdmin(SUN, PHONE);
    await dizi!.services.notify.rules.add(SUN, {});
    // A message in INBOX above the watermark, received two hours ago (an IMAP APPEND
    // with that date stands for a delivery a stopped process left that long ago).
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: dizi!.imapPort,
      secure: false,
      doSTARTTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: SUN, pass: 'password123' },
      logger: false,
    });
    await imap.connect();
    try {
      await imap.append(
        'INBOX',
        'From: old@example.cn\r\nSubject: old news\r\n\r\nfrom two hours ago\r\n',
        [],
        new Date(Date.now() - 2 * 3600_000),
      );
    } finally {
      await imap.logout();
    }
    const report = await dizi!.services.notify.alerts.catchUp(0);
    assert.equal(report.tooOld, 1);
    assert.equal(report.decided, 0);
    assert.equal(submitsTo(PHONE).length, 0);
    assert.deepEqual(await history(SUN), []);
    // The watermark moved past it: it is not counted again.
    assert.equal((await dizi!.services.notify.alerts.catchUp(0)).tooOld, 0);
  });
});

/** Rows of a query against the server's database, with the database's own client. */
async function query<T>(s: DiziProcessSettings, sql: string): Promise<T[]> {
  if (!s.databaseUrl) {
    const db = new BetterSqlite3(path.join(s.dataDir, 'dizi.sqlite'), {
      readonly: true,
      fileMustExist: true,
    });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  }
  const c = new Client({ connectionString: s.databaseUrl });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

describe('alert durability: kill -9 of the real server during a burst', () => {
  const USER = 'burst@durable.test';
  const PHONE = '13800138199';
  const MAILS = 40;
  const SESSIONS = 8;
  const KILL_AFTER = 15;
  let root: string;
  let settings: DiziProcessSettings;
  let database: TestDatabase;
  let server: DiziProcess | null = null;
  let ismg: CmppIsmgSimulator;
  let socketPath: string;

  before(async () => {
    ismg = await CmppIsmgSimulator.start({ accounts: { [ACCOUNT]: SECRET } });
    ismg.autoReportStat = 'DELIVRD';
    root = mkdtempSync(path.join(tmpdir(), 'dizi-alert-kill-'));
    const dataDir = path.join(root, 'data');
    mkdirSync(dataDir);
    socketPath = path.join(dataDir, 'redis', 'redis.sock');
    const configFile = path.join(root, 'dizi.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        // Only what the alert path needs: no IMAP/POP3 ports to collide with other tests.
        roles: ['smtp', 'worker'],
        http: { listenHost: '127.0.0.1' },
        smtp: { connectionsPerIpPerMinute: 10_000, connectionsPerIpAtOnce: 1000 },
        notify: { timeZone: 'Asia/Shanghai', alertCatchUpSeconds: 5 },
        links: [cmppLink(ismg.port)],
      }),
    );
    database = await createTestDatabase();
    settings = {
      dataDir,
      databaseUrl: database.url,
      smtpPort: await freePort(),
      submissionPort: await freePort(),
      smtpsPort: await freePort(),
      httpPort: await freePort(),
      configFile,
    };
    for (const args of [
      ['domain', 'add', 'durable.test'],
      ['user', 'add', USER, '--password', 'password123', '--quota', '0'],
      ['phone', 'bind', USER, PHONE],
      ['alert', 'add', USER],
    ]) {
      const r = await diziCli(settings, args);
      assert.equal(r.code, 0, `dizi ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    }
  });

  after(async () => {
    await server?.stop().catch(() => undefined);
    for (const pid of redisServersOn(socketPath)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await ismg?.close();
    await database?.drop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test(
    'after the restart every stored mail has exactly one alert and one SMS at the ISMG',
    { timeout: 240_000 },
    async (t) => {
      // While the first server lives the ISMG never answers CONNECT: no SMS reaches it
      // before the kill, so a SUBMIT it sees twice can only be a second alert.
      ismg.ignoreConnects = true;
      server = await DiziProcess.start(settings, 60_000);
      const first = server;
      let acked = 0;
      let next = 0;
      let kill: Promise<void> | null = null;
      const session = async () => {
        let wire: SmtpWire;
        try {
          wire = await SmtpWire.connect(settings.smtpPort);
          if ((await wire.command('EHLO burst.test')).code !== 250) return;
        } catch {
          return;
        }
        while (next < MAILS) {
          const n = next++;
          try {
            const reply = await wire.sendMail(
              'ops@example.cn',
              [USER],
              `Message-ID: <alert-${n}@burst.test>\r\nFrom: ops@example.cn\r\nSubject: alarm ${n}\r\n\r\nserver ${n} down\r\n`,
            );
            if (reply.code === 250) acked++;
          } catch {
            return; // the server died with this mail in doubt
          }
          if (acked >= KILL_AFTER && !kill) kill = first.kill9();
        }
        await wire.quit().catch(() => undefined);
      };
      await Promise.all(Array.from({ length: SESSIONS }, session));
      assert.ok(kill, 'the kill came during the burst');
      await kill;
      const storedAtKill = (await readMailboxRows(settings, USER)).length;
      const alertsAtKill = (
        await query<{ n: number }>(settings, 'SELECT COUNT(*) AS n FROM alerts')
      )[0];
      t.diagnostic(
        `${acked} acknowledged at the kill; ${storedAtKill} stored, ${Number(alertsAtKill.n)} decided`,
      );

      ismg.ignoreConnects = false;
      server = await DiziProcess.start(settings, 60_000);
      // Every stored mail gets its alert (the catch-up for those decided by nobody; the
      // stale-decided reconcile for those decided and not queued) and the SMS goes out.
      const settled = async () => {
        const stored = await readMailboxRows(settings, USER);
        const alerts = await query<{ state: string; sms_id: string | null }>(
          settings,
          'SELECT state, sms_id FROM alerts',
        );
        return stored.length >= acked &&
          alerts.length === stored.length &&
          alerts.every((a) => a.state === 'delivered') &&
          submitsTo(PHONE).length >= stored.length
          ? { stored, alerts }
          : null;
      };
      const submitsTo = (number: string) =>
        ismg.submits.filter((s) => s.submit.destTerminalIds.includes(number) && s.result === 0);
      const { stored, alerts } = await waitUntil(
        settled,
        'every stored mail to be alerted',
        180_000,
        250,
      );
      const smsRows = await query<{ id: string }>(
        settings,
        "SELECT id FROM sms_messages WHERE purpose = 'alert'",
      );
      assert.equal(smsRows.length, stored.length, 'one alert SMS per stored mail');
      assert.equal(new Set(alerts.map((a) => a.sms_id)).size, stored.length);
      // A few seconds more: a late second alert would show up here.
      await new Promise((r) => setTimeout(r, 6000));
      assert.equal(submitsTo(PHONE).length, stored.length, 'each alert reached the ISMG once');
      assert.equal((await query(settings, 'SELECT id FROM alerts')).length, stored.length);
    },
  );
});
