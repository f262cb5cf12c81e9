/**
 * A refused recipient turns into an RFC 3464 bounce that travels back to the sender's
 * server with the null sender: delivery result -> DSN -> delivery to Postfix's smtp-sink,
 * whose dump is parsed with mailparser.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { DsnBuilder, NoticeTemplates, NullSenderDsnError } from '../../libs/mail/src/dsn';
import {
  dsnRecipientFromResult,
  MxResolver,
  SmtpDeliveryClient,
  type DeliveryRequest,
} from '../../libs/smtp/src/outbound';
import {
  closedPort,
  SMTP_SINK,
  startScriptedReceiver,
  startSmtpSink,
  type ScriptedReceiver,
  type SmtpSink,
} from './peers';

const ORIGINAL = Buffer.from(
  [
    'From: Alice <alice@dizi.test>',
    'To: unknown@remote.test',
    'Subject: =?UTF-8?B?5Lya6K6u57qq6KaB?=',
    'Message-ID: <minutes@dizi.test>',
    '',
    'Body that must not come back.',
    '',
  ].join('\r\n'),
);

describe('bounce round trip', { skip: !existsSync(SMTP_SINK) }, () => {
  let remote: ScriptedReceiver;
  let sendersServer: SmtpSink;
  let client: SmtpDeliveryClient;

  before(async () => {
    remote = await startScriptedReceiver({});
    sendersServer = await startSmtpSink();
    client = new SmtpDeliveryClient(
      new MxResolver({
        routes: {
          'remote.test': `127.0.0.1:${remote.port}`,
          'dizi.test': `127.0.0.1:${sendersServer.port}`,
        },
      }),
    );
  });
  after(async () => {
    await Promise.all([remote.close(), sendersServer.close()]);
  });

  const base: Omit<DeliveryRequest, 'domain' | 'sender' | 'recipients' | 'message'> = {
    heloName: 'mail.dizi.test',
    tls: 'opportunistic',
    smartHostMode: 'never',
    timeouts: { connectMs: 2000, greetingMs: 2000, socketMs: 3000 },
  };

  it('delivers a Chinese bounce for a refused recipient to the sender, from <>', async () => {
    const arrival = new Date('2026-11-20T08:30:00Z');
    const [refused] = await client.deliver({
      ...base,
      domain: 'remote.test',
      sender: 'alice@dizi.test',
      recipients: ['unknown@remote.test'],
      message: ORIGINAL,
    });
    assert.equal(refused.status, 'failed');

    const dsn = await new DsnBuilder(new NoticeTemplates()).build({
      action: 'failed',
      reportingMta: 'mail.dizi.test',
      returnPath: 'alice@dizi.test',
      arrivalDate: arrival,
      recipients: [dsnRecipientFromResult(refused, new Date(), 'Unknown@remote.test')],
      original: ORIGINAL,
      language: 'zh',
    });
    const [bounced] = await client.deliver({
      ...base,
      domain: 'dizi.test',
      sender: dsn.envelope.sender,
      recipients: dsn.envelope.recipients,
      message: dsn.message,
    });
    assert.equal(bounced.status, 'delivered', bounced.message);

    const dumps = sendersServer.dumps();
    assert.equal(dumps.length, 1);
    assert.match(dumps[0], /^X-Mail-Args: <>$/m, 'the bounce has the null sender');
    assert.match(dumps[0], /^X-Rcpt-Args: <alice@dizi\.test>$/m);

    const mail = await simpleParser(Buffer.from(dumps[0], 'latin1'), { keepDeliveryStatus: true });
    assert.equal(mail.subject, '退信：无法投递 会议纪要');
    assert.match(mail.text ?? '', /<unknown@remote\.test>/);
    assert.match(mail.text ?? '', /服务器回复: 550 5\.1\.1 <unknown@remote\.test>: no such user/);
    const report = mail.attachments
      .find((a) => a.contentType === 'message/delivery-status')
      ?.content.toString('utf8');
    assert.ok(report);
    assert.match(report, /^Reporting-MTA: dns; mail\.dizi\.test$/m);
    assert.match(report, /^Arrival-Date: Fri, 20 Nov 2026 08:30:00 \+0000$/m);
    assert.match(report, /^Original-Recipient: rfc822; Unknown@remote\.test$/m);
    assert.match(report, /^Final-Recipient: rfc822; unknown@remote\.test$/m);
    assert.match(report, /^Action: failed$/m);
    assert.match(report, /^Status: 5\.1\.1$/m);
    assert.match(report, /^Remote-MTA: dns; 127\.0\.0\.1$/m);
    assert.match(
      report,
      /^Diagnostic-Code: smtp; 550 5\.1\.1 <unknown@remote\.test>: no such user$/m,
    );
    const headers = mail.attachments
      .find((a) => a.contentType === 'text/rfc822-headers')
      ?.content.toString('utf8');
    assert.match(headers ?? '', /Message-ID: <minutes@dizi\.test>/);
    assert.doesNotMatch(headers ?? '', /must not come back/);
  });

  it('uses the local explanation, not a fake server reply, when no server answered', async () => {
    const port = await closedPort();
    const [unreachable] = await new SmtpDeliveryClient(
      new MxResolver({ routes: { 'remote.test': `127.0.0.1:${port}` } }),
    ).deliver({
      ...base,
      domain: 'remote.test',
      sender: 'alice@dizi.test',
      recipients: ['bob@remote.test'],
      message: ORIGINAL,
    });
    assert.equal(unreachable.status, 'deferred');
    const fields = dsnRecipientFromResult(unreachable, new Date());
    assert.equal(fields.smtpDiagnostic, null);
    assert.equal(fields.remoteMta, null);
    assert.match(fields.localDiagnostic ?? '', /connection refused/);
    assert.equal(fields.status, '4.4.1');
  });

  it('refuses to bounce a bounce', async () => {
    await assert.rejects(
      new DsnBuilder(new NoticeTemplates()).build({
        action: 'failed',
        reportingMta: 'mail.dizi.test',
        returnPath: '',
        arrivalDate: new Date(),
        recipients: [{ finalRecipient: 'x@remote.test', status: '5.1.1' }],
        original: ORIGINAL,
        language: 'en',
      }),
      NullSenderDsnError,
    );
  });
});
