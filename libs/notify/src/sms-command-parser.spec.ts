import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMoText } from './mobile-originated';
import { canonicalPhone } from './phone-number';

describe('parseMoText', () => {
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

  it('help words in both languages; anything else is unknown', () => {
    for (const w of ['HELP', '帮助', '?', '？']) assert.deepEqual(parseMoText(w), { kind: 'help' });
    assert.deepEqual(parseMoText('CANCEL 123'), { kind: 'unknown', word: 'CANCEL' });
    assert.deepEqual(parseMoText('not@an-address hello'), {
      kind: 'unknown',
      word: 'not@an-address',
    });
  });
});

describe('canonicalPhone', () => {
  it('one form for a Chinese mobile however it is written', () => {
    for (const n of ['13800138000', '+8613800138000', '8613800138000', '138-0013 8000'])
      assert.equal(canonicalPhone(n), '13800138000');
    assert.equal(canonicalPhone('+447700900123'), '+447700900123');
    assert.throws(() => canonicalPhone('abc'), /not a phone number/);
  });
});
