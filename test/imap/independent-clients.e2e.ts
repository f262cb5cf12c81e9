import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ImapServer } from '../../libs/imap/src/server/imap-server';
import {
  type InMemoryMailboxAccess,
  InMemoryMailStore,
} from '../../libs/imap/src/testing/in-memory-mailbox-access';

const run = promisify(execFile);

const FIRST =
  'From: a@x.cn\r\nTo: carol@example.cn\r\nSubject: first\r\nMessage-ID: <1@x.cn>\r\n\r\nfirst body\r\n';
const SECOND =
  'From: b@x.cn\r\nTo: carol@example.cn\r\nSubject: second\r\nMessage-ID: <2@x.cn>\r\n\r\nsecond body\r\n';

/** curl, fetchmail and mbsync (isync): real mail tools, each with its own IMAP code. */
describe('independent IMAP clients', () => {
  let server: ImapServer;
  let port: number;
  let access: InMemoryMailboxAccess;
  let dir: string;

  before(async () => {
    const store = new InMemoryMailStore();
    access = store.addUser('carol', 'pw');
    await access.appendMessage('INBOX', Buffer.from(FIRST), [], new Date('2026-11-20T08:00:00Z'));
    await access.appendMessage(
      'INBOX',
      Buffer.from(SECOND),
      ['\\Seen'],
      new Date('2026-11-21T08:00:00Z'),
    );
    await access.createFolder('已发送');
    await access.appendMessage(
      '已发送',
      Buffer.from('Subject: sent\r\n\r\n已发送的邮件\r\n'),
      ['\\Seen'],
      new Date(),
    );
    server = new ImapServer({ authenticator: store, port: 0, failedLoginDelayMs: 0 });
    port = (await server.listen()).port;
    dir = mkdtempSync(path.join(tmpdir(), 'dizi-imap-clients-'));
  });

  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('curl lists folders, fetches by UID, searches and uploads', async () => {
    const base = `imap://127.0.0.1:${port}`;
    const auth = ['-s', '--max-time', '20', '-u', 'carol:pw'];
    const list = await run('curl', [...auth, `${base}/`]);
    assert.match(list.stdout, /\* LIST \(\\HasNoChildren\) "\/" "?INBOX"?\r\n/);
    assert.match(list.stdout, /"&XfJT0ZAB-"/);
    const fetched = await run('curl', [...auth, `${base}/INBOX;UID=1`]);
    assert.equal(fetched.stdout, FIRST);
    const search = await run('curl', [...auth, `${base}/INBOX`, '-X', 'UID SEARCH SUBJECT second']);
    assert.equal(search.stdout, '* SEARCH 2\r\n');
    const upload = path.join(dir, 'upload.eml');
    writeFileSync(upload, 'Subject: from curl\r\n\r\nuploaded\r\n');
    await run('curl', [...auth, '-T', upload, `${base}/INBOX`]);
    const snapshot = await access.selectFolder('INBOX', { claimRecent: false });
    assert.equal(snapshot.messages.length, 3);
    assert.equal(
      (await access.readMessage('INBOX', 3)).toString(),
      'Subject: from curl\r\n\r\nuploaded\r\n',
    );
  });

  it('fetchmail downloads every message of INBOX over IMAP', async () => {
    const out = path.join(dir, 'fetchmail.mbox');
    const rc = path.join(dir, 'fetchmailrc');
    writeFileSync(
      rc,
      `poll 127.0.0.1 service ${port} protocol IMAP user "carol" password "pw" ` +
        `sslproto "" mda "/bin/sh -c 'cat >> ${out}; echo ==== >> ${out}'" keep fetchall\n`,
    );
    chmodSync(rc, 0o600);
    await run('fetchmail', ['-f', rc, '--nosyslog', '-i', path.join(dir, 'fetchids')], {
      env: { ...process.env, HOME: dir, FETCHMAILHOME: dir },
      timeout: 30_000,
    });
    const mbox = readFileSync(out, 'utf8');
    assert.match(mbox, /first body/);
    assert.match(mbox, /second body/);
    assert.match(mbox, /uploaded/);
    assert.equal(mbox.split('====').length - 1, 3);
  });

  it('mbsync syncs the whole account to a Maildir and back', async () => {
    const maildir = path.join(dir, 'Mail');
    mkdirSync(maildir);
    const config = path.join(dir, 'mbsyncrc');
    writeFileSync(
      config,
      [
        'IMAPAccount dizi',
        'Host 127.0.0.1',
        `Port ${port}`,
        'User carol',
        'Pass pw',
        'SSLType None',
        'AuthMechs LOGIN',
        '',
        'IMAPStore remote',
        'Account dizi',
        '',
        'MaildirStore local',
        `Path ${maildir}/`,
        `Inbox ${maildir}/INBOX`,
        'SubFolders Verbatim',
        '',
        'Channel dizi',
        'Far :remote:',
        'Near :local:',
        'Patterns *',
        'Create Both',
        'Expunge Both',
        'SyncState *',
        '',
      ].join('\n'),
    );
    await run('mbsync', ['-c', config, '-a'], { timeout: 60_000 });
    const files = (folder: string): string[] =>
      ['cur', 'new'].flatMap((sub) =>
        readdirSync(path.join(maildir, folder, sub)).map((name) =>
          path.join(maildir, folder, sub, name),
        ),
      );
    const inbox = files('INBOX').map((file) => readFileSync(file, 'utf8'));
    assert.equal(inbox.length, 3);
    assert.ok(inbox.some((text) => text.includes('first body')));
    const folders = readdirSync(maildir);
    assert.ok(folders.includes('Sent') && folders.includes('Trash'), folders.join(','));
    // The Chinese folder arrives (isync 1.4 keeps the modified UTF-7 name on disk).
    const chinese = folders.find((name) => name === '已发送' || name === '&XfJT0ZAB-');
    assert.ok(chinese, folders.join(','));
    assert.equal(files(chinese).length, 1);

    // A message written locally goes up to the server on the next run; a \Seen flag too.
    const local = path.join(maildir, 'INBOX', 'new', '1700000000.1_1.dizi');
    writeFileSync(local, 'Subject: from maildir\r\n\r\nwritten by hand\r\n');
    await run('mbsync', ['-c', config, '-a'], { timeout: 60_000 });
    const after = await access.selectFolder('INBOX', { claimRecent: false });
    assert.equal(after.messages.length, 4);
    assert.match(
      (await access.readMessage('INBOX', after.messages[3].uid)).toString(),
      /written by hand/,
    );
  });
});
