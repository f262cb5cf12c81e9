import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  diziCli,
  DiziProcess,
  DiziProcessSettings,
  isAlive,
  readMailboxRows,
  redisServersOn,
} from '../support/dizi-process';
import { freePort } from '../support/peers';
import { SmtpWire, waitUntil } from '../support/smtp-wire';
import { createTestDatabase, TestDatabase } from '../support/test-database';

// Issue 2, durability (R2): "kill -9 at any moment loses no acknowledged mail". The real
// server runs as a child process; a burst of messages over concurrent sessions is cut
// by SIGKILL; after a restart on the same data folder every message that got its
// `250 … queued as <id>` is in the mailbox exactly once, and nothing is duplicated.

const USER = 'user@crash.test';
const MESSAGES = 300;
const SESSIONS = 10;
/** SIGKILL once this many messages were acknowledged: squarely inside the burst. */
const KILL_AFTER = 120;

describe('crash: SIGKILL during a burst loses no acknowledged message', () => {
  let root: string;
  let settings: DiziProcessSettings;
  let database: TestDatabase;
  let server: DiziProcess | null = null;
  let socketPath: string;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'dizi-crash-'));
    const dataDir = path.join(root, 'data');
    mkdirSync(dataDir);
    socketPath = path.join(dataDir, 'redis', 'redis.sock');
    const configFile = path.join(root, 'dizi.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        http: { listenHost: '127.0.0.1' },
        smtp: { connectionsPerIpPerMinute: 10_000, connectionsPerIpAtOnce: 1000 },
        // Not used here, but on their default ports they collide with whatever else
        // runs on this machine at the same time (another suite, a developer's server).
        imap: { listenHost: '127.0.0.1', port: 0, tlsPort: 0 },
        pop3: { listenHost: '127.0.0.1', port: 0, tlsPort: 0 },
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
      ['domain', 'add', 'crash.test'],
      ['user', 'add', USER, '--password', 'password123', '--quota', '0'],
    ]) {
      const r = await diziCli(settings, args);
      assert.equal(r.code, 0, `dizi ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    }
  });

  after(async () => {
    await server?.stop().catch(() => undefined);
    // A SIGKILLed server leaves its redis-server child behind: never leak it.
    for (const pid of redisServersOn(socketPath)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await database?.drop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test(
    'every acknowledged message is in the mailbox exactly once after kill -9 and restart',
    { timeout: 60_000 },
    async (t) => {
      server = await DiziProcess.start(settings);
      const first = server;

      // ---- the burst: SESSIONS sessions share MESSAGES messages; SIGKILL after KILL_AFTER acks.
      const acked = new Map<number, string>(); // message number -> queue id from the 250 reply
      const refused: string[] = [];
      let next = 0;
      const kill: { done: Promise<void> | null } = { done: null };
      const session = async () => {
        let wire: SmtpWire;
        try {
          wire = await SmtpWire.connect(settings.smtpPort);
          if ((await wire.command('EHLO burst.test')).code !== 250) return;
        } catch {
          return; // the server is already gone
        }
        while (next < MESSAGES) {
          const n = next++;
          const body = `Message-ID: <crash-${n}@burst.test>\r\nSubject: crash ${n}\r\nFrom: <burst@remote.test>\r\nTo: <${USER}>\r\n\r\n${`message ${n} `.repeat(150)}\r\n`;
          let reply;
          try {
            reply = await wire.sendMail('burst@remote.test', [USER], body);
          } catch {
            return; // the connection died with the server: message n is in doubt, not acked
          }
          const m = /^2\.6\.0 Ok: queued as (\w+)$/.exec(reply.text);
          if (reply.code === 250 && m) acked.set(n, m[1]);
          else refused.push(reply.raw);
          if (acked.size >= KILL_AFTER && !kill.done) kill.done = first.kill9();
        }
        await wire.quit();
      };
      await Promise.all(Array.from({ length: SESSIONS }, session));
      assert.ok(kill.done, `the burst ended before ${KILL_AFTER} acks`);
      await kill.done;
      assert.deepEqual(refused, [], 'no refusals during the burst');
      assert.ok(acked.size >= KILL_AFTER, `${acked.size} acknowledged`);
      assert.ok(
        acked.size < MESSAGES,
        `the kill came mid-burst (${acked.size} of ${MESSAGES} acked)`,
      );

      // kill -9 leaves the private redis-server running; the restart must cope with it.
      const orphans = redisServersOn(socketPath);
      assert.equal(orphans.length, 1, 'the killed server left its redis-server running');

      const spoolDir = path.join(settings.dataDir, 'spool');
      const inSpool = readdirSync(spoolDir).filter((n) => n.endsWith('.eml')).length;
      const storedAtKill = (await readMailboxRows(settings, USER)).length;
      t.diagnostic(
        `${acked.size} acknowledged at the kill; ${storedAtKill} in the mailbox, ${inSpool} left in the spool`,
      );

      // ---- restart on the same data folder: the spool is finished before the MX listens.
      server = await DiziProcess.start(settings);
      for (const pid of orphans)
        await waitUntil(() => !isAlive(pid), `the stale redis-server ${pid} to be shut down`, 5000);
      assert.equal(redisServersOn(socketPath).length, 1, 'one private redis-server after restart');

      await waitUntil(
        () => !readdirSync(spoolDir).some((n) => n.endsWith('.eml')),
        'the recovered spool to be processed',
        20_000,
      );
      const rows = await readMailboxRows(settings, USER);
      const byMessageId = new Map<string, typeof rows>();
      for (const r of rows)
        byMessageId.set(r.messageId, [...(byMessageId.get(r.messageId) ?? []), r]);
      const duplicated = [...byMessageId].filter(([, list]) => list.length > 1).map(([id]) => id);
      assert.deepEqual(duplicated, [], 'no message is stored twice');
      const missing: string[] = [];
      for (const [n, queueId] of acked) {
        const copies = byMessageId.get(`<crash-${n}@burst.test>`);
        if (!copies) missing.push(`crash-${n} (queued as ${queueId})`);
        else
          assert.equal(copies[0].blobId, queueId, `crash-${n} is the message queued as ${queueId}`);
      }
      assert.deepEqual(missing, [], 'every acknowledged message is in the mailbox');
      // Messages that were never acknowledged may or may not be there (the client must retry
      // them), but nothing else may be.
      for (const id of byMessageId.keys()) assert.match(id, /^<crash-\d+@burst\.test>$/);

      // ---- and the restarted server works normally.
      const wire = await SmtpWire.connect(settings.smtpPort);
      await wire.command('EHLO after.test');
      const r = await wire.sendMail(
        'after@remote.test',
        [USER],
        'Message-ID: <after-restart@burst.test>\r\nSubject: after restart\r\n\r\nhello\r\n',
      );
      assert.equal(r.code, 250, r.raw);
      await wire.quit();
      await waitUntil(
        async () =>
          (await readMailboxRows(settings, USER)).some(
            (row) => row.messageId === '<after-restart@burst.test>',
          ),
        'the message sent after the restart',
      );
    },
  );
});
