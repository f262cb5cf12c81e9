import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { buildSmsMail } from './sms-folder';

describe('buildSmsMail', () => {
  const base = {
    smsId: 'mx6abc0123456789ab',
    direction: 'out' as const,
    from: { name: '李雷', address: 'li@example.cn' },
    to: { name: '13800138000', address: '13800138000@sms.example.cn' },
    date: new Date('2024-03-05T06:22:00Z'),
    messageId: 'sms.mx6abc0123456789ab.4@sms.example.cn',
  };

  it('is an RFC 5322 mail with the SMS id, UTF-8 text and the start of the text as subject', async () => {
    const text =
      '明天上午十点在三楼会议室开会，请带上合同和发票，谢谢。会后一起吃饭，地点另行通知。';
    const raw = await buildSmsMail({ ...base, text });
    const head = raw.toString('latin1').split('\r\n\r\n')[0];
    assert.ok(
      [...head].every((c) => c.charCodeAt(0) < 0x80),
      'headers are 7-bit (RFC 2047 words)',
    );
    const m = await simpleParser(raw);
    assert.equal(m.text?.trim(), text);
    assert.equal(m.subject, `${Array.from(text).slice(0, 40).join('')}…`);
    assert.equal(m.headers.get('x-dizi-sms-id'), base.smsId);
    assert.equal(m.headers.get('x-dizi-sms-direction'), 'out');
    assert.equal(m.messageId, `<${base.messageId}>`);
    assert.equal(m.from?.value[0].name, '李雷');
    assert.equal(m.date?.toISOString(), base.date.toISOString());
  });

  it('a short text is the whole subject; an empty first line gets a placeholder', async () => {
    assert.equal((await simpleParser(await buildSmsMail({ ...base, text: 'ok' }))).subject, 'ok');
    const m = await simpleParser(await buildSmsMail({ ...base, text: '\nsecond line' }));
    assert.equal(m.subject, '(SMS)');
    assert.equal(m.text?.trim(), 'second line');
  });
});
