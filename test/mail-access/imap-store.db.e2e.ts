import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { encodeMailboxName } from '@dizi/imap';
import { DiziHarness } from '../support/dizi-harness';
import { python, swaks } from '../support/peers';

// IMAP over the real store: mail delivered by SMTP is read with independent clients
// (Python imaplib, imapflow), IDLE hears of SMTP deliveries at once (through Redis),
// folder operations keep quota accounting right, QRESYNC returns only what changed.
describe('IMAP on the SQL store', () => {
  let dizi: DiziHarness;
  const client = (opts: { qresync?: boolean } = {}) =>
    new ImapFlow({
      host: '127.0.0.1',
      port: dizi.imapPort,
      secure: false,
      doSTARTTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'ming@example.cn', pass: 'mingpassword' },
      logger: false,
      ...opts,
    });
  const deliver = (subject: string, body = 'hello') =>
    swaks([
      '--server',
      `127.0.0.1:${dizi.smtpPort}`,
      '--from',
      'x@remote.test',
      '--to',
      'ming@example.cn',
      '--header',
      `Subject: ${subject}`,
      '--body',
      body,
    ]);

  before(async () => {
    dizi = await DiziHarness.start({ http: false });
    await dizi.addUser('ming@example.cn', 'mingpassword', 5);
  });
  after(() => dizi.stop());

  test('Python imaplib reads a mail delivered by SMTP, byte for byte as stored', async () => {
    assert.equal((await deliver('first mail', 'line one')).code, 0);
    const [msg] = await dizi.waitForMessages('ming@example.cn', 1);
    const stored = await dizi.services.blobs.read(msg.blobId);
    const r = await python(`
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
M = imaplib.IMAP4('127.0.0.1', ${dizi.imapPort})
M.starttls(ssl_context=ctx)
M.login('ming@example.cn', 'mingpassword')
typ, data = M.select('INBOX')
print('EXISTS', data[0].decode())
typ, data = M.uid('FETCH', '1', '(RFC822)')
sys.stdout.buffer.write(b'LEN ' + str(len(data[0][1])).encode() + b'\\n')
sys.stdout.buffer.write(data[0][1])
M.logout()
`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /EXISTS 1/);
    assert.match(r.stdout, new RegExp(`LEN ${stored.length}\\n`));
    assert.ok(r.stdout.includes(stored.toString('utf8')), 'the message comes back as stored');
  });

  test('an IDLE session hears of a mail delivered by SMTP within one second', async () => {
    const watcher = client();
    await watcher.connect();
    await watcher.mailboxOpen('INBOX');
    const exists = new Promise<number>((resolve) =>
      watcher.on('exists', (i: { count: number }) => resolve(i.count)),
    );
    const idling = watcher.idle();
    while (!watcher.idling) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    const sent = deliver('pushed');
    const count = await exists;
    const elapsed = Date.now() - started;
    assert.equal((await sent).code, 0);
    assert.ok(count >= 2);
    assert.ok(elapsed < 1000, `told after ${elapsed} ms`);
    await watcher.logout();
    await idling.catch(() => undefined);
  });

  test('a Chinese folder created by imapflow is listed in modified UTF-7 by imaplib', async () => {
    const imap = client();
    await imap.connect();
    await imap.mailboxCreate(['客户', '重要']);
    await imap.logout();
    const r = await python(
      `
import imaplib
M = imaplib.IMAP4('127.0.0.1', ${dizi.imapPort})
M.starttls()
M.login('ming@example.cn', 'mingpassword')
for line in M.list()[1]: print(line.decode())
`.replace(
        'M.starttls()',
        'import ssl\nctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE\nM.starttls(ssl_context=ctx)',
      ),
    );
    assert.equal(r.code, 0, r.stderr);
    const encoded = encodeMailboxName('客户/重要');
    assert.ok(r.stdout.includes(encoded), `${encoded} in:\n${r.stdout}`);
    assert.match(r.stdout, /\\Sent/);
  });

  test('APPEND, COPY, MOVE and EXPUNGE keep quota accounting exact', async () => {
    const user = () => dizi.services.directoryRepo.findUser('ming@example.cn');
    const before = (await user())!.usedBytes;
    const imap = client();
    await imap.connect();
    const body = Buffer.from('Subject: appended\r\n\r\n' + 'x'.repeat(1000) + '\r\n');
    await imap.append('Drafts', body, ['\\Draft']);
    assert.equal((await user())!.usedBytes, before + body.length);
    await imap.mailboxOpen('Drafts');
    await imap.messageCopy('1:*', 'INBOX');
    assert.equal(
      (await user())!.usedBytes,
      before + 2 * body.length,
      'a copy counts against the quota',
    );
    await imap.messageMove('1:*', 'Trash');
    assert.equal((await user())!.usedBytes, before + 2 * body.length, 'a move does not');
    await imap.mailboxOpen('Trash');
    await imap.messageDelete('1:*');
    assert.equal((await user())!.usedBytes, before + body.length);
    const quota = await imap.getQuota('INBOX');
    assert.ok(quota && quota.storage && quota.storage.limit === 5 * 1024 * 1024);
    await imap.logout();
  });

  test('CONDSTORE/QRESYNC: a resync returns only what changed since a mod-sequence', async () => {
    const imap = client({ qresync: true });
    await imap.connect();
    const box = await imap.mailboxOpen('INBOX');
    const highest = BigInt(box.highestModseq ?? 0);
    assert.ok(box.exists >= 2);
    await imap.messageFlagsAdd('2', ['\\Flagged']);
    const changed = await imap.fetchAll(
      '1:*',
      { uid: true, flags: true },
      { changedSince: highest },
    );
    assert.equal(changed.length, 1, 'only the message whose flags changed');
    assert.equal(changed[0].seq, 2);
    assert.ok(changed[0].flags?.has('\\Flagged'));
    await imap.logout();
  });

  test('the domain switch turns IMAP off and on again', async () => {
    await dizi.services.directory.setDomainAccess('example.cn', { imap: false });
    await assert.rejects(client().connect(), 'IMAP is off for the domain');
    await dizi.services.directory.setDomainAccess('example.cn', { imap: true });
    const imap = client();
    await imap.connect();
    await imap.logout();
  });

  test('a wrong password is refused', async () => {
    const bad = new ImapFlow({
      host: '127.0.0.1',
      port: dizi.imapPort,
      secure: false,
      doSTARTTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'ming@example.cn', pass: 'wrong' },
      logger: false,
    });
    await assert.rejects(bad.connect());
  });
});
