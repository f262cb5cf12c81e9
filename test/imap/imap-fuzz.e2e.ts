import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sectionBytes } from '../../libs/imap/src/mime/body-section';
import { bodyStructure } from '../../libs/imap/src/mime/body-structure';
import { envelope } from '../../libs/imap/src/mime/envelope';
import { parseMimeTree } from '../../libs/imap/src/mime/mime-tree';
import { serializeValues } from '../../libs/imap/src/response/imap-value';
import { matchesSearch } from '../../libs/imap/src/search/search-evaluator';
import { SearchableMessage } from '../../libs/imap/src/search/searchable-message';
import { ImapServer } from '../../libs/imap/src/server/imap-server';
import { DEFAULT_SESSION_LIMITS, ImapSession } from '../../libs/imap/src/session/imap-session';
import { InMemoryMailStore } from '../../libs/imap/src/testing/in-memory-mailbox-access';
import { RecordingTransport } from '../../libs/imap/src/testing/recording-transport';
import { RawImapClient } from './raw-imap-client';

/** A small seeded PRNG (mulberry32) so a failing run can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  'a1',
  'UID',
  'FETCH',
  'SEARCH',
  'STORE',
  'COPY',
  'MOVE',
  'EXPUNGE',
  'SELECT',
  'EXAMINE',
  'LIST',
  'APPEND',
  'IDLE',
  'DONE',
  'LOGIN',
  'AUTHENTICATE',
  'PLAIN',
  'ENABLE',
  'QRESYNC',
  'CONDSTORE',
  'STATUS',
  'ID',
  'NIL',
  'INBOX',
  '(',
  ')',
  '((((((((((',
  ')))))',
  '[',
  ']',
  '<',
  '>',
  '<0.100>',
  '{5}\r\n',
  '{5+}\r\nabcde',
  '{4294967296}',
  '{99999999999+}',
  '{0}\r\n',
  '*',
  '1:*',
  '*:4',
  '2,4:7',
  '0',
  '4294967295',
  '99999999999999999999',
  '"',
  '"quoted"',
  '\\',
  '\\Seen',
  '+FLAGS',
  '-FLAGS.SILENT',
  'BODY[',
  'BODY.PEEK[1.2.HEADER.FIELDS (A B)]<0.100>',
  'BODY[1.2.3.4.5.6.7.8.9]',
  'NOT',
  'OR',
  'CHARSET',
  'GB2312',
  'X-UNKNOWN',
  'HEADER',
  'TEXT',
  '已发送',
  '&XfJT0ZAB-',
  '&Jjo!',
  '(CHANGEDSINCE 1 VANISHED)',
  '(UNCHANGEDSINCE 0)',
  '\0',
  '\r',
  '\n',
  '\t',
  ' ',
];

const VALID = [
  'FETCH 1:* (FLAGS UID BODYSTRUCTURE ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT)])',
  'UID FETCH 1:* (BODY[] BODY[1.MIME] BODY[TEXT]<2.5>)',
  'UID SEARCH OR SUBJECT "x" NOT BODY "中文"',
  'SEARCH CHARSET UTF-8 TEXT "会议"',
  'STORE 1:2 +FLAGS (\\Deleted $Junk)',
  'UID COPY 1:* Trash',
  'UID MOVE 2 Junk',
  'EXPUNGE',
  'SELECT INBOX (CONDSTORE)',
  'EXAMINE Sent',
  'LIST "" *',
  'STATUS INBOX (MESSAGES UIDNEXT UNSEEN HIGHESTMODSEQ)',
  'CREATE &XfJT0ZAB-/x',
  'RENAME &XfJT0ZAB- y',
  'APPEND INBOX {10+}\r\nSubject: z',
  'GETQUOTAROOT INBOX',
  'NAMESPACE',
  'UNSELECT',
  'CLOSE',
  'IDLE',
];

function randomInput(next: () => number): Buffer {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const kind = next();
  if (kind < 0.25) {
    return Buffer.from(
      Array.from({ length: Math.floor(next() * 400) }, () => Math.floor(next() * 256)),
    );
  }
  if (kind < 0.6) {
    const words = Array.from({ length: 1 + Math.floor(next() * 12) }, () => pick(TOKENS));
    return Buffer.from(`${words.join(next() < 0.8 ? ' ' : '')}\r\n`);
  }
  // A valid command, sometimes damaged by deleting or inserting a character.
  let text = `t${Math.floor(next() * 1000)} ${pick(VALID)}`;
  if (next() < 0.5) {
    const at = Math.floor(next() * text.length);
    text =
      next() < 0.5
        ? text.slice(0, at) + text.slice(at + 1)
        : text.slice(0, at) + pick(['(', ')', '"', '{', '*', '\r\n']) + text.slice(at);
  }
  return Buffer.from(`${text}\r\n`);
}

/** Splits server output into response lines, stepping over literal data. */
function responseLines(output: Buffer): string[] {
  const lines: string[] = [];
  let start = 0;
  let at = 0;
  while (at < output.length) {
    const lf = output.indexOf(0x0a, at);
    if (lf === -1) break;
    const literal = /\{(\d+)\}\r$/.exec(output.toString('latin1', Math.max(at, lf - 24), lf));
    if (literal) {
      at = lf + 1 + Number(literal[1]);
      continue;
    }
    lines.push(output.toString('utf8', start, lf - 1));
    start = at = lf + 1;
  }
  return lines;
}

