import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import iconv from 'iconv-lite';
import nodemailer, { type Transporter } from 'nodemailer';
import { SmsMessageEntity } from '@dizi/store';
import { startScriptedReceiver, type ScriptedReceiver } from '../outbound/peers';
import { CmppIsmgSimulator, ReceivedSubmit } from '../peers/cmpp-ismg';
import { cmppTestLink, smsQueueDrained, startTestIsmg } from '../support/cmpp-test-link';
import { DiziHarness } from '../support/dizi-harness';
import { SmtpWire, waitUntil } from '../support/smtp-wire';

const CLI = path.resolve(__dirname, '../../../apps/cli/bin/dizi.js');
const CAP = 3;

const ZHANG = 'zhang@dizi.test';
const LI = 'li@dizi.test';
const LI_PHONE = '13800138101';
const WANG = 'wang@dizi.test'; // local, no phone: never notified
const FAR = 'far@remote.test'; // remote, in zhang's address book
const FAR_MOBILE = '13900139101';
const TEAM = 'team@dizi.test';
const MEMBERS = Array.from({ length: 6 }, (_, i) => ({
  address: `m${i + 1}@dizi.test`,
  phone: `1380013811${i + 1}`,
}));

function smsText(s: ReceivedSubmit): string {
  let body = s.submit.msgContent;
  if (s.submit.tpUdhi) body = body.subarray(body[0] + 1);
  if (s.submit.msgFmt === 8) return iconv.decode(body, 'utf16-be');
  if (s.submit.msgFmt === 15) return iconv.decode(body, 'gbk');
  return body.toString('latin1');
}

/** The header block of a raw message (the body may say anything). */
const headerOf = (raw: string) => raw.slice(0, raw.indexOf('\r\n\r\n') + 2);
const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

