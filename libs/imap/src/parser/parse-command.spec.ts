import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as iconv from 'iconv-lite';
import type { ImapCommand } from './command-types';
import { UnsupportedCharsetError } from './grammar/search.grammar';
import { parseCommand } from './parse-command';

function parse(text: string | Buffer): ImapCommand {
  const result = parseCommand(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'));
  if (!result.ok) throw result.error;
  return result.command;
}

function parseError(text: string): { tag: string | undefined; error: Error } {
  const result = parseCommand(Buffer.from(text));
  assert.equal(result.ok, false, `expected a syntax error for ${JSON.stringify(text)}`);
  return result as { tag: string | undefined; error: Error };
}

describe('parseCommand: framing, tags, strings', () => {
  it('reads tag, name and no-argument commands case-insensitively', () => {
    const result = parseCommand(Buffer.from('A001 capability'));
    assert.deepEqual(result, { ok: true, tag: 'A001', command: { name: 'CAPABILITY' } });
    assert.deepEqual(parse('x.1 IDLE'), { name: 'IDLE' });
  });

  it('keeps the tag of a command with bad arguments, none for a bad tag', () => {
    assert.equal(parseError('a7 NOOP extra').tag, 'a7');
    assert.equal(parseError('a8 FROBNICATE').tag, 'a8');
    assert.equal(parseError('+a NOOP').tag, undefined);
    assert.equal(parseError('').tag, undefined);
  });

  it('reads atoms, quoted strings with escapes and literals as astrings', () => {
    assert.deepEqual(parse('a LOGIN fred "p\\"w\\\\d"'), {
      name: 'LOGIN',
      user: 'fred',
      password: 'p"w\\d',
    });
    assert.deepEqual(parse('a LOGIN {4}\r\nfr d {3+}\r\n\u00e9x'), {
      name: 'LOGIN',
      user: 'fr d',
      password: '\u00e9x',
    });
    parseError('a LOGIN "unterminated');
    parseError('a LOGIN "bad\\escape" x');
    parseError('a LOGIN {10}\r\nshort');
  });

  it('limits list nesting depth', () => {
    const deep = `a FETCH 1 ${'('.repeat(40)}FLAGS${')'.repeat(40)}`;
    assert.match(parseError(deep).error.message, /nested|atom|Expected/);
    parseError('a FETCH 1 (FLAGS');
    parseError('a FETCH 1 FLAGS)');
  });
});

describe('parseCommand: FETCH', () => {
  it('expands the macros', () => {
    const all = parse('a FETCH 1:* ALL');
    assert.equal(all.name, 'FETCH');
    assert.deepEqual(all.name === 'FETCH' && all.attributes.map((a) => a.kind), [
      'FLAGS',
      'INTERNALDATE',
      'RFC822.SIZE',
      'ENVELOPE',
    ]);
    const full = parse('a FETCH 1 FULL');
    assert.deepEqual(full.name === 'FETCH' && full.attributes.map((a) => a.kind), [
      'FLAGS',
      'INTERNALDATE',
      'RFC822.SIZE',
      'ENVELOPE',
      'BODY',
    ]);
    const fast = parse('a FETCH 2,4:7 fast');
    assert.deepEqual(fast.name === 'FETCH' && fast.set, [
      { from: 2, to: 2 },
      { from: 4, to: 7 },
    ]);
  });

  it('reads sections, peeks and partials', () => {
    const command = parse(
      'a UID FETCH *:4 (FLAGS BODY.PEEK[1.2.HEADER.FIELDS (A B)]<0.100> BODY[] BODY[3.MIME] RFC822.SIZE BODY[TEXT]<5.1> BODY[2] BODYSTRUCTURE)',
    );
    assert.deepEqual(command, {
      name: 'FETCH',
      uid: true,
      set: [{ from: '*', to: 4 }],
      modifiers: {},
      attributes: [
        { kind: 'UID' },
        { kind: 'FLAGS' },
        {
          kind: 'BODY[]',
          peek: true,
          section: { path: [1, 2], specifier: 'HEADER.FIELDS', fields: ['A', 'B'] },
          partial: { offset: 0, length: 100 },
        },
        { kind: 'BODY[]', peek: false, section: { path: [] } },
        { kind: 'BODY[]', peek: false, section: { path: [3], specifier: 'MIME' } },
        { kind: 'RFC822.SIZE' },
        {
          kind: 'BODY[]',
          peek: false,
          section: { path: [], specifier: 'TEXT' },
          partial: { offset: 5, length: 1 },
        },
        { kind: 'BODY[]', peek: false, section: { path: [2] } },
        { kind: 'BODYSTRUCTURE' },
      ],
    });
  });

  it('reads a single attribute with a section and HEADER.FIELDS.NOT', () => {
    const command = parse('a FETCH 1 BODY[HEADER.FIELDS.NOT (Received "X-Spam")]');
    assert.deepEqual(command.name === 'FETCH' && command.attributes, [
      {
        kind: 'BODY[]',
        peek: false,
        section: { path: [], specifier: 'HEADER.FIELDS.NOT', fields: ['Received', 'X-Spam'] },
      },
    ]);
  });

  it('reads CONDSTORE and QRESYNC modifiers', () => {
    const command = parse('a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)');
    assert.deepEqual(command.name === 'FETCH' && command.modifiers, {
      changedSince: 12345,
      vanished: true,
    });
    parseError('a FETCH 1:* (FLAGS) (VANISHED)');
  });

  it('rejects bad sections, attributes and sets', () => {
    for (const bad of [
      'a FETCH 1 BODY[MIME]',
      'a FETCH 1 BODY[0]',
      'a FETCH 1 BODY[1.FOO]',
      'a FETCH 1 BODY[HEADER.FIELDS]',
      'a FETCH 1 BODY[]<1>',
      'a FETCH 1 RFC822.BOGUS',
      'a FETCH 0 FLAGS',
      'a FETCH 1:2:3 FLAGS',
      'a FETCH 1 ()',
    ]) {
      parseError(bad);
    }
  });
});

describe('parseCommand: SEARCH', () => {
  it('reads every RFC 3501 key', () => {
    const command = parse(
      'a SEARCH ALL ANSWERED BCC b BEFORE 1-Feb-1994 BODY x CC c DELETED DRAFT FLAGGED FROM f ' +
        'HEADER X-Y z KEYWORD $Junk LARGER 10 NEW NOT SEEN OLD ON 2-Jan-2020 OR RECENT UNSEEN ' +
        'SENTBEFORE 1-Jan-2000 SENTON 1-Jan-2000 SENTSINCE 1-Jan-2000 SINCE "3-Mar-2021" SMALLER 5 ' +
        'SUBJECT s TEXT t TO "o p" UID 1:3 UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD k 2,4:* ' +
        '(SEEN FLAGGED) MODSEQ 7',
    );
    assert.equal(command.name, 'SEARCH');
    if (command.name !== 'SEARCH') return;
    assert.equal(command.charset, 'UTF-8');
    assert.equal(command.key.kind, 'and');
    if (command.key.kind !== 'and') return;
    const keys = command.key.keys;
    assert.equal(keys.length, 35);
    assert.deepEqual(keys[1], { kind: 'flag', flag: '\\Answered', present: true });
    assert.deepEqual(keys[2], { kind: 'header', field: 'bcc', value: 'b' });
    assert.deepEqual(keys[3], {
      kind: 'date',
      source: 'internal',
      comparison: 'before',
      day: '1994-02-01',
    });
    assert.deepEqual(keys[10], { kind: 'header', field: 'x-y', value: 'z' });
    assert.deepEqual(keys[11], { kind: 'flag', flag: '$Junk', present: true });
    assert.deepEqual(keys[12], { kind: 'size', comparison: 'larger', size: 10 });
    assert.deepEqual(keys[13], { kind: 'new' });
    assert.deepEqual(keys[14], {
      kind: 'not',
      key: { kind: 'flag', flag: '\\Seen', present: true },
    });
    assert.deepEqual(keys[15], { kind: 'recent', present: false });
    assert.deepEqual(keys[17], {
      kind: 'or',
      left: { kind: 'recent', present: true },
      right: { kind: 'flag', flag: '\\Seen', present: false },
    });
    assert.deepEqual(keys[21], {
      kind: 'date',
      source: 'internal',
      comparison: 'since',
      day: '2021-03-03',
    });
    assert.deepEqual(keys[25], { kind: 'header', field: 'to', value: 'o p' });
    assert.deepEqual(keys[26], { kind: 'uid', set: [{ from: 1, to: 3 }] });
    assert.deepEqual(keys[32], {
      kind: 'sequence',
      set: [
        { from: 2, to: 2 },
        { from: 4, to: '*' },
      ],
    });
    assert.deepEqual(keys[33], {
      kind: 'and',
      keys: [
        { kind: 'flag', flag: '\\Seen', present: true },
        { kind: 'flag', flag: '\\Flagged', present: true },
      ],
    });
    assert.deepEqual(keys[34], { kind: 'modseq', modseq: 7 });
    assert.deepEqual(keys[18], {
      kind: 'date',
      source: 'sent',
      comparison: 'before',
      day: '2000-01-01',
    });
  });

  it('decodes search strings in the given CHARSET', () => {
    const gb = Buffer.concat([
      Buffer.from('a UID SEARCH CHARSET GB2312 BODY {4}\r\n'),
      iconv.encode('中文', 'gb2312'),
    ]);
    assert.deepEqual(parse(gb), {
      name: 'SEARCH',
      uid: true,
      charset: 'GB2312',
      key: { kind: 'body', value: '中文' },
    });
    assert.deepEqual(parse('a SEARCH CHARSET UTF-8 SUBJECT "已发送"'), {
      name: 'SEARCH',
      uid: false,
      charset: 'UTF-8',
      key: { kind: 'header', field: 'subject', value: '已发送' },
    });
  });

  it('reports an unknown charset apart from syntax errors (NO [BADCHARSET])', () => {
    const result = parseCommand(Buffer.from('a SEARCH CHARSET X-NOPE TEXT x'));
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.error instanceof UnsupportedCharsetError);
  });

  it('rejects malformed searches and bounds recursion', () => {
    parseError('a SEARCH');
    parseError('a SEARCH OR SEEN');
    parseError('a SEARCH BEFORE 32-Jan-2020');
    parseError('a SEARCH BEFORE 1-Foo-2020');
    parseError('a SEARCH (SEEN');
    parseError('a SEARCH BOGUS');
    parseError(`a SEARCH ${'NOT '.repeat(1000)}SEEN`);
  });
});

