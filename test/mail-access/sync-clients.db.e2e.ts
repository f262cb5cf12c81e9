import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { encodeMailboxName } from '@dizi/imap';
import { DiziHarness } from '../support/dizi-harness';
import { run, swaks } from '../support/peers';

const USER = 'sync@example.net';
const PASS = 'syncpassword';

// Independent sync tools against IMAP on the real store: curl, fetchmail, mbsync (isync).
describe('curl, fetchmail and mbsync over IMAP', () => {
  let dizi: DiziHarness;
  let work: string;

  before(async () => {
    dizi = await DiziHarness.start({ http: false });
    await dizi.addUser(USER, PASS);
    for (let i = 1; i <= 3; i++) {
      const r = await swaks([
        '--server',
        `127.0.0.1:${dizi.smtpPort}`,
        '--from',
        'x@remote.test',
        '--to',
        USER,
        '--header',
        `Subject: sync ${i}`,
        '--body',
        `body number ${i}`,
      ]);
      assert.equal(r.code, 0, r.stdout);
    }
    await dizi.waitForMessages(USER, 3);
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: dizi.imapPort,
      secure: false,
      doSTARTTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: USER, pass: PASS },
      logger: false,
    });
    await imap.connect();
    await imap.mailboxCreate('项目');
    await imap.append('项目', Buffer.from('Subject: in a Chinese folder\r\n\r\n你好\r\n'));
    await imap.logout();
    work = mkdtempSync(path.join(tmpdir(), 'dizi-sync-'));
  });
  after(async () => {
    await dizi.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('curl lists folders and fetches a message by UID over STARTTLS', async () => {
    const base = `imap://127.0.0.1:${dizi.imapPort}`;
    const list = await run('curl', ['-s', '--ssl-reqd', '-k', '-u', `${USER}:${PASS}`, `${base}/`]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /\* LIST \([^)]*\) "\/" "?INBOX"?/);
    assert.match(list.stdout, /\\Sent/);
    const fetch = await run('curl', [
      '-s',
      '--ssl-reqd',
      '-k',
      '-u',
      `${USER}:${PASS}`,
      `${base}/INBOX;UID=2`,
    ]);
    assert.equal(fetch.code, 0, fetch.stderr);
    assert.match(fetch.stdout, /Subject: sync 2/);
    assert.match(fetch.stdout, /body number 2/);
    const bad = await run('curl', ['-s', '--ssl-reqd', '-k', '-u', `${USER}:wrong`, `${base}/`]);
    assert.notEqual(bad.code, 0, 'a wrong password fails');
  });

  test('fetchmail fetches every message of the INBOX over IMAP with STARTTLS', async () => {
    const out = path.join(work, 'fetchmail.mbox');
    const rc = path.join(work, 'fetchmailrc');
    writeFileSync(
      rc,
      `poll 127.0.0.1 protocol IMAP port ${dizi.imapPort} user "${USER}" password "${PASS}" ` +
        `sslproto 'auto' no sslcertck keep fetchall mda "cat >> ${out}"\n`,
      { mode: 0o600 },
    );
    const r = await run('fetchmail', [
      '-f',
      rc,
      '--nodetach',
      '-v',
      '--pidfile',
      path.join(work, 'fm.pid'),
    ]);
    assert.ok(r.code === 0 || r.code === 1, `fetchmail exit ${r.code}: ${r.stderr}`);
    const mbox = readFileSync(out, 'utf8');
    for (let i = 1; i <= 3; i++) assert.match(mbox, new RegExp(`Subject: sync ${i}`));
  });

  test('mbsync syncs the whole account both ways, Chinese folder included', async () => {
    const maildir = path.join(work, 'Mail');
    mkdirSync(maildir);
    const cert = path.join(dizi.config.dataDir, 'tls', 'self-signed.crt');
    const conf = path.join(work, 'mbsyncrc');
    writeFileSync(
      conf,
      [
        'IMAPAccount dizi',
        'Host 127.0.0.1',
        `Port ${dizi.imapPort}`,
        `User ${USER}`,
        `Pass ${PASS}`,
        'SSLType STARTTLS',
        `CertificateFile ${cert}`,
        '',
        'IMAPStore dizi-remote',
        'Account dizi',
        '',
        'MaildirStore local',
        `Path ${maildir}/`,
        `Inbox ${maildir}/INBOX`,
        'SubFolders Verbatim',
        '',
        'Channel dizi',
        'Far :dizi-remote:',
        'Near :local:',
        'Patterns *',
        'Create Both',
        'Expunge Both',
        'SyncState *',
        '',
      ].join('\n'),
    );
    const pull = await run('mbsync', ['-c', conf, '-a']);
    assert.equal(pull.code, 0, pull.stdout + pull.stderr);
    const inbox = readdirSync(path.join(maildir, 'INBOX', 'cur')).concat(
      readdirSync(path.join(maildir, 'INBOX', 'new')),
    );
    assert.equal(inbox.length, 3);
    // isync 1.4 keeps IMAP's modified UTF-7 in local folder names (1.5 can decode it).
    const folders = readdirSync(maildir);
    const chinese = path.join(maildir, encodeMailboxName('项目'));
    assert.ok(folders.includes(encodeMailboxName('项目')), `local folders: ${folders.join(', ')}`);
    const inChinese = readdirSync(path.join(chinese, 'cur')).concat(
      readdirSync(path.join(chinese, 'new')),
    );
    assert.equal(inChinese.length, 1, 'the Chinese folder came down with its message');
    assert.ok(folders.includes('Sent') && folders.includes('Trash'), 'the special-use folders too');
    // Both ways: a message written into the local Maildir goes up to the server.
    writeFileSync(
      path.join(maildir, 'INBOX', 'new', `${Date.now()}.local.msg`),
      'From: me@example.net\r\nSubject: written locally\r\n\r\nup it goes\r\n',
    );
    const push = await run('mbsync', ['-c', conf, '-a']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    const msgs = await dizi.messages(USER);
    assert.ok(
      msgs.some((m) => m.subject === 'written locally'),
      'the local message is on the server',
    );
  });
});
