import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  InMemoryMailStore,
  type InMemoryMailboxAccess,
} from '../../libs/imap/src/testing/in-memory-mailbox-access';
import { Pop3Server } from '../../libs/pop3/src';
import { testCertificate } from '../imap/test-certificate';

const run = promisify(execFile);

const MESSAGES = [
  'Subject: first\r\nFrom: Zhang <zhang@example.cn>\r\n\r\nHello POP3\r\n',
  'Subject: second\r\nFrom: Li <li@example.cn>\r\n\r\n.a dotted line\r\nbody line 2\r\n..\r\nend\r\n',
  `Subject: third\r\n\r\n${'0123456789'.repeat(8)}\r\n`,
];

/**
 * Three listeners on one in-memory store, as the runtime runs them: plain text with STLS
 * required for login, implicit TLS (POP3S), and plain text that allows clear-text login.
 */
describe('POP3 with independent clients (poplib, curl, fetchmail)', () => {
  const certificate = testCertificate();
  let store: InMemoryMailStore;
  let alice: InMemoryMailboxAccess;
  const servers: Pop3Server[] = [];
  let stlsPort: number;
  let implicitPort: number;
  let clearPort: number;

  before(async () => {
    store = new InMemoryMailStore();
    const start = async (server: Pop3Server): Promise<number> => {
      servers.push(server);
      return (await server.listen()).port;
    };
    stlsPort = await start(new Pop3Server({ authenticator: store, port: 0, tls: certificate }));
    implicitPort = await start(
      new Pop3Server({ authenticator: store, port: 0, tls: certificate, implicitTls: true }),
    );
    clearPort = await start(new Pop3Server({ authenticator: store, port: 0 }));
  });

  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  beforeEach(async () => {
    alice = store.addUser('alice', 'secret pass');
    for (const text of MESSAGES)
      await alice.appendMessage('INBOX', Buffer.from(text), [], new Date());
  });

  const inboxSubjects = async (): Promise<string[]> => {
    const { messages } = await alice.selectFolder('INBOX', { claimRecent: false });
    const texts = await Promise.all(messages.map((m) => alice.readMessage('INBOX', m.uid)));
    return texts.map((bytes) => /^Subject: (.*)$/m.exec(bytes.toString())?.[1] ?? '');
  };

  it("Python's poplib: STLS, USER/PASS, UIDL, TOP, RETR, DELE+QUIT; a POP3S session sees it gone", async () => {
    const script = String.raw`
import poplib, json, ssl, sys
stls_port, implicit_port = int(sys.argv[1]), int(sys.argv[2])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
out = {}
M = poplib.POP3('127.0.0.1', stls_port, timeout=10)
out['welcome'] = M.getwelcome().decode()
out['capa_clear'] = sorted(M.capa().keys())
try:
    M.user('alice')
except poplib.error_proto as e:
    out['user_in_clear'] = str(e)
out['stls'] = M.stls(context=ctx).decode()
out['capa_tls'] = M.capa()
M.user('alice')
out['pass'] = M.pass_('secret pass').decode()
out['stat'] = list(M.stat())
out['list'] = [x.decode() for x in M.list()[1]]
out['uidl'] = [x.decode() for x in M.uidl()[1]]
out['top'] = [x.decode() for x in M.top(2, 1)[1]]
out['retr'] = [x.decode() for x in M.retr(2)[1]]
out['dele'] = M.dele(1).decode()
out['quit'] = M.quit().decode()
S = poplib.POP3_SSL('127.0.0.1', implicit_port, context=ctx, timeout=10)
S.user('alice')
S.pass_('secret pass')
out['stat_after'] = list(S.stat())
out['uidl_after'] = [x.decode() for x in S.uidl()[1]]
S.quit()
print(json.dumps(out))
`;
    const { stdout } = await run(
      'python3',
      ['-c', script, String(stlsPort), String(implicitPort)],
      { timeout: 30_000 },
    );
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    const { uidValidity } = await alice.selectFolder('INBOX', { claimRecent: false });
    const sizes = MESSAGES.map((text) => Buffer.byteLength(text));

    assert.match(seen.welcome as string, /^\+OK .*Dizi POP3 server ready$/);
    assert.ok((seen.capa_clear as string[]).includes('STLS'));
    assert.ok(!(seen.capa_clear as string[]).includes('USER'), 'no USER offered in the clear');
    assert.match(seen.user_in_clear as string, /-ERR \[AUTH\] .*STLS/);
    assert.equal(seen.stls, '+OK Begin TLS negotiation');
    assert.deepEqual(seen.capa_tls, {
      TOP: [],
      UIDL: [],
      'RESP-CODES': [],
      'AUTH-RESP-CODE': [],
      PIPELINING: [],
      USER: [],
      SASL: ['PLAIN'],
      IMPLEMENTATION: ['Dizi'],
    });
    assert.match(seen.pass as string, /^\+OK Logged in, 3 messages/);
    assert.deepEqual(seen.stat, [3, sizes[0] + sizes[1] + sizes[2]]);
    assert.deepEqual(
      seen.list,
      sizes.map((size, i) => `${i + 1} ${size}`),
    );
    assert.deepEqual(
      seen.uidl,
      [1, 2, 3].map((n) => `${n} ${uidValidity}.${n}`),
    );
    assert.deepEqual(seen.top, [
      'Subject: second',
      'From: Li <li@example.cn>',
      '',
      '.a dotted line',
    ]);
    assert.deepEqual(
      seen.retr,
      MESSAGES[1].split('\r\n').slice(0, -1),
      'poplib un-stuffs the dots',
    );
    assert.equal(seen.dele, '+OK Message 1 deleted');
    assert.match(seen.quit as string, /^\+OK .*\(1 messages deleted\)$/);
    assert.deepEqual(seen.stat_after, [2, sizes[1] + sizes[2]]);
    assert.deepEqual(seen.uidl_after, [`1 ${uidValidity}.2`, `2 ${uidValidity}.3`]);
    assert.deepEqual(await inboxSubjects(), ['second', 'third']);
  });

  it("curl's POP3: RETR and LIST in the clear (SASL PLAIN), with --ssl-reqd over STLS, and POP3S", async () => {
    const credentials = 'alice:secret%20pass';
    const curl = async (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
      run('curl', ['-s', '--max-time', '10', ...args], { timeout: 20_000, encoding: 'latin1' });

    const retr = await curl('-v', `pop3://${credentials}@127.0.0.1:${clearPort}/2`);
    assert.equal(retr.stdout, MESSAGES[1], 'curl gets the message byte for byte');
    assert.match(retr.stderr, /> AUTH PLAIN\r?\n< \+ \r?\n/, 'PLAIN with the "+ " continuation');

    const list = await curl('--sasl-ir', '-v', `pop3://${credentials}@127.0.0.1:${clearPort}/`);
    const sizes = MESSAGES.map((text) => Buffer.byteLength(text));
    assert.equal(list.stdout, sizes.map((size, i) => `${i + 1} ${size}\r\n`).join(''));
    assert.match(list.stderr, /> AUTH PLAIN [A-Za-z0-9+/=]+\r?\n/, 'PLAIN with initial response');

    const overStls = await curl(
      '--ssl-reqd',
      '-k',
      '-v',
      `pop3://${credentials}@127.0.0.1:${stlsPort}/1`,
    );
    assert.equal(overStls.stdout, MESSAGES[0]);
    assert.match(overStls.stderr, /> STLS/);

    const uidl = await curl(
      '-k',
      '-X',
      'UIDL',
      `pop3s://${credentials}@127.0.0.1:${implicitPort}/`,
    );
    const { uidValidity } = await alice.selectFolder('INBOX', { claimRecent: false });
    assert.equal(uidl.stdout, `1 ${uidValidity}.1\r\n2 ${uidValidity}.2\r\n3 ${uidValidity}.3\r\n`);

    await assert.rejects(
      curl('--ssl-reqd', '-k', `pop3://alice:wrong@127.0.0.1:${stlsPort}/1`),
      'a wrong password fails',
    );
  });

  it('fetchmail downloads every message over STLS and deletes them from the box', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'dizi-fetchmail-'));
    try {
      const mbox = path.join(home, 'mbox');
      const rc = path.join(home, 'fetchmailrc');
      writeFileSync(
        rc,
        `poll 127.0.0.1 protocol pop3 port ${stlsPort} user "alice" password "secret pass" ` +
          `mda "cat >> ${mbox}"\n`,
      );
      chmodSync(rc, 0o600);
      const { stdout, stderr } = await run(
        'fetchmail',
        ['-f', rc, '-v', '--nosyslog', '-i', path.join(home, 'ids'), '--nosslcertck'],
        { timeout: 60_000, env: { ...process.env, FETCHMAILHOME: home, HOME: home } },
      );
      const trace = `${stdout}${stderr}`;
      assert.match(trace, /> STLS\r?\n.*< \+OK Begin TLS negotiation/s, 'fetchmail used STLS');
      assert.match(trace, /3 messages for alice/);
      // fetchmail probes LAST (dropped from POP3 in RFC 1725); nothing else may be refused.
      const refusals = trace.split('\n').filter((line) => line.includes('-ERR'));
      assert.deepEqual(
        refusals.map((line) => line.replace(/^.*-ERR/, '-ERR').trim()),
        ['-ERR Unknown command LAST'],
      );
      const downloaded = readFileSync(mbox, 'utf8');
      for (const subject of ['first', 'second', 'third'])
        assert.match(downloaded, new RegExp(`^Subject: ${subject}$`, 'm'));
      assert.match(downloaded, /^\.a dotted line$/m, 'fetchmail un-stuffed the dot line');
      assert.deepEqual(await inboxSubjects(), [], 'fetchmail deleted what it fetched');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
