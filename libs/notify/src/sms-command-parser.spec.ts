import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMoText } from './sms-command-parser';

describe('parseMoText: SMS to mail', () => {
  it('"address text" is a mail, with Chinese separators and a full-width ＠', () => {
    assert.deepEqual(parseMoText('li@example.com 明天见'), {
      kind: 'mail',
      to: 'li@example.com',
      body: '明天见',
    });
    assert.deepEqual(parseMoText(' Li＠Example.com：你好\n第二行 '), {
      kind: 'mail',
      to: 'li@example.com',
      body: '你好\n第二行',
    });
    assert.deepEqual(parseMoText('li@example.com'), {
      kind: 'mail',
      to: 'li@example.com',
      body: '',
    });
  });

  it('a full-width address is read as ASCII; the body keeps its full-width punctuation', () => {
    assert.deepEqual(parseMoText('ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ　好的，ＯＫ！'), {
      kind: 'mail',
      to: 'li@example.com',
      body: '好的，ＯＫ！',
    });
  });

  it('anything else is unknown, with the word as typed', () => {
    assert.deepEqual(parseMoText('not@an-address hello'), {
      kind: 'unknown',
      word: 'not@an-address',
    });
    assert.deepEqual(parseMoText('好的，马上到'), { kind: 'unknown', word: '好的' });
    assert.deepEqual(parseMoText('REGINA hello'), { kind: 'unknown', word: 'REGINA' });
    assert.deepEqual(parseMoText(''), { kind: 'unknown', word: '' });
    assert.deepEqual(parseMoText('   '), { kind: 'unknown', word: '' });
  });
});

describe('parseMoText: account commands', () => {
  it('help in Chinese, pinyin, English and full width', () => {
    for (const w of ['HELP', 'help', '帮助', 'BZ', 'h', '?', '？', 'ＨＥＬＰ', ' 帮助我 '])
      assert.deepEqual(parseMoText(w), { kind: 'help' }, w);
  });

  it('register: with a name (lower-cased) or without (the number is the name)', () => {
    for (const t of [
      '注册 Li.Ming',
      'ZC li.ming',
      'reg  li.ming ',
      'REGISTER:li.ming',
      '注册：li.ming',
    ])
      assert.deepEqual(parseMoText(t), { kind: 'register', name: 'li.ming' }, t);
    assert.deepEqual(parseMoText('注册li.ming'), { kind: 'register', name: 'li.ming' });
    assert.deepEqual(parseMoText('ＺＣ　ｌｉｍｉｎｇ'), { kind: 'register', name: 'liming' });
    assert.deepEqual(parseMoText('注册'), { kind: 'register', name: null });
    assert.deepEqual(parseMoText('zc'), { kind: 'register', name: null });
    // A name with a space is passed on as such: the command refuses it with the rules.
    assert.deepEqual(parseMoText('REG li ming'), { kind: 'register', name: 'li ming' });
  });

  it('password: the argument keeps its case; full-width typing becomes ASCII', () => {
    for (const t of ['密码 NewPass99', 'MM NewPass99', 'pwd   NewPass99  ', 'PASSWORD，NewPass99'])
      assert.deepEqual(parseMoText(t), { kind: 'password', password: 'NewPass99' }, t);
    assert.deepEqual(parseMoText('改密 ＮｅｗＰａｓｓ９９'), {
      kind: 'password',
      password: 'NewPass99',
    });
    assert.deepEqual(parseMoText('密码NewPass99'), { kind: 'password', password: 'NewPass99' });
    assert.deepEqual(parseMoText('MM'), { kind: 'password', password: null });
  });

  it('a Chinese sentence that starts like a command is not one', () => {
    assert.deepEqual(parseMoText('密码忘了怎么办'), { kind: 'unknown', word: '密码忘了怎么办' });
    assert.deepEqual(parseMoText('注册表坏了'), { kind: 'unknown', word: '注册表坏了' });
  });

  it('cancel: the code in any spacing, full width, or glued to the keyword', () => {
    for (const t of ['注销', 'ZX', 'cancel', 'Cancel ', 'ＣＡＮＣＥＬ'])
      assert.deepEqual(parseMoText(t), { kind: 'cancel', code: null }, t);
    for (const t of [
      '注销 123456',
      'ZX 123456',
      'zx  123 456',
      'CANCEL:123456',
      '注销123456',
      'ZX123456',
      'ｚｘ　１２３４５６',
      '注销：１２３４５６',
    ])
      assert.deepEqual(parseMoText(t), { kind: 'cancel', code: '123456' }, t);
    // A wrong-looking code is still a cancel step; the command refuses it (and counts it).
    assert.deepEqual(parseMoText('ZX 12ab'), { kind: 'cancel', code: '12ab' });
  });

  it('unread', () => {
    for (const t of ['未读', 'WD', 'unread', 'UNREAD ', '未读邮件', 'ＷＤ'])
      assert.deepEqual(parseMoText(t), { kind: 'unread' }, t);
  });
});
