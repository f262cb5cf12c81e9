import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FORWARD } from '../mime/mime-fixtures';
import type { MailboxAccess, MessageSource } from '../mailbox-access';
import { sessionHarness } from '../testing/session-harness';

async function selectedWithMessages() {
  const harness = await sessionHarness();
  const { access, command } = harness;
  await access.appendMessage('INBOX', FORWARD, [], new Date('2026-11-23T02:03:04Z'));
  await access.appendMessage(
    'INBOX',
    Buffer.from('Subject: two\r\n\r\n二\r\n'),
    ['\\Seen'],
    new Date('2026-11-24T00:00:00Z'),
  );
  await access.appendMessage(
    'INBOX',
    Buffer.from('Subject: three\r\n\r\n3\r\n'),
    ['$Work'],
    new Date('2026-11-25T00:00:00Z'),
  );
  await command('login', 'LOGIN u p');
  await command('select', 'SELECT INBOX');
  return harness;
}

describe('message commands', () => {
  it('FETCH answers items in the order asked, sections byte for byte', async () => {
    const { command } = await selectedWithMessages();
    assert.equal(
      await command(
        'a',
        'FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[2.HEADER] BODY.PEEK[1]<4.3>)',
      ),
      `* 1 FETCH (FLAGS (\\Recent) INTERNALDATE "23-Nov-2026 02:03:04 +0000" RFC822.SIZE ${FORWARD.length} ` +
        'BODY[2.HEADER] {37}\r\nFrom: "B" <b@y.cn>\r\nSubject: orig\r\n\r\n BODY[1]<4> {3}\r\nbel)\r\na OK FETCH completed\r\n',
    );
    assert.equal(
      await command('b', 'FETCH 2 (BODY.PEEK[HEADER.FIELDS (subject)] RFC822.HEADER)'),
      '* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {16}\r\nSubject: two\r\n\r\n RFC822.HEADER {16}\r\nSubject: two\r\n\r\n)\r\n' +
        'b OK FETCH completed\r\n',
    );
    assert.equal(
      await command('c', 'FETCH 3 (BODY[9])'),
      '* 3 FETCH (BODY[9] NIL FLAGS ($Work \\Seen \\Recent))\r\nc OK FETCH completed\r\n',
    );
    assert.match(
      await command('d', 'UID FETCH 2:* (UID) (CHANGEDSINCE 3)'),
      /^\* 3 FETCH \(UID 3 MODSEQ \(\d+\)\)\r\nd OK/,
    );
    assert.match(
      await command('e', 'UID FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)'),
      /e BAD VANISHED needs UID FETCH and QRESYNC/,
    );
  });

  it('RFC822 sets \\Seen, RFC822.HEADER does not', async () => {
    const { command } = await selectedWithMessages();
    assert.doesNotMatch(await command('a', 'FETCH 3 RFC822.HEADER'), /FLAGS/);
    assert.match(
      await command('b', 'FETCH 3 RFC822'),
      /RFC822 \{\d+\}\r\nSubject: three\r\n\r\n3\r\n FLAGS \(\$Work \\Seen \\Recent\)\)/,
    );
  });

  it('STORE echoes flags, honours .SILENT and UNCHANGEDSINCE', async () => {
    const { command } = await selectedWithMessages();
    assert.equal(
      await command('a', 'STORE 1:2 +FLAGS (\\Flagged)'),
      '* 1 FETCH (FLAGS (\\Flagged \\Recent))\r\n* 2 FETCH (FLAGS (\\Seen \\Flagged \\Recent))\r\na OK STORE completed\r\n',
    );
    assert.equal(
      await command('b', 'STORE 1 -FLAGS.SILENT (\\Flagged)'),
      'b OK STORE completed\r\n',
    );
    assert.equal(
      await command('c', 'UID STORE 3 FLAGS (x y)'),
      '* 3 FETCH (UID 3 FLAGS (x y \\Recent))\r\nc OK STORE completed\r\n',
    );
    const conditional = await command('d', 'UID STORE 1:3 (UNCHANGEDSINCE 4) +FLAGS (\\Answered)');
    // Every message changed after mod-sequence 4 (appends took 2-4, the STOREs above 5-8).
    assert.equal(conditional, 'd OK [MODIFIED 1:3] Conditional STORE failed for some messages\r\n');
    const fresh = await command('e', 'FETCH 1:3 (MODSEQ)');
    const highest = Math.max(...[...fresh.matchAll(/MODSEQ \((\d+)\)/g)].map((m) => Number(m[1])));
    assert.match(
      await command('f', `UID STORE 1 (UNCHANGEDSINCE ${highest}) +FLAGS.SILENT (\\Answered)`),
      /^\* 1 FETCH \(UID 1 MODSEQ \(\d+\)\)\r\nf OK STORE completed/,
    );
  });

  it('COPY and MOVE answer COPYUID; MOVE expunges; missing target asks TRYCREATE', async () => {
    const { command } = await selectedWithMessages();
    const copied = await command('a', 'COPY 2:3 Trash');
    assert.match(copied, /^a OK \[COPYUID \d+ 2,3 1,2\] COPY completed\r\n$/);
    const moved = await command('b', 'UID MOVE 1,3 Junk');
    assert.match(
      moved,
      /^\* OK \[COPYUID \d+ 1,3 1,2\] Moved\r\n\* 1 EXPUNGE\r\n\* 2 EXPUNGE\r\nb OK MOVE completed\r\n$/,
    );
    assert.match(await command('c', 'COPY 1 Nowhere'), /c NO \[TRYCREATE\]/);
    assert.match(await command('d', 'FETCH 1 (UID)'), /\* 1 FETCH \(UID 2\)/);
  });

  it('EXPUNGE and UID EXPUNGE remove only \\Deleted messages in range', async () => {
    const { command } = await selectedWithMessages();
    await command('a', 'STORE 1:3 +FLAGS.SILENT (\\Deleted)');
    assert.equal(await command('b', 'UID EXPUNGE 2'), '* 2 EXPUNGE\r\nb OK EXPUNGE completed\r\n');
    assert.equal(
      await command('c', 'EXPUNGE'),
      '* 1 EXPUNGE\r\n* 1 EXPUNGE\r\nc OK EXPUNGE completed\r\n',
    );
    assert.match(await command('d', 'SEARCH ALL'), /^\* SEARCH\r\n/);
  });

  it('CLOSE expunges silently, UNSELECT does not', async () => {
    const harness = await selectedWithMessages();
    await harness.command('a', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    assert.equal(await harness.command('b', 'UNSELECT'), 'b OK UNSELECT completed\r\n');
    assert.match(await harness.command('c', 'STATUS INBOX (MESSAGES)'), /MESSAGES 3/);
    await harness.command('d', 'SELECT INBOX');
    assert.equal(await harness.command('e', 'CLOSE'), 'e OK CLOSE completed\r\n');
    assert.match(await harness.command('f', 'STATUS INBOX (MESSAGES)'), /MESSAGES 2/);
  });

  it('SEARCH and UID SEARCH, with MODSEQ', async () => {
    const { command } = await selectedWithMessages();
    assert.equal(await command('a', 'SEARCH UNSEEN'), '* SEARCH 1 3\r\na OK SEARCH completed\r\n');
    assert.equal(
      await command('b', 'UID SEARCH BODY "二"'),
      '* SEARCH 2\r\nb OK SEARCH completed\r\n',
    );
    assert.equal(
      await command('c', 'SEARCH SINCE 24-Nov-2026 KEYWORD $Work'),
      '* SEARCH 3\r\nc OK SEARCH completed\r\n',
    );
    assert.equal(
      await command('d', 'SEARCH TEXT "original body"'),
      '* SEARCH 1\r\nd OK SEARCH completed\r\n',
    );
    assert.match(await command('e', 'SEARCH MODSEQ 1'), /^\* SEARCH 1 2 3 \(MODSEQ \d+\)\r\n/);
    assert.equal(
      await command('f', 'SEARCH MODSEQ 99999'),
      '* SEARCH\r\nf OK SEARCH completed\r\n',
    );
  });

  it('APPEND answers APPENDUID and the selected session learns of it', async () => {
    const { command } = await selectedWithMessages();
    // The new message is announced with the APPEND's own answer (RFC 3501 6.3.11).
    const appended = await command(
      'a',
      'APPEND INBOX (\\Draft) "01-Jan-2026 10:00:00 +0800" {10+}\r\nSubject:\r\n',
    );
    assert.match(appended, /^\* 4 EXISTS\r\n\* \d+ RECENT\r\na OK \[APPENDUID \d+ 4\]/);
    assert.equal(await command('b', 'NOOP'), 'b OK NOOP completed\r\n');
    assert.match(
      await command('c', 'FETCH 4 (INTERNALDATE FLAGS)'),
      /INTERNALDATE " 1-Jan-2026 02:00:00 \+0000" FLAGS \(\\Draft \\Recent\)/,
    );
    assert.match(await command('d', 'APPEND Nowhere {1+}\r\nx'), /d NO \[TRYCREATE\]/);
  });

  it('QRESYNC: UID FETCH (CHANGEDSINCE n VANISHED) and VANISHED instead of EXPUNGE', async () => {
    const harness = await sessionHarness();
    const { access, command } = harness;
    for (let i = 1; i <= 4; i++)
      await access.appendMessage('INBOX', Buffer.from(`Subject: ${i}\r\n\r\n`), [], new Date());
    await command('a', 'LOGIN u p');
    await command('b', 'ENABLE QRESYNC');
    const select = await command('c', 'SELECT INBOX');
    const modseq = Number(/HIGHESTMODSEQ (\d+)/.exec(select)?.[1]);
    await command('d', 'UID STORE 2 +FLAGS.SILENT (\\Deleted)');
    assert.equal(await command('e', 'EXPUNGE'), '* VANISHED 2\r\ne OK EXPUNGE completed\r\n');
    await command('f', 'UID STORE 3 +FLAGS.SILENT (\\Seen)');
    const changes = await command('g', `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq} VANISHED)`);
    assert.match(
      changes,
      /^\* VANISHED \(EARLIER\) 2\r\n\* 2 FETCH \(UID 3 FLAGS \(\\Seen \\Recent\) MODSEQ \(\d+\)\)\r\ng OK/,
    );
    assert.match(
      await command('h', 'FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)'),
      /h BAD VANISHED needs UID FETCH/,
    );
  });

  it('FETCH skips messages another session expunged meanwhile and says so', async () => {
    const { command, access } = await selectedWithMessages();
    await access.storeFlags('INBOX', [2], 'add', ['\\Deleted']);
    await access.expunge('INBOX');
    const fetched = await command('a', 'FETCH 1:3 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    assert.match(fetched, /^\* 1 FETCH /);
    assert.match(
      fetched,
      /\* 3 FETCH \(BODY\[HEADER.FIELDS \(SUBJECT\)\] \{18\}\r\nSubject: three\r\n\r\n\)/,
    );
    assert.doesNotMatch(fetched, /\* 2 FETCH/);
    assert.match(fetched, /a NO \[EXPUNGEISSUED\]/);
    assert.equal(await command('b', 'SEARCH BODY "3"'), '* SEARCH 3\r\nb OK SEARCH completed\r\n');
    assert.match(await command('c', 'NOOP'), /^\* 2 EXPUNGE\r\n/);
  });

  it('locates messages once per command and reads only header blocks for header items', async () => {
    const harness = await sessionHarness();
    const { command, access, store } = harness;
    for (const raw of [FORWARD, Buffer.from('Subject: three\r\n\r\n3\r\n')]) {
      await access.appendMessage('INBOX', raw, [], new Date());
    }
    // The session gets a view of the user's mailbox whose reads are counted.
    const counted: MailboxAccess = Object.create(access) as MailboxAccess;
    const reads = { opened: 0, whole: 0, header: 0 };
    const open = async (folder: string, uids: readonly number[]): Promise<MessageSource> => {
      reads.opened++;
      const source = await access.openMessages(folder, uids);
      return {
        read: (uid) => (reads.whole++, source.read(uid)),
        readHeader: (uid) => (reads.header++, source.readHeader(uid)),
      };
    };
    counted.openMessages = open;
    store.authenticate = () => Promise.resolve(counted);
    await command('login', 'LOGIN u p');
    await command('select', 'SELECT INBOX');
    const count = async (text: string): Promise<string> => {
      Object.assign(reads, { opened: 0, whole: 0, header: 0 });
      await command('t', text);
      return `${reads.opened}/${reads.whole}/${reads.header}`;
    };
    assert.equal(await count('FETCH 1:* (FLAGS RFC822.SIZE)'), '0/0/0', 'no content: no reads');
    assert.equal(await count('FETCH 1:* (ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT)])'), '1/0/2');
    assert.equal(await count('FETCH 1:* (RFC822.HEADER BODY.PEEK[HEADER])'), '1/0/2');
    assert.equal(await count('FETCH 1:* (ENVELOPE BODYSTRUCTURE)'), '1/2/0');
    assert.equal(await count('FETCH 1 (BODY.PEEK[2.HEADER])'), '1/1/0', 'a part header: whole');
    assert.equal(await count('SEARCH SUBJECT three'), '1/0/2');
    assert.equal(await count('SEARCH SENTSINCE 1-Jan-2000'), '1/0/2');
    assert.equal(await count('SEARCH OR SUBJECT x BODY 3'), '1/2/0');
    assert.equal(await count('SEARCH UNSEEN'), '0/0/0');
    // Header-only answers are the same as those cut from the whole message.
    const items = 'FETCH 1:* (ENVELOPE RFC822.HEADER BODY.PEEK[HEADER.FIELDS.NOT (FROM)])';
    const fromHeaders = await command('h', items);
    counted.openMessages = undefined;
    assert.equal(await command('h', items), fromHeaders);
    assert.match(
      fromHeaders,
      /\* 2 FETCH \(ENVELOPE \(NIL "three" NIL NIL NIL NIL NIL NIL NIL NIL\)/,
    );
    assert.match(fromHeaders, /\* 1 FETCH \(ENVELOPE \(NIL "Fwd" \(\(NIL NIL "a" "x.cn"\)\)/);
  });
});
