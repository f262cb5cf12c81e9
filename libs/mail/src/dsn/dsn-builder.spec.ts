import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { simpleParser, type ParsedMail } from 'mailparser';
import { DsnBuilder, type DsnRequest } from './dsn-builder';
import { InvalidDsnRequestError, NullSenderDsnError, TemplateError } from './dsn.errors';
import { NoticeTemplates } from './notice-templates';

const ORIGINAL = Buffer.from(
  [
    'Return-Path: <alice@dizi.test>',
    'From: Alice <alice@dizi.test>',
    'To: Bob <bob@remote.test>, Carol <carol@remote.test>',
    'Subject: Quarterly report',
    'Message-ID: <q-report@dizi.test>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain',
    '',
    'The body must not be returned.',
    '',
  ].join('\r\n'),
);

const ARRIVAL = new Date('2026-11-20T08:30:00Z');
const NOW = new Date('2026-11-20T09:00:00Z');

function failedRequest(overrides: Partial<DsnRequest> = {}): DsnRequest {
  return {
    action: 'failed',
    reportingMta: 'mail.dizi.test',
    returnPath: 'alice@dizi.test',
    arrivalDate: ARRIVAL,
    originalEnvelopeId: 'QQ314159',
    recipients: [
      {
        finalRecipient: 'bob@remote.test',
        originalRecipient: 'bobby@dizi.test',
        status: '5.1.1',
        remoteMta: 'mx.remote.test',
        smtpDiagnostic: '550 5.1.1 <bob@remote.test>: no such user',
        lastAttemptDate: NOW,
      },
      {
        finalRecipient: 'carol@nullmx.test',
        status: '5.1.10',
        localDiagnostic: 'nullmx.test does not accept mail: null MX (RFC 7505)',
      },
    ],
    original: ORIGINAL,
    language: 'en',
    date: NOW,
    ...overrides,
  };
}

/** Fields of a message/delivery-status body: one map per block, folded lines joined. */
function parseDeliveryStatus(text: string): Array<Map<string, string>> {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/\n[ \t]+/g, ' ')
    .trim()
    .split(/\n\n+/)
    .map(
      (block) =>
        new Map(
          block.split('\n').map((line) => {
            const colon = line.indexOf(':');
            return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
          }),
        ),
    );
}

function attachment(mail: ParsedMail, contentType: string): string {
  const part = mail.attachments.find((a) => a.contentType === contentType);
  assert.ok(part, `a ${contentType} part`);
  return part.content.toString('utf8');
}

