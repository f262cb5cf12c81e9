import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImapServer } from '../../libs/imap/src/server/imap-server';
import { InMemoryMailStore } from '../../libs/imap/src/testing/in-memory-mailbox-access';
import { RawImapClient } from './raw-imap-client';
import { testCertificate } from './test-certificate';

const MESSAGE =
  'From: "Zhang San" <zhang@example.cn>\r\nTo: li@example.cn\r\nSubject: =?UTF-8?B?5rWL6K+V?=\r\n' +
  'Date: Mon, 23 Nov 2026 10:00:00 +0800\r\nMessage-ID: <m1@example.cn>\r\n' +
  'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n你好，世界\r\nsecond line\r\n';

describe('IMAP server over a real socket (byte-level)', () => {
  let store: InMemoryMailStore;
  let server: ImapServer;
  let port: number;

  before(async () => {
    store = new InMemoryMailStore();
    const access = store.addUser('alice', 'secret');
    await access.appendMessage('INBOX', Buffer.from(MESSAGE), [], new Date('2026-11-23T02:00:00Z'));
    await access.appendMessage(
      'INBOX',
      Buffer.from('Subject: two\r\n\r\nsecond\r\n'),
      ['\\Seen'],
      new Date('2026-11-23T03:00:00Z'),
    );
    server = new ImapServer({
      authenticator: store,
      port: 0,
      tls: testCertificate(),
      requireTlsForAuth: false,
      failedLoginDelayMs: 50,
      idleKeepaliveMs: 200,
    });
    port = (await server.listen()).port;
  });

  after(() => server.close());

  async function loggedIn(): Promise<RawImapClient> {
    const client = await RawImapClient.connect(port);
    await client.waitFor(/^\* OK .*\r\n/);
    assert.match(await client.command('l', 'LOGIN alice secret'), /l OK \[CAPABILITY /);
    return client;
  }

  it('greets with the full capability list and logs in', async () => {
    const client = await RawImapClient.connect(port);
    const greeting = await client.waitFor(/\r\n/);
    assert.match(
      greeting,
      /^\* OK \[CAPABILITY IMAP4rev1 LITERAL\+ SASL-IR ID ENABLE IDLE .*STARTTLS.*AUTH=PLAIN/,
    );
    assert.match(await client.command('a1', 'LOGIN alice wrong'), /a1 NO \[AUTHENTICATIONFAILED\]/);
    assert.match(
      await client.command('a2', 'SELECT INBOX'),
      /a2 BAD SELECT is not valid in this state/,
    );
    assert.match(await client.command('a3', 'LOGIN alice secret'), /a3 OK/);
    assert.match(await client.command('a4', 'LOGOUT'), /^\* BYE .*\r\na4 OK/);
    client.close();
  });

  it('selects INBOX and fetches bytes exactly as stored', async () => {
    const client = await loggedIn();
    const select = await client.command('s', 'SELECT INBOX');
    assert.match(select, /\* 2 EXISTS\r\n/);
    assert.match(select, /\* OK \[UIDVALIDITY \d+\]/);
    assert.match(select, /\* OK \[UIDNEXT 3\]/);
    assert.match(select, /\* OK \[UNSEEN 1\]/);
    assert.match(select, /s OK \[READ-WRITE\]/);
    const fetched = await client.command('f', 'FETCH 1 (UID RFC822.SIZE BODY.PEEK[])');
    const size = Buffer.byteLength(MESSAGE);
    assert.ok(
      fetched.startsWith(
        `* 1 FETCH (UID 1 RFC822.SIZE ${size} BODY[] {${size}}\r\n${MESSAGE})\r\nf OK`,
      ),
      fetched,
    );
    const flags = await client.command('g', 'FETCH 1 (FLAGS)');
    assert.match(flags, /\* 1 FETCH \(FLAGS \(\\Recent\)\)/, 'PEEK did not set \\Seen');
    const body = await client.command('h', 'FETCH 1 (BODY[TEXT])');
    assert.match(
      body,
      /BODY\[TEXT\] \{\d+\}\r\n你好，世界\r\nsecond line\r\n FLAGS \(\\Seen \\Recent\)\)/,
    );
    client.close();
  });

  it('answers ENVELOPE and BODYSTRUCTURE', async () => {
    const client = await loggedIn();
    await client.command('s', 'EXAMINE INBOX');
    const text = await client.command('f', 'UID FETCH 1 (ENVELOPE BODYSTRUCTURE)');
    assert.match(
      text,
      /ENVELOPE \("Mon, 23 Nov 2026 10:00:00 \+0800" "=\?UTF-8\?B\?5rWL6K\+V\?=" \(\("Zhang San" NIL "zhang" "example.cn"\)\)/,
    );
    assert.match(
      text,
      /BODYSTRUCTURE \("TEXT" "PLAIN" \("CHARSET" "utf-8"\) NIL NIL "8BIT" 30 2 NIL NIL NIL NIL\)/,
    );
    client.close();
  });

  it('takes synchronizing and non-synchronizing literals, refuses huge ones', async () => {
    const client = await loggedIn();
    client.send('a1 APPEND INBOX {13}\r\n');
    await client.waitFor(/^\+ .*\r\n/);
    client.send('Subject: x\r\n\r\n');
    assert.match(await client.waitFor(/a1 (OK|NO|BAD).*\r\n/), /a1 OK \[APPENDUID \d+ 3\]/);
    assert.match(
      await client.command('a2', 'APPEND INBOX (\\Seen) {13+}\r\nSubject: y\r\n\r\n'),
      /a2 OK \[APPENDUID \d+ 4\]/,
    );
    assert.match(await client.command('a3', 'APPEND INBOX {2147483648}'), /a3 NO \[TOOBIG\]/);
    assert.match(await client.command('a4', 'NOOP'), /a4 OK/);
    client.send('a5 APPEND INBOX {2147483648+}\r\nxxxx');
    assert.match(await client.waitFor(/\* BYE.*\r\n/), /TOOBIG/);
    await client.waitFor(/$(?![\s\S])/).catch(() => undefined);
    client.close();
  });

  it('lists Chinese folders in modified UTF-7 with special-use attributes', async () => {
    const client = await loggedIn();
    assert.match(await client.command('c1', 'CREATE &XfJT0ZAB-/&W1Blh072WTk-'), /c1 OK/);
    const listed = await client.command('l1', 'LIST "" *');
    assert.match(listed, /\* LIST \(\\HasNoChildren\) "\/" "INBOX"\r\n/);
    assert.match(listed, /\* LIST \(\\HasNoChildren \\Sent\) "\/" "Sent"\r\n/);
    // CREATE made the parent level too (RFC 3501 6.3.3).
    assert.match(listed, /\* LIST \(\\HasChildren\) "\/" "&XfJT0ZAB-"\r\n/);
    assert.match(listed, /\* LIST \(\\HasNoChildren\) "\/" "&XfJT0ZAB-\/&W1Blh072WTk-"\r\n/);
    const special = await client.command('l2', 'LIST (SPECIAL-USE) "" "*"');
    assert.equal((special.match(/\* LIST/g) ?? []).length, 4);
    assert.match(await client.command('c2', 'CREATE "&Jjo!"'), /c2 NO/);
    client.close();
  });

  it('survives junk, wrong states and long lines, then closes after too many errors', async () => {
    const client = await loggedIn();
    assert.match(
      await client.command('b1', 'FETCH 1 FLAGS'),
      /b1 BAD FETCH is not valid in this state/,
    );
    assert.match(await client.command('b2', 'SELECT INBOX (((((('), /b2 BAD/);
    client.send(`b3 FETCH ${'1,'.repeat(60_000)}1 FLAGS\r\n`);
    assert.match(await client.waitFor(/b3 .*\r\n/), /b3 BAD Command line too long/);
    assert.match(await client.command('b4', 'NOOP'), /b4 OK/);
    for (let i = 0; i < 10; i++) client.send(`x${i} BOGUS\r\n`);
    assert.match(await client.waitFor(/\* BYE Too many invalid commands\r\n/), /BYE/);
    client.close();
  });

  it('upgrades with STARTTLS and compresses with COMPRESS=DEFLATE', async () => {
    const client = await RawImapClient.connect(port);
    await client.waitFor(/\r\n/);
    assert.match(await client.command('t1', 'STARTTLS'), /t1 OK/);
    await client.startTls();
    const caps = await client.command('t2', 'CAPABILITY');
    assert.doesNotMatch(caps, /STARTTLS/);
    assert.match(await client.command('t3', 'LOGIN alice secret'), /t3 OK/);
    assert.match(await client.command('t4', 'COMPRESS DEFLATE'), /t4 OK/);
    client.startCompression();
    assert.match(await client.command('t5', 'SELECT INBOX'), /t5 OK \[READ-WRITE\]/);
    assert.match(await client.command('t6', 'COMPRESS DEFLATE'), /t6 NO \[COMPRESSIONACTIVE\]/);
    client.close();
  });

  it('pushes new mail and keep-alives during IDLE, ends on DONE', async () => {
    const client = await loggedIn();
    await client.command('s', 'SELECT INBOX');
    client.send('i1 IDLE\r\n');
    await client.waitFor(/^\+ idling\r\n/);
    assert.match(await client.waitFor(/\* OK Still here\r\n/, 2000), /Still here/);
    const other = await store.authenticate('alice', 'secret');
    await other?.appendMessage(
      'INBOX',
      Buffer.from('Subject: pushed\r\n\r\nhi\r\n'),
      [],
      new Date(),
    );
    const started = Date.now();
    assert.match(await client.waitFor(/\* \d+ EXISTS\r\n/, 1000), /EXISTS/);
    assert.ok(Date.now() - started < 1000);
    client.send('DONE\r\n');
    assert.match(await client.waitFor(/i1 OK.*\r\n/), /i1 OK IDLE terminated/);
    client.close();
  });
});

describe('IMAP listener options', () => {
  it('serves implicit TLS (the IMAPS port) and limits connections per address', async () => {
    const store = new InMemoryMailStore();
    store.addUser('bob', 'pw');
    const server = new ImapServer({
      authenticator: store,
      port: 0,
      tls: testCertificate(),
      implicitTls: true,
      maxConnectionsPerIp: 2,
    });
    const { port } = await server.listen();
    try {
      const first = await RawImapClient.connect(port, { tls: true });
      const greeting = await first.waitFor(/\r\n/);
      assert.match(greeting, /AUTH=PLAIN/);
      assert.doesNotMatch(greeting, /STARTTLS|LOGINDISABLED/);
      assert.match(await first.command('a', 'LOGIN bob pw'), /a OK/);
      const second = await RawImapClient.connect(port, { tls: true });
      await second.waitFor(/\r\n/);
      const third = await RawImapClient.connect(port, { tls: true });
      assert.match(await third.waitFor(/\r\n/), /^\* BYE Too many connections/);
      for (const client of [first, second, third]) client.close();
    } finally {
      await server.close();
    }
  });
});
