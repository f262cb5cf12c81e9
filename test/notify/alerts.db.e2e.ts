import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import iconv from 'iconv-lite';
import { ImapFlow } from 'imapflow';
import nodemailer, { type Transporter } from 'nodemailer';
import { QueueAdmin, startAdminHttp } from '@dizi/admin';
import { createLogger } from '@dizi/logging';
import { localTime } from '@dizi/notify';
import { CmppIsmgSimulator, ReceivedSubmit } from '../peers/cmpp-ismg';
import { cmppTestLink, smsQueueDrained, startTestIsmg } from '../support/cmpp-test-link';
import { DiziHarness } from '../support/dizi-harness';
import { waitUntil } from '../support/smtp-wire';

const CLI = path.resolve(__dirname, '../../../apps/cli/bin/dizi.js');
const TZ = 'Asia/Shanghai';

const LI = 'li@dizi.test';
const LI_PHONE = '13800138001';
const WANG = 'wang@dizi.test';
const WANG_PHONE = '13800138002';
const ZHAO = 'zhao@dizi.test';
const ZHAO_PHONE = '13800138003';
const STRANGER_PHONE = '13999999999';

/** The text of a single-segment SUBMIT as the phone shows it. */
function submitText(s: ReceivedSubmit): string {
  let body = s.submit.msgContent;
  if (s.submit.tpUdhi) body = body.subarray(body[0] + 1);
  if (s.submit.msgFmt === 8) return iconv.decode(body, 'utf16-be');
  if (s.submit.msgFmt === 15) return iconv.decode(body, 'gbk');
  return body.toString('latin1');
}

