import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMailboxName, encodeMailboxName, InvalidMailboxNameError } from './modified-utf7';

describe('modified UTF-7 mailbox names', () => {
  it('follows the RFC 3501 5.1.3 example', () => {
    const decoded = '~peter/mail/\u53f0\u5317/\u65e5\u672c\u8a9e';
    assert.equal(encodeMailboxName(decoded), '~peter/mail/&U,BTFw-/&ZeVnLIqe-');
    assert.equal(decodeMailboxName('~peter/mail/&U,BTFw-/&ZeVnLIqe-'), decoded);
  });

  it('encodes Chinese names the way QQ Mail and Foxmail list them', () => {
    assert.equal(encodeMailboxName('已发送'), '&XfJT0ZAB-');
    assert.equal(encodeMailboxName('草稿箱'), '&g0l6P3ux-');
    assert.equal(encodeMailboxName('已删除'), '&XfJSIJZk-');
    assert.equal(encodeMailboxName('收件箱/子文件夹'), '&ZTZO9nux-/&W1Blh072WTk-');
    assert.equal(decodeMailboxName('&ZTZO9nux-/&W1Blh072WTk-'), '收件箱/子文件夹');
  });

  it('escapes & and keeps ASCII as is', () => {
    assert.equal(encodeMailboxName('Tom & Jerry'), 'Tom &- Jerry');
    assert.equal(decodeMailboxName('Tom &- Jerry'), 'Tom & Jerry');
    assert.equal(encodeMailboxName('INBOX'), 'INBOX');
  });

  it('round-trips mixed text, astral characters and accents', () => {
    for (const name of [
      'Réunion 2026',
      '报告 Q3 & 预算',
      'emoji 📬 box',
      '日本語/中文/한국어',
      'a&b&c',
    ]) {
      assert.equal(decodeMailboxName(encodeMailboxName(name)), name);
    }
    assert.equal(encodeMailboxName('📬'), '&2D3c7A-');
  });

  it('refuses malformed names', () => {
    for (const bad of ['&Jjo!', '&U,BTFw', 'a&b', '&AGEAYgBj-', '&Z-', '\u00e9', '&U,B-']) {
      assert.throws(() => decodeMailboxName(bad), InvalidMailboxNameError, bad);
    }
  });
});
