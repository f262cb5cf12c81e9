import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dotStuffed, topOfMessage } from './dot-stuffing';

const stuff = (text: string): string =>
  Buffer.concat([...dotStuffed(Buffer.from(text, 'latin1'))]).toString('latin1');

describe('dotStuffed', () => {
  it('doubles a leading dot on every line, including the first', () => {
    assert.equal(stuff('.a\r\nb\r\n..c\r\n.\r\n'), '..a\r\nb\r\n...c\r\n..\r\n');
  });

  it('leaves dots elsewhere in a line alone', () => {
    assert.equal(stuff('a.b\r\n a\r\n.\r'), 'a.b\r\n a\r\n..\r\n');
  });

  it('turns bare LF into CRLF and ends an unterminated last line', () => {
    assert.equal(stuff('a\nb\r\n\n.c'), 'a\r\nb\r\n\r\n..c\r\n');
    assert.equal(stuff(''), '');
  });

  it('sends a clean message as one slice of the same memory, without copying', () => {
    const message = Buffer.from('Subject: x\r\n\r\nhello\r\n');
    const pieces = [...dotStuffed(message)];
    assert.equal(pieces.length, 1);
    assert.equal(pieces[0].buffer, message.buffer);
  });

  it('handles a large message with many dot lines and keeps every byte', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => (i % 3 ? `line ${i}` : `.dot ${i}`));
    const out = stuff(`${lines.join('\r\n')}\r\n`);
    const expected = lines.map((line) => (line.startsWith('.') ? `.${line}` : line));
    assert.equal(out, `${expected.join('\r\n')}\r\n`);
  });
});

describe('topOfMessage', () => {
  const message = Buffer.from('A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n');

  it('returns the header and the empty line for 0 lines', () => {
    assert.equal(topOfMessage(message, 0).toString(), 'A: 1\r\nB: 2\r\n\r\n');
  });

  it('adds the first n body lines', () => {
    assert.equal(topOfMessage(message, 2).toString(), 'A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n');
  });

  it('returns the whole message when n is larger than the body', () => {
    assert.equal(topOfMessage(message, 4_000_000_000).toString(), message.toString());
  });

  it('copes with a message without body, an empty header and bare LF', () => {
    assert.equal(topOfMessage(Buffer.from('A: 1\r\n'), 5).toString(), 'A: 1\r\n');
    assert.equal(topOfMessage(Buffer.from('\r\nbody\r\nmore\r\n'), 1).toString(), '\r\nbody\r\n');
    assert.equal(topOfMessage(Buffer.from('A: 1\n\nb1\nb2\n'), 1).toString(), 'A: 1\n\nb1\n');
  });
});
