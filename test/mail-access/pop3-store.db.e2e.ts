import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiziHarness } from '../support/dizi-harness';
import { python, run, swaks } from '../support/peers';

const USER = 'pop@example.org';
const PASS = 'poppassword';

// POP3 on the real store with independent clients: Python poplib, curl, fetchmail.
describe('POP3 on the SQL store', () => {
  let dizi: DiziHarness;
  let work: string;
  const deliver = async (n: number) => {
    for (let i = 1; i <= n; i++) {
      const r = await swaks([
        '--server',
        `127.0.0.1:${dizi.smtpPort}`,
        '--from',
        'x@remote.test',
        '--to',
        USER,
        '--header',
        `Subject: pop ${i}`,
        '--body',
        `pop body ${i}\n.leading dot line`,
      ]);
      assert.equal(r.code, 0, r.stdout);
    }
  };

  before(async () => {
    dizi = await DiziHarness.start({ http: false });
    await dizi.addUser(USER, PASS);
    work = mkdtempSync(path.join(tmpdir(), 'dizi-pop-'));
  });
  after(async () => {
    await dizi.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('poplib: STLS, STAT, UIDL, RETR byte for byte, DELE + QUIT removes from the store', async () => {
    await deliver(3);
    const msgs = await dizi.waitForMessages(USER, 3);
    const stored = await dizi.services.blobs.read(msgs[0].blobId);
    const usedBefore = (await dizi.services.directoryRepo.findUser(USER))!.usedBytes;
    const r = await python(`
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3('127.0.0.1', ${dizi.pop3Port})
p.stls(context=ctx)
p.user('${USER}'); p.pass_('${PASS}')
print('STAT', p.stat())
print('UIDL', [x.decode() for x in p.uidl()[1]])
resp, lines, octets = p.retr(1)
body = b'\\r\\n'.join(lines) + b'\\r\\n'
sys.stdout.write('RETR %d\\n' % len(body))
open('${path.join(work, 'retr1.eml')}', 'wb').write(body)
p.dele(1)
p.quit()
`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /STAT \(3, \d+\)/);
    const uidl = /UIDL \[(.*)\]/.exec(r.stdout)![1];
    assert.match(uidl, /'1 \d+\.1', '2 \d+\.2', '3 \d+\.3'/);
    assert.deepEqual(
      readFileSync(path.join(work, 'retr1.eml')),
      stored,
      'RETR returns the stored bytes (dot-stuffing undone by poplib)',
    );
    const after = await dizi.messages(USER);
    assert.deepEqual(
      after.map((m) => m.subject),
      ['pop 2', 'pop 3'],
    );
    assert.equal(
      (await dizi.services.directoryRepo.findUser(USER))!.usedBytes,
      usedBefore - stored.length,
    );
  });

  test('curl lists and retrieves over POP3S', async () => {
    const list = await run('curl', [
      '-s',
      '-k',
      '-u',
      `${USER}:${PASS}`,
      `pop3s://127.0.0.1:${dizi.pop3sPort}/`,
    ]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^1 \d+\r?\n2 \d+/m);
    const one = await run('curl', [
      '-s',
      '--ssl-reqd',
      '-k',
      '-u',
      `${USER}:${PASS}`,
      `pop3://127.0.0.1:${dizi.pop3Port}/2`,
    ]);
    assert.match(one.stdout, /Subject: pop 3/);
    assert.match(one.stdout, /^\.leading dot line/m);
  });

  test('two sessions on one box at once, without locks', async () => {
    const r = await python(`
import poplib, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
a = poplib.POP3_SSL('127.0.0.1', ${dizi.pop3sPort}, context=ctx); a.user('${USER}'); a.pass_('${PASS}')
b = poplib.POP3_SSL('127.0.0.1', ${dizi.pop3sPort}, context=ctx); b.user('${USER}'); b.pass_('${PASS}')
print(a.stat()[0], b.stat()[0])
a.dele(1); a.quit()
try:
    b.retr(1); print('b still read it')
except poplib.error_proto as e:
    print('b told:', e)
b.quit()
`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^2 2$/m);
    assert.match(r.stdout, /b told: b'-ERR \[SYS\/TEMP\]|b still read it/);
  });

  test('fetchmail fetches and deletes over POP3 with STLS', async () => {
    await deliver(2);
    await dizi.waitForMessages(USER, 3);
    const out = path.join(work, 'fetched.mbox');
    const rc = path.join(work, 'fetchmailrc');
    writeFileSync(
      rc,
      `poll 127.0.0.1 protocol POP3 port ${dizi.pop3Port} user "${USER}" password "${PASS}" ` +
        `sslproto 'auto' no sslcertck mda "cat >> ${out}"\n`,
      { mode: 0o600 },
    );
    const r = await run('fetchmail', [
      '-f',
      rc,
      '--nodetach',
      '--pidfile',
      path.join(work, 'fm.pid'),
    ]);
    assert.ok(r.code === 0, `fetchmail exit ${r.code}: ${r.stderr}`);
    const mbox = readFileSync(out, 'utf8');
    assert.equal((mbox.match(/^Subject: pop \d/gm) ?? []).length, 3);
    assert.equal((await dizi.messages(USER)).length, 0, 'fetchmail deleted what it fetched');
  });

  test('the domain switch turns POP3 off', async () => {
    await dizi.services.directory.setDomainAccess('example.org', { pop3: false });
    const r = await python(`
import poplib, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3_SSL('127.0.0.1', ${dizi.pop3sPort}, context=ctx)
p.user('${USER}')
try:
    p.pass_('${PASS}'); print('logged in')
except poplib.error_proto as e:
    print('refused', e)
`);
    assert.match(r.stdout, /refused/);
    await dizi.services.directory.setDomainAccess('example.org', { pop3: true });
  });
});