async function seededStore(): Promise<InMemoryMailStore> {
  const store = new InMemoryMailStore();
  const access = store.addUser('u', 'p');
  const forward =
    'Subject: fwd\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee\r\n' +
    '--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n--b--\r\n';
  await access.appendMessage('INBOX', Buffer.from(forward), [], new Date());
  await access.appendMessage(
    'INBOX',
    Buffer.from('Subject: 会议\r\n\r\n会议内容'),
    ['\\Seen'],
    new Date(),
  );
  return store;
}

describe('fuzzing the IMAP session and server', () => {
  const unexpected: unknown[] = [];
  const record = (error: unknown): void => {
    unexpected.push(error);
  };
  before(() => {
    process.on('uncaughtException', record);
    process.on('unhandledRejection', record);
  });
  after(() => {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
  });

  it('answers random input with BAD/NO or closes, never an internal error (400 seeded sessions)', async () => {
    for (let seed = 1; seed <= 400; seed++) {
      const next = random(seed);
      const store = await seededStore();
      const transport = new RecordingTransport();
      const internalErrors: unknown[] = [];
      const session = new ImapSession(
        transport,
        {
          authenticator: store,
          tlsAvailable: false,
          requireTlsForAuth: false,
          idleKeepaliveMs: 60_000,
          idleTimeoutMs: 60_000,
          serverName: 'fuzz',
          failedLoginDelayMs: 0,
          maxFailedLogins: 3,
        },
        { ...DEFAULT_SESSION_LIMITS, maxLineLength: 4096, maxLiteralSize: 65536 },
        (error) => internalErrors.push(error),
      );
      session.start();
      if (seed % 3 !== 0) session.receive(Buffer.from('L LOGIN u p\r\n'));
      if (seed % 3 === 1) session.receive(Buffer.from('S SELECT INBOX\r\n'));
      for (let i = 0; i < 30 && !transport.closed; i++) {
        session.receive(randomInput(next));
        if (i % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      session.receive(Buffer.from('\r\nZ NOOP\r\n'));
      await new Promise((resolve) => setTimeout(resolve, 5));
      session.closedByPeer();
      assert.deepEqual(internalErrors, [], `seed ${seed}: ${transport.text().slice(-500)}`);
      for (const line of responseLines(Buffer.concat(transport.written))) {
        assert.match(line, /^(\* |\+ |\S+ (OK|NO|BAD) )/, `seed ${seed}: malformed response line`);
      }
    }
    assert.deepEqual(unexpected, []);
  });

  it('parses random and mutated messages without throwing or hanging (2000 seeded messages)', () => {
    const pieces = [
      'From: ',
      'To: ',
      'Cc: ',
      'Subject: ',
      'Content-Type: ',
      'multipart/mixed; boundary=b',
      'message/rfc822',
      'text/plain; charset=gb2312',
      'Content-Transfer-Encoding: ',
      'base64',
      'quoted-printable',
      '=E4=B8',
      '=\r\n',
      '--b',
      '--b--',
      '\r\n',
      '\r\n\r\n',
      '\n',
      ' ',
      '"',
      '<',
      '>',
      '@',
      ',',
      ';',
      ':',
      '(',
      ')',
      '\\',
      '=?',
      '?=',
      '=?GB2312?B?u+E=?=',
      "filename*0*=utf-8''%E6",
      'filename*1=x',
      '中文',
      '\0',
      'Group:',
      'a@b.c',
    ];
    for (let seed = 1; seed <= 2000; seed++) {
      const next = random(seed);
      const parts = Array.from({ length: 5 + Math.floor(next() * 60) }, () =>
        next() < 0.1
          ? String.fromCharCode(Math.floor(next() * 256))
          : pieces[Math.floor(next() * pieces.length)],
      );
      const raw = Buffer.from(parts.join(''), 'utf8');
      const root = parseMimeTree(raw);
      serializeValues([
        bodyStructure(raw, root, true),
        bodyStructure(raw, root, false),
        envelope(root.fields),
      ]);
      for (const path of [[], [1], [2], [1, 1], [2, 1], [1, 2, 3]]) {
        sectionBytes(raw, root, { path });
        sectionBytes(raw, root, { path, specifier: 'MIME' });
        sectionBytes(raw, root, { path, specifier: 'HEADER.FIELDS', fields: ['subject'] });
      }
      const message = new SearchableMessage(
        {
          sequence: 1,
          uid: 1,
          flags: [],
          recent: false,
          internalDate: new Date(),
          size: raw.length,
          modseq: 1,
        },
        () => raw,
      );
      matchesSearch({ kind: 'text', value: '中文' }, message, { messageCount: 1, largestUid: 1 });
      matchesSearch({ kind: 'header', field: 'from', value: 'a' }, message, {
        messageCount: 1,
        largestUid: 1,
      });
      matchesSearch(
        { kind: 'date', source: 'sent', comparison: 'on', day: '2026-01-01' },
        message,
        {
          messageCount: 1,
          largestUid: 1,
        },
      );
    }
  });

  describe('over sockets', () => {
    let server: ImapServer;
    let port: number;
    const serverErrors: unknown[] = [];

    before(async () => {
      server = new ImapServer({
        authenticator: await seededStore(),
        port: 0,
        failedLoginDelayMs: 0,
        maxConnectionsPerIp: 100,
        limits: { maxLineLength: 8192, maxLiteralSize: 1024 * 1024 },
        onError: (error) => serverErrors.push(error),
      });
      port = (await server.listen()).port;
    });

    after(() => server.close());

    it('keeps serving, within bounded memory, while 20 clients send garbage', async () => {
      const before = process.memoryUsage().rss;
      const clients = await Promise.all(
        Array.from({ length: 20 }, () => RawImapClient.connect(port)),
      );
      await Promise.all(
        clients.map(async (client, index) => {
          const next = random(10_000 + index);
          if (index % 2) client.send('L LOGIN u p\r\nS SELECT INBOX\r\n');
          // 100 KB lines, unbalanced parentheses, a 2 GB literal announcement, random bytes.
          client.send(`x FETCH 1 ${'('.repeat(100_000)}\r\n`);
          client.send(`y APPEND INBOX {2147483648}\r\n`);
          for (let i = 0; i < 200 && !client.closed; i++) client.send(randomInput(next));
          client.send(`z ${'A'.repeat(200_000)}\r\n`);
          await new Promise((resolve) => setTimeout(resolve, 50));
          client.close();
        }),
      );
      const probe = await RawImapClient.connect(port);
      await probe.waitFor(/^\* OK .*\r\n/);
      assert.match(await probe.command('a', 'LOGIN u p'), /a OK/);
      assert.match(await probe.command('b', 'SELECT INBOX'), /b OK/);
      assert.match(await probe.command('c', 'UID FETCH 999999 FLAGS'), /^c OK/);
      assert.match(await probe.command('d', 'FETCH 3:9 FLAGS'), /d BAD/);
      assert.match(await probe.command('e', 'FETCH 1:2:3 FLAGS'), /e BAD/);
      assert.match(await probe.command('f', 'UID STORE 1:* +FLAGS (\\Seen)'), /f OK/);
      probe.close();
      assert.deepEqual(serverErrors, []);
      assert.deepEqual(unexpected, []);
      const grown = process.memoryUsage().rss - before;
      assert.ok(grown < 200 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1048576)} MB`);
    });
  });
});
