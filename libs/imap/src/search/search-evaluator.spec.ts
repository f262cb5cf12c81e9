import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as iconv from 'iconv-lite';
import type { SearchKey } from '../parser/command-types';
import { parseCommand } from '../parser/parse-command';
import { matchesSearch } from './search-evaluator';
import { type SearchableMetadata, SearchableMessage } from './searchable-message';

const SCOPE = { messageCount: 10, largestUid: 100 };

function message(raw: Buffer | string, meta: Partial<SearchableMetadata> = {}): SearchableMessage {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
  return new SearchableMessage(
    {
      sequence: 3,
      uid: 42,
      flags: ['\\Seen', '$Work'],
      recent: false,
      internalDate: new Date('2026-11-23T10:00:00Z'),
      size: bytes.length,
      modseq: 7,
      ...meta,
    },
    () => bytes,
  );
}

/** Parses `UID SEARCH <criteria>` as a client would send it and returns the key. */
function key(criteria: string | Buffer): SearchKey {
  const prefix = Buffer.from('a SEARCH ');
  const result = parseCommand(
    Buffer.concat([prefix, Buffer.isBuffer(criteria) ? criteria : Buffer.from(criteria)]),
  );
  if (!result.ok) throw result.error;
  assert.equal(result.command.name, 'SEARCH');
  return result.command.name === 'SEARCH' ? result.command.key : { kind: 'all' };
}

function matches(criteria: string | Buffer, target: SearchableMessage): boolean {
  return matchesSearch(key(criteria), target, SCOPE);
}

const base64 = (bytes: Buffer): string => bytes.toString('base64').replace(/.{1,76}/g, '$&\r\n');

const GB2312_BASE64 = message(
  Buffer.concat([
    Buffer.from(
      'From: =?GB2312?B?1cXI/Q==?= <z3@example.cn>\r\nTo: li@example.cn\r\n' +
        'Subject: =?GB2312?B?u+HS6c2o1qo=?=\r\nDate: Sun, 22 Nov 2026 23:30:00 +0800\r\n' +
        'Content-Type: text/plain; charset=GB2312\r\nContent-Transfer-Encoding: base64\r\n\r\n',
    ),
    Buffer.from(base64(iconv.encode('明天下午三点在会议室开会，请准时参加。', 'gb2312'))),
  ]),
);

const GBK_QP = message(
  Buffer.concat([
    Buffer.from(
      'Subject: test\r\nContent-Type: text/plain; charset="gbk"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n',
    ),
    Buffer.from(
      [...iconv.encode('報銷單據（GBK 繁體字）', 'gbk')]
        .map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('')
        .replace(/(.{72})/g, '$1=\r\n'),
    ),
  ]),
);

const BIG5_8BIT = message(
  Buffer.concat([
    Buffer.from(
      'Subject: tw\r\nContent-Type: text/plain; charset=big5\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
    ),
    iconv.encode('臺北市政府公告', 'big5'),
  ]),
);

const UTF8_HTML_MULTIPART = message(
  'Subject: =?UTF-8?Q?=E5=91=A8=E6=8A=A5?=\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n' +
    '--x\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
    base64(Buffer.from('<p>本周<b>进展</b>顺利 &amp; 按时</p>')) +
    '--x\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
    base64(Buffer.from('秘密附件内容')) +
    '--x--\r\n',
);

describe('SEARCH text keys over decoded content', () => {
  it('finds GB2312 base64 text and encoded-word headers with a UTF-8 string', () => {
    assert.equal(matches('CHARSET UTF-8 BODY "会议室"', GB2312_BASE64), true);
    assert.equal(matches('BODY "会议厅"', GB2312_BASE64), false);
    assert.equal(matches('SUBJECT "会议"', GB2312_BASE64), true);
    assert.equal(matches('FROM "张三"', GB2312_BASE64), true);
    assert.equal(matches('FROM z3@EXAMPLE.cn', GB2312_BASE64), true);
    assert.equal(matches('TEXT "准时参加"', GB2312_BASE64), true);
    assert.equal(matches('TEXT "li@example"', GB2312_BASE64), true);
  });

  it('finds text with a GB2312-encoded search string under CHARSET GB2312', () => {
    const criteria = Buffer.concat([
      Buffer.from('CHARSET GB2312 BODY {6}\r\n'),
      iconv.encode('会议室', 'gb2312'),
    ]);
    assert.equal(matches(criteria, GB2312_BASE64), true);
    const miss = Buffer.concat([
      Buffer.from('CHARSET GB2312 BODY {4}\r\n'),
      iconv.encode('北京', 'gb2312'),
    ]);
    assert.equal(matches(miss, GB2312_BASE64), false);
  });

  it('finds GBK quoted-printable and BIG5 8-bit bodies', () => {
    assert.equal(matches('BODY "繁體字"', GBK_QP), true);
    assert.equal(matches('BODY "報銷"', GBK_QP), true);
    assert.equal(matches('BODY "政府"', BIG5_8BIT), true);
    assert.equal(matches('BODY "政府"', GBK_QP), false);
  });

  it('reads HTML as text and skips attachments', () => {
    assert.equal(matches('BODY "进展顺利"', UTF8_HTML_MULTIPART), false, 'tags become spaces');
    assert.equal(matches('BODY "进展 顺利"', UTF8_HTML_MULTIPART), true);
    assert.equal(matches('BODY "& 按时"', UTF8_HTML_MULTIPART), true);
    assert.equal(matches('BODY "附件内容"', UTF8_HTML_MULTIPART), false);
    assert.equal(matches('SUBJECT "周报"', UTF8_HTML_MULTIPART), true);
    assert.equal(matches('BODY "<b>"', UTF8_HTML_MULTIPART), false);
  });

  it('matches case-insensitively, and HEADER "" as presence', () => {
    const plain = message('Subject: Quarterly REPORT\r\nX-Mailer: Foxmail\r\n\r\nHello World\r\n');
    assert.equal(matches('SUBJECT report', plain), true);
    assert.equal(matches('BODY "hello world"', plain), true);
    assert.equal(matches('HEADER X-Mailer ""', plain), true);
    assert.equal(matches('HEADER X-Other ""', plain), false);
    assert.equal(matches('HEADER x-mailer fox', plain), true);
    assert.equal(matches('CC x', plain), false);
  });

  it('finds words across line breaks and whitespace runs, with or without spaces in the key', () => {
    const folded = message('Subject: s\r\n\r\nfirst Line\r\n\t  SECOND\tline\r\n');
    assert.equal(matches('BODY "line second"', folded), true, 'CRLF, tab and spaces are one space');
    assert.equal(matches('BODY "second line"', folded), true);
    assert.equal(matches('BODY "line  second"', folded), true, 'the key is collapsed too');
    assert.equal(matches('BODY SECOND', folded), true);
    assert.equal(matches('BODY linesecond', folded), false);
    assert.equal(matches('TEXT "line\tsecond"', folded), true);
    assert.equal(matches('TEXT "first line second line"', folded), true);
    assert.equal(matches('TEXT "first line second line."', folded), false);
  });
});

