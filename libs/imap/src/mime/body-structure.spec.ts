import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serializeValues } from '../response/imap-value';
import { bodyStructure } from './body-structure';
import { envelope } from './envelope';
import { ALTERNATIVE_WITH_ATTACHMENT, FORWARD, rfc3501TextMessage } from './mime-fixtures';
import { parseMimeTree } from './mime-tree';

function structure(message: Buffer, extensible: boolean): string {
  return serializeValues([bodyStructure(message, parseMimeTree(message), extensible)]).toString(
    'latin1',
  );
}

describe('BODYSTRUCTURE and BODY', () => {
  it('matches the RFC 3501 example for a plain text message', () => {
    const message = rfc3501TextMessage();
    const tree = parseMimeTree(message);
    assert.equal(tree.bodyEnd - tree.bodyStart, 3028);
    assert.equal(
      structure(message, false),
      '("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92)',
    );
  });

  it('describes multipart/alternative with an attachment (hand-computed)', () => {
    assert.equal(
      structure(ALTERNATIVE_WITH_ATTACHMENT, true),
      '(' +
        '(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 37 2 NIL NIL NIL NIL)' +
        '("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 12 1 NIL NIL NIL NIL)' +
        ' "ALTERNATIVE" ("BOUNDARY" "inner") NIL NIL NIL)' +
        '("APPLICATION" "PDF" ("NAME" "a.pdf") "<att1>" NIL "BASE64" 12 NIL' +
        ` ("ATTACHMENT" ("FILENAME*" "utf-8''%E6%8A%A5.pdf")) NIL NIL)` +
        ' "MIXED" ("BOUNDARY" "outer") NIL NIL NIL)',
    );
    assert.equal(
      structure(ALTERNATIVE_WITH_ATTACHMENT, false),
      '(' +
        '(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 37 2)' +
        '("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 12 1) "ALTERNATIVE")' +
        '("APPLICATION" "PDF" ("NAME" "a.pdf") "<att1>" NIL "BASE64" 12) "MIXED")',
    );
  });

  it('describes a message/rfc822 forward with the inner envelope and lines', () => {
    const inner = '("B" NIL "b" "y.cn")';
    assert.equal(
      structure(FORWARD, true),
      '(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 9 1 NIL NIL NIL NIL)' +
        '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 50' +
        ` (NIL "orig" (${inner}) (${inner}) (${inner}) NIL NIL NIL NIL NIL)` +
        ' ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 13 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL)' +
        ' "MIXED" ("BOUNDARY" "b") NIL NIL NIL)',
    );
  });

  it('gives a disposition, language list and location', () => {
    const message = Buffer.from(
      'Content-Type: image/png\r\nContent-Disposition: INLINE\r\nContent-Language: en, zh-CN\r\n' +
        'Content-Location: http://x/y.png\r\nContent-Description: logo\r\n\r\nAAAA',
    );
    assert.equal(
      structure(message, true),
      '("IMAGE" "PNG" NIL NIL "logo" "7BIT" 4 NIL ("INLINE" NIL) ("en" "zh-CN") "http://x/y.png")',
    );
  });

  it('survives broken multiparts: no boundary, no parts, no closing line', () => {
    assert.equal(
      structure(Buffer.from('Content-Type: multipart/mixed\r\n\r\nhi'), false),
      '("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 2 1)',
    );
    assert.equal(
      structure(
        Buffer.from('Content-Type: multipart/mixed; boundary=z\r\n\r\nno parts here'),
        false,
      ),
      '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0) "MIXED")',
    );
    assert.equal(
      structure(
        Buffer.from('Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n\r\nopen'),
        false,
      ),
      '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 4 1) "MIXED")',
    );
  });

  it('does not mistake a longer boundary for the delimiter', () => {
    const message = Buffer.from(
      'Content-Type: multipart/mixed; boundary=ab\r\n\r\n--ab\r\n\r\n--abc not a boundary\r\n--ab--\r\n',
    );
    assert.equal(
      structure(message, false),
      '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 20 1) "MIXED")',
    );
  });

  it('bounds nesting depth on hostile messages', () => {
    let message = 'body';
    for (let i = 0; i < 200; i++) message = `Content-Type: message/rfc822\r\n\r\n${message}`;
    assert.doesNotThrow(() => structure(Buffer.from(message), true));
  });
});

describe('ENVELOPE', () => {
  it('lists addresses, groups and raw encoded subject', () => {
    const tree = parseMimeTree(ALTERNATIVE_WITH_ATTACHMENT);
    assert.equal(
      serializeValues([envelope(tree.fields)]).toString('latin1'),
      '("Mon, 23 Nov 2026 10:00:00 +0800" "=?UTF-8?B?5rWL6K+V?="' +
        ' (("Zhang San" NIL "zhang" "example.cn")) (("Zhang San" NIL "zhang" "example.cn"))' +
        ' (("Zhang San" NIL "zhang" "example.cn"))' +
        ' ((NIL NIL "li" "example.cn")(NIL NIL "Group" NIL)(NIL NIL "a" "b.c")(NIL NIL "d" "e.f")(NIL NIL NIL NIL))' +
        ' NIL NIL NIL "<m1@example.cn>")',
    );
  });

  it('handles source routes, comments, quoted locals and 8-bit names', () => {
    const message = Buffer.from(
      'From: "张三" <@relay.cn:z3@example.cn> (comment)\r\nSender: "a b"@x.cn\r\n' +
        'Reply-To: undisclosed-recipients:;\r\nCc: broken\r\n\r\n',
    );
    const text = serializeValues([envelope(parseMimeTree(message).fields)]).toString('utf8');
    assert.equal(
      text,
      '(NIL NIL (({6}\r\n张三 "@relay.cn" "z3" "example.cn")) ((NIL NIL "a b" "x.cn"))' +
        ' ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL' +
        ' ((NIL NIL "broken" "MISSING_DOMAIN")) NIL NIL NIL)',
    );
  });
});
