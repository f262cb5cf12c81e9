import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPermanentCode, parseSmtpReply } from './smtp-reply';

describe('parseSmtpReply', () => {
  it('splits the basic code, the enhanced code and the text', () => {
    assert.deepEqual(parseSmtpReply('550 5.1.1 <bob@example.com>: user unknown'), {
      code: 550,
      enhancedCode: '5.1.1',
      text: '<bob@example.com>: user unknown',
      raw: '550 5.1.1 <bob@example.com>: user unknown',
    });
  });

  it('derives the enhanced code from the class when the server sent none', () => {
    const reply = parseSmtpReply('451 try again later');
    assert.equal(reply?.enhancedCode, '4.0.0');
    assert.equal(reply?.text, 'try again later');
  });

  it('joins a multi-line reply and keeps the first enhanced code', () => {
    const reply = parseSmtpReply(
      '550-5.7.1 policy says no\r\n550-5.7.1 see the page\r\n550 5.7.1 bye',
    );
    assert.equal(reply?.code, 550);
    assert.equal(reply?.enhancedCode, '5.7.1');
    assert.equal(reply?.raw, '550 5.7.1 policy says no see the page bye');
  });

  it('ignores an enhanced code whose class disagrees with the reply code (RFC 3463)', () => {
    const reply = parseSmtpReply('550 2.1.5 nonsense');
    assert.equal(reply?.enhancedCode, '5.0.0');
    assert.equal(reply?.text, '2.1.5 nonsense');
  });

  it('returns null for text that is not a reply', () => {
    assert.equal(parseSmtpReply('Connection closed unexpectedly'), null);
    assert.equal(parseSmtpReply(''), null);
  });

  it('classifies 5xx as permanent and 4xx as transient', () => {
    assert.equal(isPermanentCode(554), true);
    assert.equal(isPermanentCode(452), false);
    assert.equal(isPermanentCode(250), false);
  });
});
