import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { buildUserNotice } from './notice-message';
import { NoticeTemplates, type NoticeLanguage, type NoticeTemplateName } from './notice-templates';

/** The values each caller provides; every shipped template must render with exactly these. */
const VALUES: Record<NoticeTemplateName, Record<string, string>> = {
  'dsn-failed': {
    reportingMta: 'mail.dizi.test',
    sender: 'alice@dizi.test',
    arrivalDate: 'Fri, 20 Nov 2026 08:30:00 +0000',
    originalSubject: 'Hello',
    recipients: '  <bob@remote.test>',
    postmaster: 'postmaster@dizi.test',
    willRetryUntil: '',
  },
  'dsn-delayed': {
    reportingMta: 'mail.dizi.test',
    sender: 'alice@dizi.test',
    arrivalDate: 'Fri, 20 Nov 2026 08:30:00 +0000',
    originalSubject: 'Hello',
    recipients: '  <bob@remote.test>',
    postmaster: 'postmaster@dizi.test',
    willRetryUntil: 'Sun, 22 Nov 2026 08:30:00 +0000',
  },
  'quota-warning': {
    name: '李雷',
    address: 'lilei@dizi.test',
    used: '99.6 MB',
    quota: '100 MB',
    free: '400 KB',
    postmaster: 'postmaster@dizi.test',
  },
  welcome: {
    name: '李雷',
    address: 'lilei@dizi.test',
    domain: 'dizi.test',
    webmailUrl: 'https://mail.dizi.test/',
    imapHost: 'imap.dizi.test',
    smtpHost: 'smtp.dizi.test',
    quota: '1 GB',
    postmaster: 'postmaster@dizi.test',
  },
};

describe('shipped notice templates', () => {
  const templates = new NoticeTemplates();
  for (const name of Object.keys(VALUES) as NoticeTemplateName[]) {
    for (const language of ['zh', 'en'] as NoticeLanguage[]) {
      it(`${name}.${language}.txt renders with the values its caller provides`, async () => {
        const notice = await templates.render(name, language, VALUES[name]);
        assert.ok(notice.subject.length > 0);
        assert.doesNotMatch(notice.subject + notice.body, /\{\{|\}\}/);
        assert.match(notice.body, /\r\n$/);
        assert.doesNotMatch(notice.body.replace(/\r\n/g, ''), /[\r\n]/, 'CRLF line ends only');
        if (language === 'zh') assert.match(notice.subject + notice.body, /[\u4e00-\u9fff]/);
      });
    }
  }
});

describe('buildUserNotice', () => {
  const templates = new NoticeTemplates();

  it('builds a Chinese quota warning that mailparser reads back', async () => {
    const raw = await buildUserNotice(templates, {
      name: 'quota-warning',
      language: 'zh',
      to: 'lilei@dizi.test',
      from: 'postmaster@dizi.test',
      values: VALUES['quota-warning'],
      hostname: 'mail.dizi.test',
      date: new Date('2026-11-20T09:00:00Z'),
    });
    assert.ok(!raw.some((byte) => byte >= 0x80), 'encoded for any 7-bit hop');
    const mail = await simpleParser(raw);
    assert.equal(mail.subject, '您的邮箱 lilei@dizi.test 空间即将用完');
    assert.match(mail.text ?? '', /李雷，您好/);
    assert.match(mail.text ?? '', /已使用 99\.6 MB（共 100 MB），仅剩 400 KB/);
    assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');
    assert.match(mail.messageId ?? '', /^<quota-warning\.[0-9a-f-]+@mail\.dizi\.test>$/);
    assert.equal(mail.date?.toISOString(), '2026-11-20T09:00:00.000Z');
  });

  it('builds an English welcome mail', async () => {
    const raw = await buildUserNotice(templates, {
      name: 'welcome',
      language: 'en',
      to: 'Li Lei <lilei@dizi.test>',
      from: 'Dizi <postmaster@dizi.test>',
      values: { ...VALUES.welcome, name: 'Li Lei' },
      hostname: 'mail.dizi.test',
    });
    const mail = await simpleParser(raw);
    assert.equal(mail.subject, 'Welcome to dizi.test');
    assert.match(mail.text ?? '', /Your mailbox lilei@dizi\.test is ready/);
    assert.match(mail.text ?? '', /incoming \(IMAP\): {3}imap\.dizi\.test/);
    const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
    assert.equal(to?.value[0].address, 'lilei@dizi.test');
  });
});