// Mobile mail services through a running server and the CMPP simulator: mail arrives by
// SMTP, the alert SMS reaches the ISMG with the decoded Chinese text; the daily cap
// holds under a storm; an MO "address text" from a bound phone becomes a mail; an MO
// from an unbound phone changes nothing and gets a refusal.
describe('arrival alerts and SMS to mail', () => {
  let dizi: DiziHarness;
  let ismg: CmppIsmgSimulator;
  let http: { port: number; close: () => Promise<void> };
  let smtp: Transporter;

  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${http.port}${url}`, {
      method,
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as never };
  };
  const cli = (...args: string[]) =>
    new Promise<{ code: number; out: string }>((resolve) =>
      execFile(
        process.execPath,
        [CLI, ...args],
        {
          env: {
            ...process.env,
            DIZI_DATA: dizi.config.dataDir,
            DATABASE_URL: dizi.databaseUrl,
            DIZI_LOG_LEVEL: 'silent',
          },
        },
        (e, out, err) => resolve({ code: e ? Number(e.code ?? 1) : 0, out: out + err }),
      ),
    );
  const submitsTo = (number: string) =>
    ismg.submits.filter((s) => s.submit.destTerminalIds.includes(number));
  /** Everything handed over so far is decided and every queued SMS reached the ISMG. */
  const settle = async () => {
    await dizi.services.processor.idle();
    await dizi.services.notify.alerts.idle();
    await smsQueueDrained(dizi);
  };
  const mail = (to: string, raw: string | Buffer, from = 'zhang@example.cn') =>
    smtp.sendMail({ envelope: { from, to: [to] }, raw });
  const alertRows = async (address: string) =>
    (await api('GET', `/api/admin/users/${address}/alerts/history`)).body as Array<{
      state: string;
      text: string;
      smsId: string | null;
    }>;

  before(async () => {
    ismg = await startTestIsmg();
    dizi = await DiziHarness.start({
      config: {
        notify: { timeZone: TZ },
        links: [cmppTestLink(ismg)],
      },
    });
    // The harness serves the admin API without notify; this one has it (as main.ts does).
    const s = dizi.services;
    http = await startAdminHttp(
      {
        directory: s.directory,
        queue: new QueueAdmin(s.outboundRepo, s.blobs, s.outbound),
        auth: { token: 'test-admin-token' },
        sms: s.sms,
        smsLinks: s.smsLinks,
        linkAdmin: s.linkAdmin,
        notify: s.notify,
        log: createLogger('silent'),
      },
      0,
      '127.0.0.1',
    );
    smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port: dizi.smtpPort,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 4,
    });
    for (const u of [LI, WANG, ZHAO]) await dizi.addUser(u);
    await ismg.waitFor(() => ismg.logins.some((l) => l.status === 0), 5000, 'CMPP login');
  });
  after(async () => {
    smtp?.close();
    await http?.close();
    await dizi?.stop();
    await ismg?.close();
  });

  test('admin binding and rules through REST and the CLI', async () => {
    const bound = await api('PUT', `/api/admin/users/${LI}/phone`, { number: `+86 ${LI_PHONE}` });
    assert.equal(bound.status, 200, JSON.stringify(bound.body));
    assert.deepEqual(
      [(bound.body as { number: string }).number, (bound.body as { confirmed: boolean }).confirmed],
      [LI_PHONE, true],
    );
    const rule = await api('POST', `/api/admin/users/${LI}/alerts`, { senders: ['@example.cn'] });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const bad = await api('POST', `/api/admin/users/${LI}/alerts`, { quietHours: '25:00-07:00' });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { field: string }).field, 'quietHours');
    const taken = await api('PUT', `/api/admin/users/${WANG}/phone`, { number: LI_PHONE });
    assert.equal(taken.status, 409);
    assert.match((taken.body as { message: string }).message, /already bound to li@dizi\.test/);

    let r = await cli('phone', 'bind', WANG, WANG_PHONE);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`${WANG_PHONE} bound to ${WANG}`));
    r = await cli('alert', 'add', WANG, '--keyword', '报警', '--keyword', 'ALARM');
    assert.equal(r.code, 0, r.out);
    r = await cli('alert', 'add', WANG, '--priority', 'urgent');
    assert.notEqual(r.code, 0);
    assert.match(r.out, /--priority takes high/);
    r = await cli('alert', 'list', WANG);
    assert.match(r.out, /^\d+\ton\tany sender; keywords 报警, ALARM$/m);
    r = await cli('alert', 'list', 'nobody@dizi.test');
    assert.equal(r.code, 3);
    assert.match(r.out, /no user nobody@dizi\.test/);
  });

  test('a GB2312 mail delivered by SMTP produces the decoded Chinese alert at the ISMG', async () => {
    const gb = (s: string) => iconv.encode(s, 'gb2312').toString('base64');
    const before = submitsTo(LI_PHONE).length;
    const sentAt = Date.now();
    await mail(
      LI,
      [
        `From: =?GB2312?B?${gb('张三')}?= <zhang@example.cn>`,
        `To: ${LI}`,
        `Subject: =?GB2312?B?${gb('会议通知')}?=`,
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset=GB2312',
        'Content-Transfer-Encoding: base64',
        '',
        gb('<html><body><p>明天<b>下午三点</b>在三楼会议室开会，请准时参加。</p></body></html>'),
        '',
      ].join('\r\n'),
    );
    const got = await waitUntil(() => submitsTo(LI_PHONE)[before], 'the alert SUBMIT', 8000);
    const text = submitText(got);
    const time = localTime(new Date(sentAt), TZ).label;
    const later = localTime(new Date(), TZ).label;
    assert.ok(
      text === `张三 ${time} [会议通知] 明天下午三点在三楼会议室开会，请准时参加。` ||
        text === `张三 ${later} [会议通知] 明天下午三点在三楼会议室开会，请准时参加。`,
      text,
    );
    assert.equal(got.submit.msgFmt, 8, 'UCS-2');
    await settle();
    // The alert follows its SMS up to the carrier's DELIVRD report.
    const rows = await waitUntil(async () => {
      const r = await alertRows(LI);
      return r[0]?.state === 'delivered' ? r : null;
    }, 'the alert to be delivered');
    assert.ok(rows[0].smsId);
  });

  test('a mail no rule matches, and spam, do not alert', async () => {
    const before = submitsTo(LI_PHONE).length;
    const rowsBefore = (await alertRows(LI)).length;
    await mail(
      LI,
      'From: other@elsewhere.com\r\nSubject: hello\r\n\r\nnot for the phone\r\n',
      'other@elsewhere.com',
    );
    await mail(
      LI,
      'From: zhang@example.cn\r\nX-Spam-Flag: YES\r\nSubject: cheap\r\n\r\nbuy now\r\n',
    );
    await dizi.waitForMessages(LI, 3);
    await settle();
    await sleep(300);
    assert.equal(submitsTo(LI_PHONE).length, before);
    assert.equal((await alertRows(LI)).length, rowsBefore);
  });

  test('a storm of matching mail sends no more alerts than the daily cap', async () => {
    assert.equal((await cli('phone', 'bind', ZHAO, ZHAO_PHONE)).code, 0);
    assert.equal((await cli('alert', 'add', ZHAO, '--cap', '3')).code, 0);
    const storm = 40;
    await Promise.all(
      Array.from({ length: storm }, (_, i) =>
        mail(ZHAO, `From: bot@example.cn\r\nSubject: alarm ${i}\r\n\r\nserver ${i} is down\r\n`),
      ),
    );
    await dizi.waitForMessages(ZHAO, storm, 20_000);
    await settle();
    await sleep(300);
    assert.equal(submitsTo(ZHAO_PHONE).length, 3, 'the phone got exactly the cap');
    const rows = await alertRows(ZHAO);
    assert.equal(rows.filter((r) => r.smsId !== null).length, 3);
    assert.equal(rows.filter((r) => r.state === 'capped').length, storm - 3);
  });

  test('an MO "address text" from a bound phone lands in that mailbox (read over IMAP)', async () => {
    await ismg.injectMo({
      from: `86${WANG_PHONE}`,
      to: '1065888801',
      content: iconv.encode(`${LI} 我晚点到，先开始吧`, 'utf16-be'),
      msgFmt: 8,
    });
    const msgs = await dizi.waitForMessages(LI, 4);
    const raw = await dizi.raw(msgs[msgs.length - 1]);
    assert.match(
      raw,
      new RegExp(`^From: ${WANG_PHONE} <${WANG_PHONE}@sms\\.mx\\.dizi\\.test>`, 'm'),
    );
    assert.match(raw, /^Sender: wang@dizi\.test/m);

    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: dizi.imapPort,
      secure: false,
      doSTARTTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: LI, pass: 'password123' },
      logger: false,
    });
    await imap.connect();
    try {
      await imap.mailboxOpen('INBOX');
      const last = await imap.fetchOne('*', { envelope: true, source: true });
      assert.ok(last);
      assert.equal(last.envelope?.from?.[0]?.address, `${WANG_PHONE}@sms.mx.dizi.test`);
      assert.equal(last.envelope?.subject, '我晚点到，先开始吧');
      const { simpleParser } = await import('mailparser');
      const parsed = await simpleParser(last.source!);
      assert.equal(parsed.text?.trim(), '我晚点到，先开始吧');
    } finally {
      await imap.logout();
    }
  });

  test('an MO from an unbound number changes nothing and gets a refusal; unknown commands get help', async () => {
    const counts = async () =>
      Promise.all([LI, WANG, ZHAO].map(async (u) => (await dizi.messages(u)).length));
    const before = await counts();
    await ismg.injectMo({
      from: STRANGER_PHONE,
      to: '1065888801',
      content: Buffer.from(`${LI} PASSWORD newpass123`),
      msgFmt: 0,
    });
    const refusal = await waitUntil(() => submitsTo(STRANGER_PHONE)[0], 'the refusal SMS', 8000);
    assert.match(submitText(refusal), /未绑定邮箱.*not bound to a mailbox/);
    await settle();
    assert.deepEqual(await counts(), before, 'no mailbox changed');

    await ismg.injectMo({
      from: WANG_PHONE,
      to: '1065888801',
      content: Buffer.from('XYZZY'),
      msgFmt: 0,
    });
    const help = await waitUntil(() => submitsTo(WANG_PHONE)[0], 'the help SMS', 8000);
    assert.match(submitText(help), /发邮件：地址 内容/);
    await settle();
    assert.deepEqual(await counts(), before);
  });

  test('binding by code: the SMS carries it, wrong codes are refused and then locked', async () => {
    const user = 'sun@dizi.test';
    await dizi.addUser(user);
    const req = await api('POST', `/api/admin/users/${user}/phone/code`, { number: '13700137000' });
    assert.equal(req.status, 201, JSON.stringify(req.body));
    assert.equal((req.body as { confirmed: boolean }).confirmed, false);
    const again = await api('POST', `/api/admin/users/${user}/phone/code`, {
      number: '13700137000',
    });
    assert.equal(again.status, 409, 'no second paid SMS within a minute');
    const sms = await waitUntil(() => submitsTo('13700137000')[0], 'the code SMS', 8000);
    const code = /验证码 (\d{6})/.exec(submitText(sms))?.[1];
    assert.ok(code, submitText(sms));
    const wrong = code === '000000' ? '111111' : '000000';

    const w1 = await api('POST', `/api/admin/users/${user}/phone/confirm`, { code: wrong });
    assert.equal(w1.status, 400);
    assert.match((w1.body as { message: string }).message, /wrong code; 4 tries left/);
    for (let i = 0; i < 3; i++)
      await api('POST', `/api/admin/users/${user}/phone/confirm`, { code: wrong });
    const w5 = await api('POST', `/api/admin/users/${user}/phone/confirm`, { code: wrong });
    assert.equal(w5.status, 403);
    const right = await api('POST', `/api/admin/users/${user}/phone/confirm`, { code });
    assert.equal(right.status, 403, 'the right code no longer helps once locked');
    assert.equal(
      ((await api('GET', `/api/admin/users/${user}/phone`)).body as { confirmed: boolean })
        .confirmed,
      false,
    );

    // A second user binding the same way succeeds with the code it was sent.
    const ok = 'qian@dizi.test';
    await dizi.addUser(ok);
    await api('POST', `/api/admin/users/${ok}/phone/code`, { number: '13700137001' });
    const sms2 = await waitUntil(() => submitsTo('13700137001')[0], 'the code SMS', 8000);
    const code2 = /验证码 (\d{6})/.exec(submitText(sms2))![1];
    const confirmed = await api('POST', `/api/admin/users/${ok}/phone/confirm`, { code: code2 });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal((confirmed.body as { confirmed: boolean }).confirmed, true);
  });
});
