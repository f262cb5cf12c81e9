import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import iconv from 'iconv-lite';
import nodemailer, { type Transporter } from 'nodemailer';
import { SmsMessageEntity } from '@dizi/store';
import { CmppIsmgSimulator, ReceivedSubmit } from '../peers/cmpp-ismg';
import { cmppTestLink, smsQueueDrained, startTestIsmg } from '../support/cmpp-test-link';
import { DiziHarness } from '../support/dizi-harness';
import { SmtpWire, waitUntil } from '../support/smtp-wire';

const SMS_DOMAIN = 'sms.mx.dizi.test'; // the default: sms.<hostname>

const ZHANG = 'zhang@dizi.test';
const LI = 'li@dizi.test';
const WANG = 'wang@dizi.test';
const WANG_PHONE = '13800138020';

/** The text of one SUBMIT as the phone shows it (UDH of a long SMS left out). */
function segmentText(s: ReceivedSubmit): string {
  let body = s.submit.msgContent;
  if (s.submit.tpUdhi) body = body.subarray(body[0] + 1);
  if (s.submit.msgFmt === 8) return iconv.decode(body, 'utf16-be');
  if (s.submit.msgFmt === 15) return iconv.decode(body, 'gbk');
  return body.toString('latin1');
}

// Mail to a phone's own address goes out as SMS (H5), through a running server and the
// CMPP simulator: AUTH submission of a GB2312 mail reaches the ISMG as decoded text; a
// bad number is refused at RCPT; anonymous MX clients are refused; a refused SMS
// bounces to the sender; an MO mail to a phone address becomes an SMS.
describe('mail to <number>@smsDomain goes out as SMS', () => {
  let dizi: DiziHarness;
  let ismg: CmppIsmgSimulator;
  let submission: Transporter;

  const submitsTo = (number: string) =>
    ismg.submits.filter((s) => s.submit.destTerminalIds.includes(number));
  const smsRows = (toNumber: string) =>
    dizi.services.db.run((m) => m.findBy(SmsMessageEntity, { toNumber, direction: 'out' }));
  const settle = async () => {
    await dizi.services.processor.idle();
    await smsQueueDrained(dizi);
  };
  const inboxCounts = () =>
    Promise.all([ZHANG, LI, WANG].map(async (u) => (await dizi.messages(u)).length));
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${dizi.httpPort}${url}`, {
      method,
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.status;
  };

  before(async () => {
    ismg = await startTestIsmg();
    dizi = await DiziHarness.start({
      config: {
        notify: { timeZone: 'Asia/Shanghai', mailToSmsSegments: 2 },
        links: [cmppTestLink(ismg)],
      },
    });
    for (const u of [ZHANG, LI, WANG]) await dizi.addUser(u);
    // STARTTLS then AUTH on the submission port, as a mail client does.
    submission = nodemailer.createTransport({
      host: '127.0.0.1',
      port: dizi.submissionPort,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: ZHANG, pass: 'password123' },
    });
    await ismg.waitFor(() => ismg.logins.some((l) => l.status === 0), 5000, 'CMPP login');
  });
  after(async () => {
    submission?.close();
    await dizi?.stop();
    await ismg?.close();
  });

  test('an authenticated GB2312 base64 mail reaches the ISMG as its decoded text, charged to the sender', async () => {
    const gb = (s: string) => iconv.encode(s, 'gb2312').toString('base64');
    const before = await inboxCounts();
    await submission.sendMail({
      envelope: { from: ZHANG, to: [`13800138001@${SMS_DOMAIN}`] },
      raw: [
        `From: =?GB2312?B?${gb('张三')}?= <${ZHANG}>`,
        `To: 13800138001@${SMS_DOMAIN}`,
        `Subject: =?GB2312?B?${gb('会议通知')}?=`,
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset=GB2312',
        'Content-Transfer-Encoding: base64',
        '',
        gb('<html><body><p>明天<b>下午三点</b>在三楼会议室开会。</p></body></html>'),
        '',
      ].join('\r\n'),
    });
    const got = await waitUntil(() => submitsTo('13800138001')[0], 'the SUBMIT', 10_000);
    assert.equal(segmentText(got), '张三 [会议通知] 明天下午三点在三楼会议室开会。');
    assert.equal(got.submit.msgFmt, 8, 'UCS-2');
    await settle();
    const [row] = await smsRows('13800138001');
    const zhang = await dizi.services.directoryRepo.findUser(ZHANG);
    assert.equal(row.purpose, 'mail2sms');
    assert.equal(row.userId, zhang!.id, 'the SMS row names the sender for usage records');
    assert.deepEqual(await inboxCounts(), before, 'no mailbox got it');
    assert.equal((await dizi.services.outboundRepo.list()).length, 0, 'nothing was relayed');
  });

  test('several SMS recipients: one SMS per number; a local recipient of the same mail gets the mail', async () => {
    const [, liBefore] = await inboxCounts();
    const info = (await submission.sendMail({
      envelope: {
        from: ZHANG,
        to: [
          `13800138002@${SMS_DOMAIN}`,
          `+86 138-0013-8002@${SMS_DOMAIN}`.replace(/ /g, ''),
          `13800138003@${SMS_DOMAIN.toUpperCase()}`,
          LI,
        ],
      },
      raw: `From: ${ZHANG}\r\nTo: ${LI}\r\nSubject: lunch\r\n\r\nNoon at the usual place?\r\n`,
    })) as { accepted: string[] };
    assert.equal(info.accepted.length, 4);
    await dizi.waitForMessages(LI, liBefore + 1);
    await waitUntil(() => submitsTo('13800138003')[0], 'the second SMS', 10_000);
    await settle();
    assert.equal(submitsTo('13800138002').length, 1, 'two spellings of one number: one SMS');
    assert.equal(
      segmentText(submitsTo('13800138002')[0]),
      `${ZHANG} [lunch] Noon at the usual place?`,
    );
    assert.equal(submitsTo('13800138003').length, 1);
  });

  test('a long body is cut to the configured two segments', async () => {
    await submission.sendMail({
      envelope: { from: ZHANG, to: [`13800138004@${SMS_DOMAIN}`] },
      raw: Buffer.from(
        `From: ${ZHANG}\r\nSubject: =?UTF-8?B?${Buffer.from('报告').toString('base64')}?=\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${'本季度的销售报告已经完成，请查收。'.repeat(20)}\r\n`,
      ),
    });
    await waitUntil(() => submitsTo('13800138004').length >= 2, 'both segments', 10_000);
    await settle();
    const parts = submitsTo('13800138004').sort((x, y) => x.submit.pkNumber - y.submit.pkNumber);
    assert.equal(parts.length, 2);
    assert.deepEqual(
      parts.map((p) => [p.submit.pkNumber, p.submit.pkTotal]),
      [
        [1, 2],
        [2, 2],
      ],
    );
    const text = parts.map(segmentText).join('');
    assert.equal(Array.from(text).length, 134);
    assert.ok(text.startsWith(`${ZHANG} [报告] 本季度的销售报告`), text);
    assert.ok(text.endsWith('…'));
  });

  test('a bad number is refused at RCPT with 550 5.1.1 and the rule', async () => {
    await assert.rejects(
      submission.sendMail({
        envelope: { from: ZHANG, to: [`li.si@${SMS_DOMAIN}`] },
        raw: `From: ${ZHANG}\r\nSubject: x\r\n\r\nx\r\n`,
      }),
      (err: Error & { response?: string; responseCode?: number }) => {
        assert.equal(err.responseCode, 550);
        assert.match(
          err.response ?? '',
          /^550 5\.1\.1 <li\.si@sms\.mx\.dizi\.test>: li\.si is not a phone number: mail for SMS goes to <digits>@sms\.mx\.dizi\.test/,
        );
        return true;
      },
    );
  });

  test('anonymous MX clients are refused for the SMS domain (paid SMS, relay abuse)', async () => {
    const wire = await SmtpWire.connect(dizi.smtpPort);
    try {
      assert.equal((await wire.command('EHLO outside.test')).code, 250);
      assert.equal((await wire.command('MAIL FROM:<spammer@outside.test>')).code, 250);
      const rcpt = await wire.command(`RCPT TO:<13800138005@${SMS_DOMAIN}>`);
      assert.equal(rcpt.code, 550);
      assert.match(rcpt.text, /^5\.7\.1 .*only for authenticated senders; use the submission port/);
      // A mailbox of the same server is still open to the MX.
      assert.equal((await wire.command(`RCPT TO:<${LI}>`)).code, 250);
    } finally {
      await wire.quit();
    }
    assert.equal(submitsTo('13800138005').length, 0);
  });

  test('an SMS the link refuses for good bounces to the sender with a DSN', async () => {
    const BAD = '13800138099';
    ismg.submitResult = (s) => (s.destTerminalIds.includes(BAD) ? 13 : 0); // Dest_terminal_Id error
    const before = (await dizi.messages(ZHANG)).length;
    await submission.sendMail({
      envelope: { from: ZHANG, to: [`${BAD}@${SMS_DOMAIN}`] },
      raw: `From: ${ZHANG}\r\nTo: ${BAD}@${SMS_DOMAIN}\r\nSubject: will not arrive\r\n\r\nhello\r\n`,
    });
    const msgs = await dizi.waitForMessages(ZHANG, before + 1, 20_000);
    const dsn = await dizi.raw(msgs[msgs.length - 1]);
    assert.match(dsn, /Content-Type: multipart\/report;\s*report-type=delivery-status/i);
    assert.match(dsn, new RegExp(`Final-Recipient: rfc822;\\s*${BAD}@sms\\.mx\\.dizi\\.test`, 'i'));
    assert.match(dsn, /Action: failed/);
    assert.match(dsn, /Status: 5\.0\.0/);
    assert.match(dsn, /Dest_terminal_Id error/);
    assert.match(dsn, /Subject: will not arrive/, 'the original headers are returned');
    const [row] = await smsRows(BAD);
    assert.equal(row.status, 'failed');
    assert.equal(submitsTo(BAD).length, 1, 'a final refusal is not tried again');
    ismg.submitResult = () => 0;
  });

  test('an SMS the carrier takes but reports as undelivered bounces to the sender once', async () => {
    const LOST = '13800138098';
    ismg.autoReportStat = 'UNDELIV'; // every segment of the two is reported undelivered
    try {
      const before = (await dizi.messages(ZHANG)).length;
      await submission.sendMail({
        envelope: { from: ZHANG, to: [`${LOST}@${SMS_DOMAIN}`] },
        raw: Buffer.from(
          `From: ${ZHANG}\r\nSubject: lost on the way\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n${'这条短信会丢失。'.repeat(20)}\r\n`,
        ),
      });
      await waitUntil(() => submitsTo(LOST).length >= 2, 'both segments', 10_000);
      const msgs = await dizi.waitForMessages(ZHANG, before + 1, 20_000);
      const dsn = await dizi.raw(msgs[msgs.length - 1]);
      assert.match(dsn, /report-type=delivery-status/i);
      assert.match(
        dsn,
        new RegExp(`Final-Recipient: rfc822;\\s*${LOST}@sms\\.mx\\.dizi\\.test`, 'i'),
      );
      assert.match(dsn, /Action: failed/);
      assert.match(dsn, /Status: 5\.0\.0/);
      assert.match(dsn, /carrier status UNDELIV/);
      assert.match(dsn, /Subject: lost on the way/);
      await waitUntil(
        async () => (await smsRows(LOST))[0]?.status === 'failed',
        'the SMS row failed',
        10_000,
      );
      // The second segment's report derives 'failed' again: still one bounce.
      await settle();
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await dizi.messages(ZHANG)).length, before + 1, 'exactly one DSN');
    } finally {
      ismg.autoReportStat = null;
    }
  });

  test('an MO "address text" to a phone address becomes an SMS to that phone (a local sender)', async () => {
    assert.equal(await api('PUT', `/api/admin/users/${WANG}/phone`, { number: WANG_PHONE }), 200);
    const before = await inboxCounts();
    await ismg.injectMo({
      from: `86${WANG_PHONE}`,
      to: '1065888801',
      content: iconv.encode(`13800138006@${SMS_DOMAIN} 我到楼下了`, 'utf16-be'),
      msgFmt: 8,
    });
    const got = await waitUntil(() => submitsTo('13800138006')[0], 'the SMS from the MO', 10_000);
    assert.equal(segmentText(got), `${WANG_PHONE} [我到楼下了] 我到楼下了`);
    await settle();
    const [row] = await smsRows('13800138006');
    const wang = await dizi.services.directoryRepo.findUser(WANG);
    assert.deepEqual([row.purpose, row.userId], ['mail2sms', wang!.id]);
    assert.deepEqual(await inboxCounts(), before);
  });
});

// notify.mailToSmsDailyCap: a user's SMS by mail stop at the cap for the day, with a DSN.
describe('mail to SMS: the daily cap per user', () => {
  let dizi: DiziHarness;
  let ismg: CmppIsmgSimulator;
  let submission: Transporter;

  before(async () => {
    ismg = await startTestIsmg();
    dizi = await DiziHarness.start({
      config: { notify: { mailToSmsDailyCap: 2 }, links: [cmppTestLink(ismg)] },
    });
    await dizi.addUser(ZHANG);
    submission = nodemailer.createTransport({
      host: '127.0.0.1',
      port: dizi.submissionPort,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: ZHANG, pass: 'password123' },
    });
    await ismg.waitFor(() => ismg.logins.some((l) => l.status === 0), 5000, 'CMPP login');
  });
  after(async () => {
    submission?.close();
    await dizi?.stop();
    await ismg?.close();
  });

  test('past the cap the mail bounces with 5.7.0 and no SMS goes out', async () => {
    const numbers = ['13800138031', '13800138032', '13800138033'];
    for (const n of numbers) {
      await submission.sendMail({
        envelope: { from: ZHANG, to: [`${n}@${SMS_DOMAIN}`] },
        raw: `From: ${ZHANG}\r\nTo: ${n}@${SMS_DOMAIN}\r\nSubject: to ${n}\r\n\r\nhello\r\n`,
      });
      await dizi.services.processor.idle();
    }
    const dsnMsgs = await dizi.waitForMessages(ZHANG, 1, 20_000);
    const dsn = await dizi.raw(dsnMsgs[0]);
    assert.match(dsn, /Final-Recipient: rfc822;\s*13800138033@sms\.mx\.dizi\.test/i);
    assert.match(dsn, /Status: 5\.7\.0/);
    assert.match(dsn, /allowed\s+a\s+day/);
    await smsQueueDrained(dizi);
    const got = (n: string) => ismg.submits.filter((s) => s.submit.destTerminalIds.includes(n));
    assert.deepEqual(
      numbers.map((n) => got(n).length),
      [1, 1, 0],
    );
    assert.equal((await dizi.messages(ZHANG)).length, 1, 'one DSN, for the third mail only');
  });
});
