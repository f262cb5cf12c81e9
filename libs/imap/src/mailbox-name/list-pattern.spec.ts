import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listPatternMatcher } from './list-pattern';
import { fromClientName, toClientName } from './mailbox-path';
import { InvalidMailboxNameError } from './modified-utf7';

describe('LIST patterns and mailbox paths', () => {
  it('matches * across levels and % within one level', () => {
    const all = listPatternMatcher('', '*');
    const top = listPatternMatcher('', '%');
    assert.equal(all('已发送/子文件夹'), true);
    assert.equal(top('已发送/子文件夹'), false);
    assert.equal(top('已发送'), true);
    assert.equal(listPatternMatcher('已发送/', '%')('已发送/子文件夹'), true);
    assert.equal(listPatternMatcher('', 'Sen%')('Sent'), true);
    assert.equal(listPatternMatcher('', 'sent')('Sent'), false);
  });

  it('matches INBOX in any case and escapes regular expression characters', () => {
    assert.equal(listPatternMatcher('', 'inbox')('INBOX'), true);
    assert.equal(listPatternMatcher('', 'Inbox/%')('INBOX/a'), true);
    assert.equal(listPatternMatcher('', 'a.b')('axb'), false);
    assert.equal(listPatternMatcher('', '(x)+')('(x)+'), true);
  });

  it('converts client names to store names and back', () => {
    assert.equal(fromClientName('&XfJT0ZAB-/&W1Blh072WTk-/'), '已发送/子文件夹');
    assert.equal(fromClientName('inbox'), 'INBOX');
    assert.equal(fromClientName('Inbox/Sub'), 'INBOX/Sub');
    assert.equal(toClientName('已发送'), '&XfJT0ZAB-');
    for (const bad of ['', '/a', 'a//b', '&Jjo!']) {
      assert.throws(() => fromClientName(bad), InvalidMailboxNameError, bad);
    }
  });
});
