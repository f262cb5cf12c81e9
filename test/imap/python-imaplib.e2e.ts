import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { ImapServer } from '../../libs/imap/src/server/imap-server';
import { InMemoryMailStore } from '../../libs/imap/src/testing/in-memory-mailbox-access';

const run = promisify(execFile);

/**
 * Python's imaplib as an independent client. The script prints one JSON object of what
 * it saw; the test checks it. Modified UTF-7 is done with Python's own utf-7 codec.
 */
const SCRIPT = String.raw`
import imaplib, json, sys, base64
port = int(sys.argv[1])
out = {}

def mutf7_encode(s):
    res, run = [], ''
    for ch in s:
        if 0x20 <= ord(ch) <= 0x7e:
            if run:
                res.append('&' + base64.b64encode(run.encode('utf-16-be')).decode().rstrip('=').replace('/', ',') + '-'); run = ''
            res.append('&-' if ch == '&' else ch)
        else:
            run += ch
    if run:
        res.append('&' + base64.b64encode(run.encode('utf-16-be')).decode().rstrip('=').replace('/', ',') + '-')
    return ''.join(res)

def mutf7_decode(s):
    import re
    def dec(m):
        body = m.group(1)
        if body == '': return '&'
        b = body.replace(',', '/')
        b += '=' * (-len(b) % 4)
        return base64.b64decode(b).decode('utf-16-be')
    return re.sub(r'&([^-]*)-', dec, s)

M = imaplib.IMAP4('127.0.0.1', port)
out['capabilities'] = list(M.capabilities)
typ, data = M.authenticate('PLAIN', lambda _: b'\0bob\0pw')
out['auth'] = typ
out['create'] = M.create('"' + mutf7_encode('报告/2026') + '"')[0]
typ, data = M.list('""', '*')
out['folders'] = [mutf7_decode(line.decode().rsplit(' "/" ', 1)[1].strip('"')) for line in data]
msg = 'Subject: =?UTF-8?B?5pyI5bqm5oql5ZGK?=\r\nFrom: Bob <bob@example.cn>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E5=B7=B2=E5=AE=8C=E6=88=90\r\n'.encode()
typ, data = M.append('INBOX', '(\\Seen)', imaplib.Time2Internaldate(1700000000), msg)
out['append'] = [typ, data[0].decode()]
typ, data = M.select('INBOX')
out['exists'] = int(data[0])
typ, data = M.fetch('1', '(BODY.PEEK[] RFC822.SIZE FLAGS)')
out['fetched_equal'] = data[0][1] == msg
out['fetch_head'] = data[0][0].decode()
M.literal = '已完成'.encode()
typ, data = M.search('UTF-8', 'BODY')
out['search_body'] = data[0].decode()
typ, data = M.uid('SEARCH', 'SUBJECT', '"nothing"')
out['search_none'] = data[0].decode()
typ, data = M.store('1', '+FLAGS', '(\\Deleted)')
out['store'] = data[0].decode()
typ, data = M.uid('COPY', '1', 'Sent')
out['copy'] = [typ, M.untagged_responses.get('COPYUID', [b''])[0].decode() if M.untagged_responses.get('COPYUID') else '']
typ, data = M.expunge()
out['expunge'] = [x.decode() for x in data if x]
typ, data = M.status('Sent', '(MESSAGES UIDNEXT)')
out['status'] = data[0].decode()
typ, data = M.select('"' + mutf7_encode('报告/2026') + '"', readonly=True)
out['select_chinese'] = typ
typ, data = M.fetch('1', '(FLAGS)') if int(data[0]) else ('EMPTY', [])
out['fetch_empty_box'] = typ
typ, data = M.getquotaroot('INBOX')
out['quotaroot'] = [x.decode() if isinstance(x, bytes) else str(x) for x in data[0]] if data else []
out['logout'] = M.logout()[0]
print(json.dumps(out, ensure_ascii=False))
`;

describe("Python's imaplib against the Dizi IMAP server", () => {
  let server: ImapServer;
  let port: number;

  before(async () => {
    const store = new InMemoryMailStore();
    store.addUser('bob', 'pw');
    server = new ImapServer({ authenticator: store, port: 0 });
    port = (await server.listen()).port;
  });

  after(() => server.close());

  it('runs a whole session and creates a Chinese folder another client lists', async () => {
    const { stdout } = await run('python3', ['-c', SCRIPT, String(port)], { timeout: 30_000 });
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    assert.ok((seen.capabilities as string[]).includes('IDLE'));
    assert.equal(seen.auth, 'OK');
    assert.equal(seen.create, 'OK');
    assert.deepEqual(seen.folders, [
      'INBOX',
      'Drafts',
      'Junk',
      'Sent',
      'Trash',
      '报告',
      '报告/2026',
    ]);
    assert.deepEqual(seen.append, [
      'OK',
      `[APPENDUID ${(seen.append as string[])[1].split(' ')[1]} 1] APPEND completed`,
    ]);
    assert.equal(seen.exists, 1);
    assert.equal(seen.fetched_equal, true);
    assert.match(seen.fetch_head as string, /^1 \(BODY\[\] \{\d+\}$/);
    assert.equal(seen.search_body, '1');
    assert.equal(seen.search_none, '');
    assert.match(seen.store as string, /^1 \(FLAGS \(\\Seen \\Deleted \\Recent\)\)$/);
    assert.equal((seen.copy as string[])[0], 'OK');
    assert.deepEqual(seen.expunge, ['1']);
    assert.match(seen.status as string, /"?Sent"? \(MESSAGES 1 UIDNEXT 2\)/);
    assert.equal(seen.select_chinese, 'OK');
    assert.equal(seen.logout, 'BYE');

    const imap = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user: 'bob', pass: 'pw' },
      logger: false,
    });
    await imap.connect();
    const folders = await imap.list();
    assert.ok(
      folders.some((f) => f.path === '报告/2026'),
      'imapflow lists the folder imaplib created',
    );
    await imap.logout();
  });
});