describe('DsnBuilder', () => {
  const builder = new DsnBuilder(new NoticeTemplates());

  it('builds an RFC 3464 failure report that mailparser reads back field by field', async () => {
    const built = await builder.build(failedRequest());
    assert.deepEqual(built.envelope, { sender: '', recipients: ['alice@dizi.test'] });
    assert.ok(!built.message.some((byte) => byte >= 0x80), 'the whole report is 7-bit');

    const mail = await simpleParser(built.message, { keepDeliveryStatus: true });
    assert.equal(mail.subject, 'Undeliverable: Quarterly report');
    assert.equal(mail.from?.value[0].address, 'MAILER-DAEMON@mail.dizi.test');
    assert.equal(mail.from?.value[0].name, 'Mail Delivery System');
    assert.deepEqual(
      (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((t) => t?.value.map((v) => v.address)),
      ['alice@dizi.test'],
    );
    assert.equal(mail.messageId, built.messageId);
    assert.equal(mail.date?.toISOString(), NOW.toISOString());
    assert.equal(mail.headers.get('auto-submitted'), 'auto-replied');
    const contentType = mail.headers.get('content-type') as {
      value: string;
      params: Record<string, string>;
    };
    assert.equal(contentType.value, 'multipart/report');
    assert.equal(contentType.params['report-type'], 'delivery-status');

    assert.match(mail.text ?? '', /could not be delivered to one or more recipients/);
    assert.match(
      mail.text ?? '',
      /<bob@remote\.test>\n\s+Status: 5\.1\.1\n\s+Remote server: mx\.remote\.test/,
    );
    assert.match(mail.text ?? '', /It said: 550 5\.1\.1 <bob@remote\.test>: no such user/);
    assert.match(mail.text ?? '', /Reason: nullmx\.test does not accept mail/);
    assert.match(mail.text ?? '', /write to postmaster@mail\.dizi\.test/);
    assert.doesNotMatch(mail.text ?? '', /\{\{/);

    assert.deepEqual(
      mail.attachments.map((a) => a.contentType),
      ['message/delivery-status', 'text/rfc822-headers'],
      'report parts in RFC 3462 order after the human part',
    );
    const [perMessage, bob, carol, ...rest] = parseDeliveryStatus(
      attachment(mail, 'message/delivery-status'),
    );
    assert.equal(rest.length, 0);
    assert.deepEqual(Object.fromEntries(perMessage), {
      'reporting-mta': 'dns; mail.dizi.test',
      'original-envelope-id': 'QQ314159',
      'arrival-date': 'Fri, 20 Nov 2026 08:30:00 +0000',
    });
    assert.deepEqual(Object.fromEntries(bob), {
      'original-recipient': 'rfc822; bobby@dizi.test',
      'final-recipient': 'rfc822; bob@remote.test',
      action: 'failed',
      status: '5.1.1',
      'remote-mta': 'dns; mx.remote.test',
      'diagnostic-code': 'smtp; 550 5.1.1 <bob@remote.test>: no such user',
      'last-attempt-date': 'Fri, 20 Nov 2026 09:00:00 +0000',
    });
    assert.deepEqual(Object.fromEntries(carol), {
      'final-recipient': 'rfc822; carol@nullmx.test',
      action: 'failed',
      status: '5.1.10',
      'diagnostic-code': 'X-Dizi; nullmx.test does not accept mail: null MX (RFC 7505)',
    });

    const returnedHeaders = attachment(mail, 'text/rfc822-headers');
    const originalHeaders = ORIGINAL.toString('utf8').split('\r\n\r\n')[0] + '\r\n';
    assert.equal(returnedHeaders, originalHeaders);
    assert.doesNotMatch(returnedHeaders, /body must not be returned/);
  });

  it('builds a Chinese delay warning, decoding a GB2312 8-bit subject of the original', async () => {
    const original = Buffer.concat([
      Buffer.from('From: alice@dizi.test\r\nSubject: '),
      iconv.encode('季度报告', 'gb2312'),
      Buffer.from('\r\nTo: bob@remote.test\r\n\r\nbody\r\n'),
    ]);
    const retryUntil = new Date('2026-11-22T08:30:00Z');
    const built = await builder.build(
      failedRequest({
        action: 'delayed',
        language: 'zh',
        original,
        recipients: [
          {
            finalRecipient: 'bob@remote.test',
            status: '4.4.1',
            localDiagnostic: 'connection refused by mx.remote.test[192.0.2.1]:25',
            willRetryUntil: retryUntil,
          },
        ],
      }),
    );
    assert.ok(
      !built.message.some((byte) => byte >= 0x80),
      'still 7-bit with 8-bit original headers',
    );
    const rawHeaders = built.message.toString('latin1').split('\r\n\r\n')[0];
    assert.match(rawHeaders, /^Subject: =\?UTF-8\?B\?/m, 'Chinese subject MIME-encoded');

    const mail = await simpleParser(built.message, { keepDeliveryStatus: true });
    assert.equal(mail.subject, '投递延迟：季度报告');
    assert.equal(mail.from?.value[0].name, '邮件投递系统');
    assert.match(mail.text ?? '', /这只是提醒，您无需重新发送/);
    assert.match(mail.text ?? '', /Sun, 22 Nov 2026 08:30:00 \+0000/);
    assert.match(mail.text ?? '', /原因: connection refused/);

    const [, bob] = parseDeliveryStatus(attachment(mail, 'message/delivery-status'));
    assert.equal(bob.get('action'), 'delayed');
    assert.equal(bob.get('status'), '4.4.1');
    assert.equal(bob.get('will-retry-until'), 'Sun, 22 Nov 2026 08:30:00 +0000');

    const headersPart = mail.attachments.find((a) => a.contentType === 'text/rfc822-headers');
    assert.ok(headersPart);
    assert.ok(
      headersPart.content.includes(iconv.encode('季度报告', 'gb2312')),
      'the original 8-bit header bytes come back unchanged',
    );
  });

  it('never builds a DSN for a null sender', async () => {
    for (const returnPath of ['', '<>', '  ']) {
      await assert.rejects(builder.build(failedRequest({ returnPath })), NullSenderDsnError);
    }
  });

  it('rejects statuses that contradict the action, and an empty recipient list', async () => {
    await assert.rejects(
      builder.build(
        failedRequest({ recipients: [{ finalRecipient: 'x@remote.test', status: '4.4.1' }] }),
      ),
      (error: unknown) => error instanceof InvalidDsnRequestError && /5\.x\.x/.test(error.message),
    );
    await assert.rejects(
      builder.build(
        failedRequest({ recipients: [{ finalRecipient: 'x@remote.test', status: '550' }] }),
      ),
      InvalidDsnRequestError,
    );
    await assert.rejects(builder.build(failedRequest({ recipients: [] })), InvalidDsnRequestError);
  });

  it('keeps report fields 7-bit and folded, whatever the remote server sent', async () => {
    const longReply = `550 5.7.1 ${'policy '.repeat(30)}refusé 拒绝`;
    const built = await builder.build(
      failedRequest({
        recipients: [
          { finalRecipient: 'bob@remote.test', status: '5.7.1', smtpDiagnostic: longReply },
        ],
      }),
    );
    const mail = await simpleParser(built.message, { keepDeliveryStatus: true });
    const report = attachment(mail, 'message/delivery-status');
    for (const line of report.split('\r\n')) assert.ok(line.length <= 78, `line too long: ${line}`);
    const [, bob] = parseDeliveryStatus(report);
    assert.equal(bob.get('diagnostic-code'), `smtp; 550 5.7.1 ${'policy '.repeat(30)}refus? ??`);
  });

  it('writes an internationalized recipient as utf-8 with RFC 6533 escapes', async () => {
    const built = await builder.build(
      failedRequest({ recipients: [{ finalRecipient: '用户@例子.test', status: '5.1.1' }] }),
    );
    const mail = await simpleParser(built.message, { keepDeliveryStatus: true });
    const [, rcpt] = parseDeliveryStatus(attachment(mail, 'message/delivery-status'));
    assert.equal(rcpt.get('final-recipient'), 'utf-8; \\x{7528}\\x{6237}@\\x{4F8B}\\x{5B50}.test');
  });
});

describe('NoticeTemplates', () => {
  it('prefers an admin template file and falls back to the built-in one per file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dizi-templates-'));
    writeFileSync(
      path.join(dir, 'dsn-failed.en.txt'),
      'Subject: Bounced at {{reportingMta}}\n\nCustom text for {{sender}}.\n{{recipients}}\n',
    );
    const templates = new NoticeTemplates({ directory: dir });
    const custom = await templates.render('dsn-failed', 'en', {
      reportingMta: 'mx.dizi.test',
      sender: 'alice@dizi.test',
      recipients: '  <bob@remote.test>',
    });
    assert.equal(custom.subject, 'Bounced at mx.dizi.test');
    assert.equal(custom.body, 'Custom text for alice@dizi.test.\r\n  <bob@remote.test>\r\n');

    const builtIn = await templates.render('dsn-failed', 'zh', {
      reportingMta: 'mx.dizi.test',
      arrivalDate: 'x',
      originalSubject: '测试',
      recipients: 'r',
      postmaster: 'p',
    });
    assert.equal(builtIn.subject, '退信：无法投递 测试');

    // The builder uses the admin's file too.
    const built = await new DsnBuilder(templates).build(failedRequest());
    const mail = await simpleParser(built.message, { keepDeliveryStatus: true });
    assert.equal(mail.subject, 'Bounced at mail.dizi.test');
  });

  it('names the placeholder and the file when a value is missing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dizi-templates-'));
    const file = path.join(dir, 'welcome.en.txt');
    writeFileSync(file, 'Subject: Hi {{name}}\n\nYour code is {{ secretCode }}.\n');
    const templates = new NoticeTemplates({ directory: dir });
    await assert.rejects(
      templates.render('welcome', 'en', { name: 'Li' }),
      (error: unknown) =>
        error instanceof TemplateError &&
        error.file === file &&
        error.message.includes('{{secretCode}}') &&
        error.message.includes('{{name}}'),
    );
  });

  it('rejects a template without its Subject line, and reports a missing file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dizi-templates-'));
    writeFileSync(path.join(dir, 'welcome.zh.txt'), '没有主题行\n');
    const templates = new NoticeTemplates({ directory: dir, builtInDirectory: dir });
    await assert.rejects(
      templates.render('welcome', 'zh', {}),
      /must start with a line "Subject: \.\.\."/,
    );
    await assert.rejects(templates.render('welcome', 'en', {}), /welcome\.en\.txt not found/);
  });
});