describe('parseCommand: other commands', () => {
  it('STORE with and without parentheses, SILENT and UNCHANGEDSINCE', () => {
    assert.deepEqual(parse('a STORE 1:3 +FLAGS.SILENT (\\seen \\Deleted $Work)'), {
      name: 'STORE',
      uid: false,
      set: [{ from: 1, to: 3 }],
      operation: 'add',
      silent: true,
      flags: ['\\Seen', '\\Deleted', '$Work'],
    });
    assert.deepEqual(parse('a UID STORE 5 (UNCHANGEDSINCE 320162338) -FLAGS \\Answered'), {
      name: 'STORE',
      uid: true,
      set: [{ from: 5, to: 5 }],
      operation: 'remove',
      silent: false,
      flags: ['\\Answered'],
      unchangedSince: 320162338,
    });
    parseError('a STORE 1 FLAGZ (\\Seen)');
    parseError('a STORE 1 FLAGS (\\Bogus)');
    // \Recent is valid syntax, but only the server sets it: it is dropped.
    const recent = parse('a STORE 1 FLAGS (\\Recent \\Seen)');
    assert.deepEqual(recent.name === 'STORE' && recent.flags, ['\\Seen']);
  });

  it('APPEND with flags, date and literal', () => {
    const command = parse(
      'a APPEND "Sent Items" (\\Seen) " 7-Feb-1994 21:52:25 -0800" {5}\r\nHello',
    );
    assert.equal(command.name, 'APPEND');
    if (command.name !== 'APPEND') return;
    assert.equal(command.mailbox, 'Sent Items');
    assert.deepEqual(command.flags, ['\\Seen']);
    assert.equal(command.internalDate?.toISOString(), '1994-02-08T05:52:25.000Z');
    assert.equal(command.message.toString(), 'Hello');
    assert.deepEqual(parse('a APPEND INBOX {0+}\r\n'), {
      name: 'APPEND',
      mailbox: 'INBOX',
      flags: [],
      message: Buffer.alloc(0),
    });
    parseError('a APPEND INBOX "not a literal"');
  });

  it('AUTHENTICATE with and without SASL-IR', () => {
    assert.deepEqual(parse('a AUTHENTICATE plain AGZyZWQAc2VjcmV0'), {
      name: 'AUTHENTICATE',
      mechanism: 'PLAIN',
      initialResponse: 'AGZyZWQAc2VjcmV0',
    });
    assert.deepEqual(parse('a AUTHENTICATE PLAIN ='), {
      name: 'AUTHENTICATE',
      mechanism: 'PLAIN',
      initialResponse: '=',
    });
    assert.deepEqual(parse('a AUTHENTICATE PLAIN'), { name: 'AUTHENTICATE', mechanism: 'PLAIN' });
    parseError('a AUTHENTICATE PLAIN ab!c');
  });

  it('ENABLE, ID, COMPRESS, NAMESPACE', () => {
    assert.deepEqual(parse('a ENABLE QRESYNC condstore'), {
      name: 'ENABLE',
      capabilities: ['QRESYNC', 'CONDSTORE'],
    });
    const id = parse('a ID ("name" "iPhone Mail" "version" NIL)');
    assert.equal(id.name === 'ID' && id.parameters?.get('name'), 'iPhone Mail');
    assert.equal(id.name === 'ID' && id.parameters?.get('version'), null);
    assert.deepEqual(parse('a ID NIL'), { name: 'ID', parameters: null });
    assert.deepEqual(parse('a COMPRESS deflate'), { name: 'COMPRESS', mechanism: 'DEFLATE' });
    assert.deepEqual(parse('a NAMESPACE'), { name: 'NAMESPACE' });
    parseError('a ENABLE');
  });

  it('SELECT with CONDSTORE and QRESYNC parameters', () => {
    assert.deepEqual(parse('a SELECT INBOX (CONDSTORE)'), {
      name: 'SELECT',
      mailbox: 'INBOX',
      parameters: { condstore: true },
    });
    assert.deepEqual(
      parse(
        'a SELECT INBOX (QRESYNC (67890007 2005071519404500 41,43:211,214:541 (1,3:5 41,43:45)))',
      ),
      {
        name: 'SELECT',
        mailbox: 'INBOX',
        parameters: {
          condstore: false,
          qresync: {
            uidValidity: 67890007,
            modseq: 2005071519404500,
            knownUids: [
              { from: 41, to: 41 },
              { from: 43, to: 211 },
              { from: 214, to: 541 },
            ],
            knownSequenceMatch: {
              sequences: [
                { from: 1, to: 1 },
                { from: 3, to: 5 },
              ],
              uids: [
                { from: 41, to: 41 },
                { from: 43, to: 45 },
              ],
            },
          },
        },
      },
    );
    parseError('a SELECT INBOX (BOGUS)');
    // Mod-sequences past 2^53 are refused rather than rounded (Dizi hands out smaller ones).
    parseError('a SELECT INBOX (QRESYNC (1 20050715194045000))');
  });

  it('LIST forms, STATUS, CREATE with USE, RENAME, COPY/MOVE, UID EXPUNGE, QUOTA', () => {
    assert.deepEqual(parse('a LIST "" *'), {
      name: 'LIST',
      reference: '',
      patterns: ['*'],
      selection: [],
      returnOptions: { specialUse: false, children: false, subscribed: false },
    });
    assert.deepEqual(
      parse('a LIST (SPECIAL-USE) "" (% "&XfJT0ZAB-/*") RETURN (SPECIAL-USE CHILDREN)'),
      {
        name: 'LIST',
        reference: '',
        patterns: ['%', '&XfJT0ZAB-/*'],
        selection: ['SPECIAL-USE'],
        returnOptions: { specialUse: true, children: true, subscribed: false },
      },
    );
    assert.deepEqual(parse('a STATUS blurdybloop (UIDNEXT MESSAGES highestmodseq)'), {
      name: 'STATUS',
      mailbox: 'blurdybloop',
      items: ['UIDNEXT', 'MESSAGES', 'HIGHESTMODSEQ'],
    });
    assert.deepEqual(parse('a CREATE Spam (USE (\\junk))'), {
      name: 'CREATE',
      mailbox: 'Spam',
      specialUse: '\\Junk',
    });
    assert.deepEqual(parse('a RENAME a "b c"'), { name: 'RENAME', from: 'a', to: 'b c' });
    assert.deepEqual(parse('a UID MOVE 1:5 Trash'), {
      name: 'MOVE',
      uid: true,
      set: [{ from: 1, to: 5 }],
      mailbox: 'Trash',
    });
    assert.deepEqual(parse('a UID EXPUNGE 3:5'), {
      name: 'EXPUNGE',
      uid: true,
      uids: [{ from: 3, to: 5 }],
    });
    assert.deepEqual(parse('a GETQUOTAROOT INBOX'), { name: 'GETQUOTAROOT', mailbox: 'INBOX' });
    assert.deepEqual(parse('a GETQUOTA ""'), { name: 'GETQUOTA', root: '' });
    const setQuota = parse('a SETQUOTA "" (STORAGE 512)');
    assert.equal(setQuota.name === 'SETQUOTA' && setQuota.limits.get('STORAGE'), 512);
    parseError('a UID NOOP');
    parseError('a UID EXPUNGE');
    parseError('a STATUS x (BOGUS)');
  });
});
