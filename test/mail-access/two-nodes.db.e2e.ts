import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { DiziHarness } from '../support/dizi-harness';
import { swaks } from '../support/peers';

// Two Dizi nodes on one database and one Redis: an IDLE session on node A hears of a
// mail that node B's SMTP listener accepted and delivered (R1, issue 3).
describe('two nodes: IDLE on one, delivery on the other', () => {
  let a: DiziHarness;
  let b: DiziHarness;

  before(async () => {
    a = await DiziHarness.start({ http: false, config: { roles: ['imap', 'worker'] } });
    await a.addUser('idle@example.com', 'idlepassword');
    b = await DiziHarness.start({
      http: false,
      dataDir: a.config.dataDir,
      sharedDatabaseUrl: a.databaseUrl,
      config: { roles: ['smtp'], redisUrl: a.runtime.redisUrl },
    });
  });
  after(async () => {
    await b.stop();
    await a.stop();
  });

  test('the IDLE session on node A is told within a second', async () => {
    assert.equal(a.smtpPort, 0, 'node A has no SMTP listener');
    assert.equal(b.imapPort, 0, 'node B has no IMAP listener');
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: a.imapPort,
      secure: false,
      doSTARTTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'idle@example.com', pass: 'idlepassword' },
      logger: false,
    });
    await imap.connect();
    await imap.mailboxOpen('INBOX');
    const exists = new Promise<number>((resolve) =>
      imap.on('exists', (i: { count: number }) => resolve(i.count)),
    );
    const idling = imap.idle();
    while (!imap.idling) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    const sent = swaks([
      '--server',
      `127.0.0.1:${b.smtpPort}`,
      '--from',
      'x@remote.test',
      '--to',
      'idle@example.com',
    ]);
    assert.equal(await exists, 1);
    const elapsed = Date.now() - started;
    assert.equal((await sent).code, 0);
    assert.ok(elapsed < 1000, `told after ${elapsed} ms`);
    await imap.logout();
    await idling.catch(() => undefined);
  });
});
