import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionHarness } from '../testing/session-harness';

async function loggedIn() {
  const harness = await sessionHarness();
  await harness.command('login', 'LOGIN u p');
  return harness;
}

describe('mailbox commands', () => {
  it('SELECT reports state and EXAMINE is read-only', async () => {
    const { command, access } = await loggedIn();
    await access.appendMessage(
      'INBOX',
      Buffer.from('Subject: 1\r\n\r\n1'),
      ['\\Seen', '$Work'],
      new Date(),
    );
    await access.appendMessage('INBOX', Buffer.from('Subject: 2\r\n\r\n2'), [], new Date());
    const select = await command('a', 'SELECT inbox');
    const validity = /UIDVALIDITY (\d+)/.exec(select)?.[1];
    assert.equal(
      select,
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)\r\n' +
        '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted\r\n' +
        '* 2 EXISTS\r\n* 2 RECENT\r\n* OK [UNSEEN 2] First unseen\r\n' +
        `* OK [UIDVALIDITY ${validity}] UIDs valid\r\n* OK [UIDNEXT 3] Predicted next UID\r\n` +
        '* OK [HIGHESTMODSEQ 3] Highest\r\na OK [READ-WRITE] SELECT completed\r\n',
    );
    const examine = await command('b', 'EXAMINE INBOX');
    assert.match(examine, /^\* OK \[CLOSED\]/);
    assert.match(examine, /\* 0 RECENT\r\n/, 'the first SELECT claimed \\Recent');
    assert.match(examine, /b OK \[READ-ONLY\]/);
    assert.match(await command('c', 'STORE 1 +FLAGS (\\Deleted)'), /c NO \[READ-ONLY\]/);
    assert.match(await command('d', 'SELECT Nowhere'), /d NO \[NONEXISTENT\]/);
    assert.match(await command('e', 'FETCH 1 FLAGS'), /e BAD FETCH is not valid in this state/);
  });

  it('QRESYNC SELECT returns VANISHED (EARLIER) and changed flags only', async () => {
    const { command, access } = await loggedIn();
    for (let i = 1; i <= 4; i++)
      await access.appendMessage('INBOX', Buffer.from(`Subject: ${i}\r\n\r\n`), [], new Date());
    const first = await command('a', 'SELECT INBOX');
    const validity = /UIDVALIDITY (\d+)/.exec(first)?.[1];
    const modseq = Number(/HIGHESTMODSEQ (\d+)/.exec(first)?.[1]);
    await command('b', 'UNSELECT');
    await access.storeFlags('INBOX', [2], 'add', ['\\Deleted']);
    await access.expunge('INBOX');
    await access.storeFlags('INBOX', [4], 'add', ['\\Seen']);
    assert.match(
      await command('c', 'SELECT INBOX (QRESYNC (1 1))'),
      /c BAD QRESYNC is not enabled/,
    );
    assert.match(await command('d', 'ENABLE QRESYNC'), /^\* ENABLED CONDSTORE QRESYNC\r\nd OK/);
    const resync = await command('e', `SELECT INBOX (QRESYNC (${validity} ${modseq} 1:4))`);
    assert.match(resync, /\* VANISHED \(EARLIER\) 2\r\n/);
    assert.match(resync, /\* 3 FETCH \(UID 4 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)\r\n/);
    assert.doesNotMatch(resync, /FETCH \(UID [13] /);
    const stale = await command('f', `EXAMINE INBOX (QRESYNC (${Number(validity) + 1} ${modseq}))`);
    assert.doesNotMatch(stale, /VANISHED|FETCH/);
  });

  it('CREATE, RENAME, DELETE, SUBSCRIBE and LSUB, with special use', async () => {
    const { command } = await loggedIn();
    assert.match(await command('a', 'CREATE Archive (USE (\\Archive))'), /a OK/);
    assert.match(await command('b', 'CREATE Archive'), /b NO \[ALREADYEXISTS\]/);
    assert.match(await command('c', 'CREATE INBOX'), /c NO \[ALREADYEXISTS\]/);
    assert.match(await command('d', 'CREATE x (USE (\\Bogus))'), /d NO \[USEATTR\]/);
    assert.match(await command('e', 'CREATE &XfJT0ZAB-/2026'), /e OK/);
    assert.match(await command('f', 'RENAME &XfJT0ZAB- &YqVUSg-'), /f OK/);
    const listed = await command('g', 'LIST "" "*"');
    assert.match(listed, /\* LIST \(\\HasNoChildren \\Archive\) "\/" "Archive"/);
    assert.match(listed, /"&YqVUSg-\/2026"/);
    assert.doesNotMatch(listed, /XfJT0ZAB/);
    assert.match(await command('h', 'UNSUBSCRIBE Archive'), /h OK/);
    assert.doesNotMatch(await command('i', 'LSUB "" *'), /Archive/);
    assert.match(
      await command('j', 'LIST (SUBSCRIBED) "" *'),
      /\* LIST \(\\HasNoChildren \\Subscribed \\Drafts\) "\/" "Drafts"/,
    );
    assert.match(await command('k', 'DELETE INBOX'), /k NO \[CANNOT\]/);
    assert.match(await command('l', 'DELETE Archive'), /l OK/);
    assert.match(await command('m', 'DELETE Archive'), /m NO \[NONEXISTENT\]/);
    assert.equal(
      await command('n', 'LIST "" ""'),
      '* LIST (\\Noselect) "/" ""\r\nn OK LIST completed\r\n',
    );
  });

  it('LIST-EXTENDED: RECURSIVEMATCH reports parents of subscribed folders with CHILDINFO', async () => {
    const { command } = await loggedIn();
    await command('a', 'CREATE Projects/Dizi');
    await command('b', 'UNSUBSCRIBE Projects');
    const listed = await command('c', 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"');
    assert.match(
      listed,
      /\* LIST \(\\HasChildren\) "\/" "Projects" \("CHILDINFO" \("SUBSCRIBED"\)\)\r\n/,
    );
    assert.doesNotMatch(await command('d', 'LIST (SUBSCRIBED) "" "%"'), /Projects/);
    assert.match(await command('e', 'LIST (RECURSIVEMATCH) "" "%"'), /e BAD/);
    assert.match(await command('f', 'LIST (BOGUS) "" "%"'), /f BAD/);
  });

  it('STATUS, NAMESPACE, quota, ID and ENABLE answers', async () => {
    const { command, access } = await loggedIn();
    await access.appendMessage(
      'Sent',
      Buffer.from('Subject: s\r\n\r\nsent'),
      ['\\Seen'],
      new Date(),
    );
    assert.equal(
      await command('a', 'STATUS Sent (MESSAGES UNSEEN UIDNEXT SIZE)'),
      '* STATUS "Sent" (MESSAGES 1 UNSEEN 0 UIDNEXT 2 SIZE 18)\r\na OK STATUS completed\r\n',
    );
    assert.equal(
      await command('b', 'NAMESPACE'),
      '* NAMESPACE (("" "/")) NIL NIL\r\nb OK NAMESPACE completed\r\n',
    );
    assert.equal(
      await command('c', 'GETQUOTAROOT Sent'),
      '* QUOTAROOT "Sent" ""\r\n* QUOTA "" ()\r\nc OK GETQUOTAROOT completed\r\n',
    );
    assert.match(await command('d', 'SETQUOTA "" (STORAGE 1)'), /d NO \[NOPERM\]/);
    assert.match(await command('e', 'GETQUOTA "other"'), /e NO \[NONEXISTENT\]/);
    assert.match(await command('f', 'ID ("name" "Foxmail")'), /^\* ID \("name" "Dizi"/);
    assert.equal(
      await command('g', 'ENABLE CONDSTORE X-UNKNOWN'),
      '* ENABLED CONDSTORE\r\ng OK ENABLE completed\r\n',
    );
    assert.equal(await command('h', 'ENABLE CONDSTORE'), '* ENABLED\r\nh OK ENABLE completed\r\n');
  });

  it('reports quota usage in KiB when the store has a limit', async () => {
    const { store } = await sessionHarness();
    const access = store.addUser('q', 'p', { storageLimitBytes: 10 * 1024 });
    await access.appendMessage('INBOX', Buffer.alloc(3000, 0x61), [], new Date());
    const harness = await sessionHarness({ authenticator: store });
    await harness.command('a', 'LOGIN q p');
    assert.match(await harness.command('b', 'GETQUOTA ""'), /\* QUOTA "" \(STORAGE 3 10\)/);
    assert.match(
      await harness.command('c', 'APPEND INBOX {8000+}\r\n' + 'x'.repeat(8000)),
      /c NO \[OVERQUOTA\]/,
    );
  });
});