describe('SEARCH non-text keys', () => {
  const plain = message('Date: 1 Dec 2026 01:00:00 -0800\r\nSubject: s\r\n\r\nbody', {
    flags: ['\\Answered', '$Work'],
    recent: true,
    size: 500,
  });

  it('evaluates flags, keywords, RECENT, NEW and OLD', () => {
    assert.equal(matches('ANSWERED', plain), true);
    assert.equal(matches('UNANSWERED', plain), false);
    assert.equal(matches('UNSEEN', plain), true);
    assert.equal(matches('KEYWORD $work', plain), true);
    assert.equal(matches('UNKEYWORD $Work', plain), false);
    assert.equal(matches('NEW', plain), true);
    assert.equal(matches('OLD', plain), false);
    assert.equal(matches('RECENT', plain), true);
    assert.equal(matches('DELETED', plain), false);
    assert.equal(matches('UNDRAFT UNFLAGGED UNDELETED', plain), true);
  });

  it('compares internal and sent dates by calendar day', () => {
    assert.equal(matches('ON 23-Nov-2026', plain), true);
    assert.equal(matches('BEFORE 23-Nov-2026', plain), false);
    assert.equal(matches('BEFORE 24-Nov-2026', plain), true);
    assert.equal(matches('SINCE 23-Nov-2026', plain), true);
    assert.equal(matches('SINCE 24-Nov-2026', plain), false);
    assert.equal(matches('SENTON 1-Dec-2026', plain), true);
    assert.equal(matches('SENTBEFORE 1-Dec-2026', plain), false);
    assert.equal(matches('SENTSINCE 30-Nov-2026', plain), true);
    assert.equal(matches('SENTON 1-Dec-2026', message('Subject: no date\r\n\r\n')), false);
  });

  it('evaluates sizes, sequence numbers, UIDs, MODSEQ and the boolean operators', () => {
    assert.equal(matches('LARGER 499', plain), true);
    assert.equal(matches('LARGER 500', plain), false);
    assert.equal(matches('SMALLER 501', plain), true);
    assert.equal(matches('3', plain), true);
    assert.equal(matches('4:*', plain), false);
    assert.equal(matches('*:4', plain), false);
    assert.equal(matches('UID 40:50', plain), true);
    assert.equal(matches('UID 43:*', plain), false);
    assert.equal(matches('MODSEQ 7', plain), true);
    assert.equal(matches('MODSEQ 8', plain), false);
    assert.equal(matches('OR DELETED ANSWERED', plain), true);
    assert.equal(matches('OR DELETED SEEN', plain), false);
    assert.equal(matches('NOT (ANSWERED RECENT)', plain), false);
    assert.equal(matches('NOT OR DELETED SEEN', plain), true);
    assert.equal(matches('ALL', plain), true);
  });

  it('does not read the message for flag-only searches', () => {
    let loads = 0;
    const lazy = new SearchableMessage(
      {
        sequence: 1,
        uid: 1,
        flags: [],
        recent: false,
        internalDate: new Date(),
        size: 1,
        modseq: 1,
      },
      () => {
        loads++;
        return Buffer.from('Subject: x\r\n\r\n');
      },
    );
    assert.equal(matchesSearch(key('UNSEEN LARGER 0'), lazy, SCOPE), true);
    assert.equal(loads, 0);
    assert.equal(matchesSearch(key('SUBJECT x BODY y'), lazy, SCOPE), false);
    assert.equal(loads, 1);
  });
});