// Send-time SMS notice (H3) through a running server and the CMPP simulator: the
// sender asks with `X-Dizi-Notify: sms` (or through the API); local recipients are told
// at their bound phone, remote ones at the sender's contact for them; the header never
// reaches a mailbox or the relayed copy; on the MX it is ignored; a mail to a big
// group sends no more notices than the cap.
describe('send-time SMS notice', () => {
  let dizi: DiziHarness;
  let ismg: CmppIsmgSimulator;
  let remote: ScriptedReceiver;
  let submission: Transporter;

  const submitsTo = (number: string) =>
    ismg.submits.filter((s) => s.submit.destTerminalIds.includes(number));
  const notices = () =>
    dizi.services.db.run((m) =>
      m.find(SmsMessageEntity, { where: { purpose: 'notice' }, order: { createdAt: 'ASC' } }),
    );
  const settle = async () => {
    await dizi.services.processor.idle();
    await smsQueueDrained(dizi);
  };
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${dizi.httpPort}${url}`, {
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
  const lastRaw = async (address: string) => {
    const msgs = await dizi.messages(address);
    return dizi.raw(msgs[msgs.length - 1]);
  };

  before(async () => {
    ismg = await startTestIsmg();
    remote = await startScriptedReceiver();
    dizi = await DiziHarness.start({
      config: {
        notify: { timeZone: 'Asia/Shanghai', noticeMaxPerMail: CAP },
        delivery: { routes: { 'remote.test': `127.0.0.1:${remote.port}` } },
        links: [cmppTestLink(ismg)],
      },
    });
    for (const u of [ZHANG, LI, WANG, ...MEMBERS.map((m) => m.address)]) await dizi.addUser(u);
    assert.equal(
      (await api('PUT', `/api/admin/users/${LI}/phone`, { number: LI_PHONE })).status,
      200,
    );
    await dizi.services.directory.addGroup(TEAM, { postPolicy: 'local' });
    for (const m of MEMBERS) {
      await dizi.services.directory.addGroupMember(TEAM, m.address);
      await dizi.services.notify.phones.bindByAdmin(m.address, m.phone);
    }
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
    await remote?.close();
    await ismg?.close();
  });

  test('contacts through the CLI and REST: add, list, remove; bad input named', async () => {
    let r = await cli(
      'contact',
      'add',
      ZHANG,
      '--name',
      '远方',
      '--email',
      'Far@Remote.test',
      '--mobile',
      `+86 ${FAR_MOBILE}`,
    );
    assert.equal(r.code, 0, r.out);
    assert.match(
      r.out,
      new RegExp(`^contact \\d+ added for ${ZHANG}: 远方 <${FAR}> ${FAR_MOBILE}$`, 'm'),
    );
    r = await cli('contact', 'add', ZHANG, '--email', 'x@remote.test', '--mobile', 'none');
    assert.equal(r.code, 2);
    assert.match(r.out, /"none" is not a phone number/);
    r = await cli('contact', 'list', 'nobody@dizi.test');
    assert.equal(r.code, 3);
    assert.match(r.out, /no user nobody@dizi\.test/);

    const added = await api('POST', `/api/admin/users/${ZHANG}/contacts`, {
      name: '临时',
      email: 'tmp@remote.test',
      mobile: '13900139999',
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const dup = await api('POST', `/api/admin/users/${ZHANG}/contacts`, {
      email: FAR,
      mobile: '13900139998',
    });
    assert.equal(dup.status, 409);
    assert.equal((dup.body as { field: string }).field, 'email');
    const missing = await api('POST', `/api/admin/users/${ZHANG}/contacts`, {
      mobile: '13900139998',
    });
    assert.equal(missing.status, 400);
    assert.equal((missing.body as { field: string }).field, 'email');
    const list = await api('GET', `/api/admin/users/${ZHANG}/contacts`);
    assert.deepEqual(
      (list.body as Array<{ email: string; mobile: string }>)
        .map((c) => [c.email, c.mobile])
        .sort(),
      [
        [FAR, FAR_MOBILE],
        ['tmp@remote.test', '13900139999'],
      ],
    );
    const id = (added.body as { id: number }).id;
    assert.equal((await api('DELETE', `/api/admin/users/${ZHANG}/contacts/${id}`)).status, 204);
    assert.equal((await api('DELETE', `/api/admin/users/${ZHANG}/contacts/${id}`)).status, 404);
    r = await cli('contact', 'list', ZHANG);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`^\\d+\\t远方\\t${FAR}\\t${FAR_MOBILE}$`, 'm'));
    assert.doesNotMatch(r.out, /tmp@remote\.test/);
  });

  test('X-Dizi-Notify: sms tells a local user at the bound phone and a remote one at the contact; the header is in no copy', async () => {
    const before = (await notices()).length;
    await submission.sendMail({
      envelope: { from: ZHANG, to: [LI, WANG, FAR] },
      raw: [
        `From: ${b64('张三')} <${ZHANG}>`,
        `To: ${LI}, ${WANG}, ${FAR}`,
        `Subject: ${b64('会议通知')}`,
        'X-Dizi-Notify: sms',
        'Content-Type: text/plain; charset=UTF-8',
        '',
        'X-Dizi-Notify: sms is only a header when it is one.',
        '',
      ].join('\r\n'),
    });
    const toLi = await waitUntil(() => submitsTo(LI_PHONE)[0], 'the notice to li', 10_000);
    const toFar = await waitUntil(() => submitsTo(FAR_MOBILE)[0], 'the notice to far', 10_000);
    assert.equal(smsText(toLi), '张三 给您发了邮件：会议通知');
    assert.equal(smsText(toFar), '张三 给您发了邮件：会议通知');
    await settle();
    const rows = (await notices()).slice(before);
    const zhang = await dizi.services.directoryRepo.findUser(ZHANG);
    assert.deepEqual(
      rows.map((r) => r.toNumber).sort(),
      [LI_PHONE, FAR_MOBILE].sort(),
      'wang has no number',
    );
    assert.ok(
      rows.every((r) => r.userId === zhang!.id),
      'charged to the sender',
    );

    for (const u of [LI, WANG]) {
      const raw = await lastRaw(u);
      assert.match(raw, /^Subject: /m);
      assert.doesNotMatch(headerOf(raw), /^X-Dizi-Notify:/im, `${u}'s copy has no X-Dizi-Notify`);
      assert.match(
        raw,
        /X-Dizi-Notify: sms is only a header when it is one\./,
        'the body is untouched',
      );
    }
    const relayed = await waitUntil(
      () => remote.received.find((m) => m.to.includes(FAR)),
      'the relayed copy',
      15_000,
    );
    const relayedRaw = relayed.data.toString('latin1');
    assert.doesNotMatch(headerOf(relayedRaw), /^X-Dizi-Notify:/im);
    assert.match(relayedRaw, /^Subject: /m);
  });

  test('without the header nobody is told; on the MX the header is ignored (and left as text)', async () => {
    const before = submitsTo(LI_PHONE).length;
    await submission.sendMail({
      envelope: { from: ZHANG, to: [LI] },
      raw: `From: ${ZHANG}\r\nSubject: no notice\r\n\r\nplain\r\n`,
    });
    const wire = await SmtpWire.connect(dizi.smtpPort);
    try {
      await wire.command('EHLO outside.test');
      const r = await wire.sendMail(
        'someone@outside.test',
        [LI],
        'From: someone@outside.test\r\nSubject: from outside\r\nX-Dizi-Notify: sms\r\n\r\nhi\r\n',
      );
      assert.equal(r.code, 250, r.raw);
    } finally {
      await wire.quit();
    }
    await dizi.waitForMessages(LI, 3);
    await settle();
    assert.equal(submitsTo(LI_PHONE).length, before, 'no notice SMS');
    const raws = await Promise.all((await dizi.messages(LI)).map((m) => dizi.raw(m)));
    const outside = raws.find((r) => /^Subject: from outside/m.test(r));
    assert.match(headerOf(outside ?? ''), /^X-Dizi-Notify: sms/m, 'kept, but it asked for nothing');
  });

  test(`a mail to a group of ${MEMBERS.length} sends at most the cap (${CAP}) of notices`, async () => {
    const before = (await notices()).length;
    await submission.sendMail({
      envelope: { from: ZHANG, to: [TEAM] },
      raw: `From: ${ZHANG}\r\nTo: ${TEAM}\r\nSubject: all hands\r\nX-Dizi-Notify: SMS\r\n\r\nat three\r\n`,
    });
    for (const m of MEMBERS) await dizi.waitForMessages(m.address, 1);
    await settle();
    const rows = (await notices()).slice(before);
    assert.equal(rows.length, CAP);
    const told = MEMBERS.filter((m) => submitsTo(m.phone).length > 0);
    assert.equal(told.length, CAP, 'the ISMG saw exactly the cap');
    assert.equal(smsText(submitsTo(told[0].phone)[0]), `${ZHANG} 给您发了邮件：all hands`);
  });

  test('the REST path: POST …/mail with notifySms sends the mail and the notice', async () => {
    const liBefore = (await dizi.messages(LI)).length;
    const smsBefore = submitsTo(LI_PHONE).length;
    const sent = await api('POST', `/api/admin/users/${ZHANG}/mail`, {
      to: [LI],
      subject: '周报',
      text: '本周的周报已经上传。',
      notifySms: true,
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    assert.deepEqual(
      [(sent.body as { from: string }).from, (sent.body as { notifySms: boolean }).notifySms],
      [ZHANG, true],
    );
    await dizi.waitForMessages(LI, liBefore + 1);
    const raw = await lastRaw(LI);
    assert.match(raw, new RegExp(`^From: ${ZHANG}`, 'm'));
    assert.match(raw, /^Message-ID: <api\./im);
    const notice = await waitUntil(() => submitsTo(LI_PHONE)[smsBefore], 'the API notice', 10_000);
    assert.equal(smsText(notice), `${ZHANG} 给您发了邮件：周报`);

    const plain = await api('POST', `/api/admin/users/${ZHANG}/mail`, {
      to: LI,
      subject: 'no sms',
      text: 'x',
    });
    assert.equal(plain.status, 202, JSON.stringify(plain.body));
    await dizi.waitForMessages(LI, liBefore + 2);
    await settle();
    assert.equal(submitsTo(LI_PHONE).length, smsBefore + 1, 'no notice unless asked');

    for (const [body, field] of [
      [{ to: [], subject: 's', text: 't' }, 'to'],
      [{ to: ['not-an-address'], subject: 's', text: 't' }, 'to'],
      [{ to: [LI], subject: 's', text: 't', notifySms: 'yes' }, 'notifySms'],
      [{ to: [LI], text: 't' }, 'subject'],
    ] as const) {
      const bad = await api('POST', `/api/admin/users/${ZHANG}/mail`, body);
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal((bad.body as { field: string }).field, field, JSON.stringify(bad.body));
    }
    const nobody = await api('POST', '/api/admin/users/nobody@dizi.test/mail', {
      to: [LI],
      subject: 's',
      text: 't',
    });
    assert.equal(nobody.status, 404);
  });
});
