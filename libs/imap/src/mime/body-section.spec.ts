import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BodySection } from '../parser/command-types';
import { applyPartial, sectionBytes, sectionLabel } from './body-section';
import { ALTERNATIVE_WITH_ATTACHMENT, FORWARD } from './mime-fixtures';
import { parseMimeTree } from './mime-tree';

function section(message: Buffer, value: BodySection): string | undefined {
  return sectionBytes(message, parseMimeTree(message), value)?.toString('utf8');
}

describe('BODY[section]', () => {
  it('returns the whole message byte for byte, header and text', () => {
    assert.deepEqual(sectionBytes(FORWARD, parseMimeTree(FORWARD), { path: [] }), FORWARD);
    assert.equal(
      section(FORWARD, { path: [], specifier: 'HEADER' }),
      'From: a@x.cn\r\nSubject: Fwd\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n',
    );
    assert.ok(
      section(FORWARD, { path: [], specifier: 'TEXT' })?.startsWith(
        '--b\r\nContent-Type: text/plain',
      ),
    );
  });

  it('walks numeric paths into multiparts and message/rfc822', () => {
    assert.equal(section(FORWARD, { path: [1] }), 'see below');
    assert.equal(
      section(FORWARD, { path: [2] }),
      'From: "B" <b@y.cn>\r\nSubject: orig\r\n\r\noriginal body',
    );
    assert.equal(
      section(FORWARD, { path: [2], specifier: 'HEADER' }),
      'From: "B" <b@y.cn>\r\nSubject: orig\r\n\r\n',
    );
    assert.equal(section(FORWARD, { path: [2], specifier: 'TEXT' }), 'original body');
    assert.equal(section(FORWARD, { path: [2, 1] }), 'original body');
    assert.equal(
      section(FORWARD, { path: [1], specifier: 'MIME' }),
      'Content-Type: text/plain\r\n\r\n',
    );
    assert.equal(section(ALTERNATIVE_WITH_ATTACHMENT, { path: [1, 2] }), '<p>Hello</p>');
    assert.equal(section(ALTERNATIVE_WITH_ATTACHMENT, { path: [2] }), 'JVBERi0xLjQK');
    assert.equal(
      section(ALTERNATIVE_WITH_ATTACHMENT, { path: [1, 1] }),
      'Hello =E4=BD=A0=E5=A5=BD\r\nsecond line',
    );
  });

  it('treats a one-part message as its own part 1', () => {
    const message = Buffer.from('Subject: x\r\n\r\nbody\r\n');
    assert.equal(section(message, { path: [1] }), 'body\r\n');
    assert.equal(section(message, { path: [2] }), undefined);
    assert.equal(section(message, { path: [1, 1] }), undefined);
    assert.equal(section(message, { path: [1], specifier: 'HEADER' }), undefined);
  });

  it('selects header fields as stored, folding kept, blank line added', () => {
    const message = Buffer.from(
      'Subject: a\r\n b\r\nX-A: 1\r\nsubject: again\r\nTo: t@x\r\n\r\nbody',
    );
    assert.equal(
      section(message, { path: [], specifier: 'HEADER.FIELDS', fields: ['SUBJECT', 'missing'] }),
      'Subject: a\r\n b\r\nsubject: again\r\n\r\n',
    );
    assert.equal(
      section(message, { path: [], specifier: 'HEADER.FIELDS.NOT', fields: ['Subject'] }),
      'X-A: 1\r\nTo: t@x\r\n\r\n',
    );
    assert.equal(
      section(FORWARD, { path: [2], specifier: 'HEADER.FIELDS', fields: ['subject'] }),
      'Subject: orig\r\n\r\n',
    );
  });

  it('applies partial ranges and labels answers', () => {
    assert.equal(
      applyPartial(Buffer.from('0123456789'), { offset: 2, length: 3 }).toString(),
      '234',
    );
    assert.equal(applyPartial(Buffer.from('0123'), { offset: 2, length: 100 }).toString(), '23');
    assert.equal(applyPartial(Buffer.from('0123'), { offset: 9, length: 1 }).length, 0);
    assert.equal(
      sectionLabel(
        { path: [1, 2], specifier: 'HEADER.FIELDS', fields: ['a', 'B'] },
        { offset: 0, length: 100 },
      ),
      'BODY[1.2.HEADER.FIELDS (A B)]<0>',
    );
    assert.equal(sectionLabel({ path: [] }), 'BODY[]');
  });
});
