import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import * as iconv from 'iconv-lite';
import { ImapServer } from '../../libs/imap/src/server/imap-server';
import { InMemoryMailStore } from '../../libs/imap/src/testing/in-memory-mailbox-access';
import { testCertificate } from './test-certificate';

const GB2312_MESSAGE = Buffer.concat([
  Buffer.from(
    'From: =?GB2312?B?1cXI/Q==?= <z3@example.cn>\r\nTo: alice@example.cn\r\n' +
      'Subject: =?GB2312?B?u+HS6c2o1qo=?=\r\nDate: Sun, 22 Nov 2026 23:30:00 +0800\r\n' +
      'Message-ID: <gb@example.cn>\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: text/plain; charset=GB2312\r\nContent-Transfer-Encoding: base64\r\n\r\n',
  ),
  Buffer.from(iconv.encode('明天下午三点在会议室开会。', 'gb2312').toString('base64') + '\r\n'),
]);

describe('imapflow against the Dizi IMAP server', () => {
  let store: InMemoryMailStore;
  let server: ImapServer;
  let port: number;

  before(async () => {
    store = new InMemoryMailStore();
    store.addUser('alice', 'secret', { storageLimitBytes: 10 * 1024 * 1024 });
    server = new ImapServer({ authenticator: store, port: 0, tls: testCertificate() });
    port = (await server.listen()).port;
  });

  after(() => server.close());

  function client(options: { qresync?: boolean } = {}): ImapFlow {
    return new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      doSTARTTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'alice', pass: 'secret' },
      logger: false,
      ...options,
    });
  }

  it('logs in over STARTTLS with compression and lists special-use folders', async () => {
    const imap = client();
    await imap.connect();
    assert.equal(imap.secureConnection, true);
    // imapflow negotiated COMPRESS=DEFLATE (its deflate stream exists only then).
    assert.ok((imap as unknown as { _deflate?: object })._deflate, 'COMPRESS=DEFLATE in use');
    const folders = await imap.list();
    const byUse = new Map(folders.map((f) => [f.specialUse, f.path]));
    assert.equal(byUse.get('\\Sent'), 'Sent');
    assert.equal(byUse.get('\\Trash'), 'Trash');
    assert.equal(byUse.get('\\Drafts'), 'Drafts');
    assert.equal(byUse.get('\\Junk'), 'Junk');
    assert.equal(byUse.get('\\Inbox'), 'INBOX');
    await imap.mailboxCreate(['已发送', '子文件夹']);
    const again = await imap.list();
    assert.ok(again.some((f) => f.path === '已发送/子文件夹' && f.name === '子文件夹'));
    await imap.logout();
  });

  it('appends, fetches, searches in Chinese, flags and moves', async () => {
    const imap = client();
    await imap.connect();
    const appended = await imap.append(
      'INBOX',
      GB2312_MESSAGE,
      ['$Work'],
      new Date('2026-11-22T15:30:00Z'),
    );
    assert.ok(appended && appended.uid === 1);
    const lock = await imap.getMailboxLock('INBOX');
    try {
      const message = await imap.fetchOne('1', {
        uid: true,
        source: true,
        envelope: true,
        bodyStructure: true,
        flags: true,
        size: true,
      });
      assert.ok(message);
      assert.deepEqual(message.source, GB2312_MESSAGE);
      assert.equal(message.size, GB2312_MESSAGE.length);
      assert.equal(message.envelope?.subject, '会议通知');
      assert.equal(message.envelope?.from?.[0]?.name, '张三');
      assert.equal(message.bodyStructure?.type, 'text/plain');
      assert.equal(message.bodyStructure?.encoding, 'base64');
      assert.ok(message.flags?.has('$Work'));

      assert.deepEqual(await imap.search({ body: '会议室' }, { uid: true }), [1]);
      assert.deepEqual(await imap.search({ subject: '通知' }, { uid: true }), [1]);
      assert.deepEqual(await imap.search({ body: '不存在' }, { uid: true }), []);

      await imap.messageFlagsAdd('1', ['\\Flagged'], { uid: true });
      const flagged = await imap.fetchOne('1', { flags: true });
      assert.ok(flagged && flagged.flags?.has('\\Flagged'));

      const moved = await imap.messageMove('1', 'Trash', { uid: true });
      assert.ok(moved && moved.uidMap?.get(1) === 1);
    } finally {
      lock.release();
    }
    const status = await imap.status('Trash', { messages: true, unseen: true, uidNext: true });
    assert.ok(status && status.messages === 1 && status.uidNext === 2);
    const quota = await imap.getQuota('INBOX');
    assert.ok(
      quota &&
        quota.storage &&
        quota.storage.usage === Math.ceil(GB2312_MESSAGE.length / 1024) * 1024,
    );
    await imap.logout();
  });

  it('hears of mail appended by another session while idling', async () => {
    const watcher = client();
    await watcher.connect();
    await watcher.mailboxOpen('INBOX');
    const exists = new Promise<number>((resolve) =>
      watcher.on('exists', (info: { count: number }) => resolve(info.count)),
    );
    const writer = client();
    await writer.connect();
    // imapflow would start IDLE by itself after 15 s; start it now.
    const idling = watcher.idle();
    while (!watcher.idling) await new Promise((resolve) => setTimeout(resolve, 10));
    const started = Date.now();
    await writer.append('INBOX', Buffer.from('Subject: push\r\n\r\nnew mail\r\n'));
    const count = await exists;
    assert.ok(count >= 1);
    assert.ok(Date.now() - started < 1000, 'IDLE push within a second');
    await writer.logout();
    await watcher.logout();
    await idling;
  });

  it('resynchronizes with QRESYNC: only what changed since the last mod-sequence', async () => {
    const imap = client({ qresync: true });
    await imap.connect();
    const box = await imap.mailboxOpen('INBOX');
    const highest = Number(box.highestModseq);
    assert.ok(highest > 0);
    await imap.append('INBOX', Buffer.from('Subject: later\r\n\r\nlater\r\n'));
    await imap.noop();
    const changed = await imap.fetchAll(
      '1:*',
      { uid: true, flags: true },
      { changedSince: BigInt(highest) },
    );
    assert.equal(changed.length, 1);
    assert.ok(changed[0].modseq && changed[0].modseq > BigInt(highest));
    await imap.logout();
  });
});
