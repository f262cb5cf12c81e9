import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import iconv from 'iconv-lite';
import { ImapFlow } from 'imapflow';
import nodemailer, { type Transporter } from 'nodemailer';
import { parseUdh } from '@dizi/gateway-kit';
import { CmppIsmgSimulator, ReceivedSubmit } from '../peers/cmpp-ismg';
import { RawPop3Client } from '../pop3/raw-pop3-client';
import { cmppTestLink, startTestIsmg } from '../support/cmpp-test-link';
import { DiziHarness } from '../support/dizi-harness';
import { waitUntil } from '../support/smtp-wire';

const SERVICE = '1065888801';
const CLI = path.resolve(__dirname, '../../../apps/cli/bin/dizi.js');
const PASSWORD = 'password123';

/** The text of one SUBMIT (one segment) as the phone shows it. */
function segmentText(s: ReceivedSubmit): string {
  let body = s.submit.msgContent;
  if (s.submit.tpUdhi) body = body.subarray(body[0] + 1);
  if (s.submit.msgFmt === 8) return iconv.decode(body, 'utf16-be');
  if (s.submit.msgFmt === 15) return iconv.decode(body, 'gbk');
  return body.toString('latin1');
}

// SMS account commands (H4) and replies to alerts (H5) through a running server and the
// CMPP simulator: MO SMS in, answers and alerts out as SUBMITs; logins over IMAP/POP3.
describe('SMS account commands and replies to alerts', () => {
  let dizi: DiziHarness;
  let ismg: CmppIsmgSimulator;
  let smtp: Transporter;

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
  const submitsTo = (number: string) =>
    ismg.submits.filter((s) => s.submit.destTerminalIds.includes(number));
  /** The SMS a number got, in order, each with its segments joined; null while incomplete. */
  const smsTo = (number: string): Array<string | null> => {
    const list: Array<{ ref: number | null; total: number; parts: ReceivedSubmit[] }> = [];
    for (const s of submitsTo(number)) {
      const concat = s.submit.tpUdhi ? parseUdh(s.submit.msgContent).concat : undefined;
      if (!concat) {
        list.push({ ref: null, total: 1, parts: [s] });
        continue;
      }
      const open = list.find((e) => e.ref === concat.reference && e.parts.length < e.total);
      if (open) open.parts.push(s);
      else list.push({ ref: concat.reference, total: concat.total, parts: [s] });
    }
    return list.map((e) =>
      e.parts.length < e.total
        ? null
        : e.parts
            .map((s) => ({
              s,
              seq: e.ref === null ? 1 : parseUdh(s.submit.msgContent).concat!.seq,
            }))
            .sort((a, b) => a.seq - b.seq)
            .map((p) => segmentText(p.s))
            .join(''),
    );
  };
  /** Sends an MO to `to` and waits for the answer SMS it gets; returns its text. */
  const command = async (from: string, text: string, to = SERVICE): Promise<string> => {
    const before = smsTo(from).length;
    await ismg.injectMo({ from, to, content: iconv.encode(text, 'utf16-be'), msgFmt: 8 });
    return waitUntil(() => smsTo(from)[before], `the answer to "${text}" at ${from}`);
  };
  const imapLogin = async (user: string, pass: string): Promise<boolean> => {
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: dizi.imapPort,
      secure: false,
      doSTARTTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user, pass },
      logger: false,
    });
    try {
      await imap.connect();
      await imap.logout();
      return true;
    } catch {
      imap.close();
      return false;
    }
  };
  const pop3Login = async (user: string, pass: string): Promise<boolean> => {
    const pop = await RawPop3Client.connect(dizi.pop3sPort, true);
    try {
      await pop.until(/^\+OK.*\r\n/);
      pop.write(`USER ${user}\r\n`);
      await pop.until(/\r\n$/);
      pop.write(`PASS ${pass}\r\n`);
      const answer = await pop.until(/\r\n$/);
      pop.write('QUIT\r\n');
      return answer.startsWith('+OK');
    } finally {
      pop.destroy();
    }
  };
  const bind = async (address: string, number: string) => {
    const r = await api('PUT', `/api/admin/users/${address}/phone`, { number });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  const mail = (to: string, raw: string, from: string) =>
    smtp.sendMail({ envelope: { from, to: [to] }, raw });

  before(async () => {
    ismg = await startTestIsmg();
    dizi = await DiziHarness.start({
      config: {
        notify: { timeZone: 'Asia/Shanghai', codeMaxAttempts: 3, repliesPerHour: 10 },
        links: [cmppTestLink(ismg, { srcId: SERVICE })],
      },
    });
    smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port: dizi.smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    for (const d of ['open.test', 'closed.test']) await dizi.services.directory.addDomain(d);
    await ismg.waitFor(() => ismg.logins.some((l) => l.status === 0), 5000, 'CMPP login');
  });
  after(async () => {
    smtp?.close();
    await dizi?.stop();
    await ismg?.close();
  });

  test('domain SMS settings through the CLI and the admin API; bad values are refused', async () => {
    let r = await cli(
      'domain',
      'set',
      'closed.test',
      '--sms-number',
      `${SERVICE}02`,
      '--sms-commands',
      'unread',
    );
    assert.equal(r.code, 0, r.out);
    assert.match(
      r.out,
      /closed\.test: imap on, pop3 on, total space unlimited, users unlimited, sms register closed, sms commands unread, sms number 106588880102/,
    );
    r = await cli('domain', 'set', 'closed.test', '--sms-commands', 'unread,reboot');
    assert.equal(r.code, 2);
    assert.match(r.out, /unknown SMS command "reboot"/);

    const ok = await api('PATCH', '/api/admin/domains/open.test', {
      smsRegister: 'open',
      smsNumber: `${SERVICE}01`,
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, {
      name: 'open.test',
      enabled: true,
      imap: true,
      pop3: true,
      quotaMb: 0,
      maxUsers: 0,
      smsRegister: 'open',
      smsCommands: ['register', 'password', 'cancel', 'unread'],
      smsNumber: '106588880101',
    });
    for (const [body, field] of [
      [{ smsRegister: 'maybe' }, 'smsRegister'],
      [{ smsCommands: ['reboot'] }, 'smsCommands'],
      [{ smsNumber: 'abc' }, 'smsNumber'],
    ] as const) {
      const bad = await api('PATCH', '/api/admin/domains/open.test', body);
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      assert.equal((bad.body as { field: string }).field, field);
    }
  });

  test('register into an open domain, then log in over POP3 and IMAP with the password from the answer', async () => {
    const phone = '13600136001';
    const answer = await command(phone, '注册 Li.Lei', `${SERVICE}01`);
    assert.match(answer, /注册成功：邮箱 li\.lei@open\.test 密码 \S+ /);
    const password = /密码 (\S+) /.exec(answer)![1];
    assert.ok(await pop3Login('li.lei@open.test', password), 'POP3 login with the SMS password');
    assert.ok(await imapLogin('li.lei@open.test', password), 'IMAP login with the SMS password');
    assert.equal(await pop3Login('li.lei@open.test', 'wrong-password'), false);
    const phoneView = await api('GET', '/api/admin/users/li.lei@open.test/phone');
    assert.deepEqual(
      [
        (phoneView.body as { number: string }).number,
        (phoneView.body as { confirmed: boolean }).confirmed,
      ],
      [phone, true],
    );

    // The same phone cannot register a second mailbox.
    assert.match(
      await command(phone, 'REG other', `${SERVICE}01`),
      /is bound to li\.lei@open\.test already/,
    );
    assert.equal(await dizi.services.directoryRepo.findUser('other@open.test'), null);
    // Another phone: the name is taken, a bad name and a reserved one are refused.
    const other = '13600136002';
    assert.match(await command(other, 'zc li.lei', `${SERVICE}01`), /li\.lei@open\.test is taken/);
    assert.match(await command(other, 'ZC bad!name', `${SERVICE}01`), /Name: letters, digits/);
    assert.match(await command(other, 'ＺＣ　ｐｏｓｔｍａｓｔｅｒ', `${SERVICE}01`), /is reserved/);
    // No name: the number is the mailbox name.
    const bare = await command(other, 'ZC', `${SERVICE}01`);
    assert.match(bare, /Registered 13600136002@open\.test, password \S+/);
    assert.ok(await imapLogin('13600136002@open.test', /password (\S+)/.exec(bare)![1]));
  });

  test('registration is refused in a closed domain and at a number no domain takes', async () => {
    const phone = '13600136003';
    assert.match(
      await command(phone, 'REG wang', `${SERVICE}02`),
      /closed\.test 未开放短信注册.*does not take registrations by SMS/,
    );
    assert.match(await command(phone, '注册 wang', SERVICE), /No mail domain takes registrations/);
    assert.equal(await dizi.services.directoryRepo.findUser('wang@closed.test'), null);
    assert.equal(await dizi.services.directoryRepo.findUser('wang@open.test'), null);
    // Nothing else acts for an unbound number; where it could register, it is told how.
    assert.match(
      await command(phone, 'MM NewPass-2024', `${SERVICE}01`),
      /not bound to a mailbox\. .*Send "REG name" to register at open\.test\./,
    );
    assert.doesNotMatch(await command(phone, 'WD', `${SERVICE}02`), /REG name/);
  });

  test('password change from the bound number; then only the new password logs in', async () => {
    const user = 'pwd@dizi.test';
    const phone = '13600136004';
    await dizi.addUser(user, PASSWORD);
    await bind(user, phone);
    assert.match(
      await command(phone, 'MM short', SERVICE),
      /Password not changed: the password must have at least 8 characters/,
    );
    assert.ok(await imapLogin(user, PASSWORD), 'a refused change leaves the password');
    assert.match(
      await command(phone, '密码  ＮｅｗＰａｓｓ－２０２４ ', SERVICE),
      /Password of pwd@dizi\.test changed/,
    );
    assert.ok(await imapLogin(user, 'NewPass-2024'), 'the new password logs in');
    assert.equal(await imapLogin(user, PASSWORD), false, 'the old one no longer does');
    const stored = (await dizi.services.db.run((m) =>
      m.query(`SELECT text FROM sms_messages WHERE direction = 'in' AND from_number = '${phone}'`),
    )) as Array<{ text: string }>;
    assert.ok(stored.length >= 2);
    assert.ok(
      stored.every((r) => !r.text.includes('ＮｅｗＰａｓｓ') && !r.text.includes('short')),
      'the MO rows no longer hold the passwords',
    );
    // No password given: a new one is made and sent back.
    const made = await command(phone, 'PWD', SERVICE);
    const fresh = /New password of pwd@dizi\.test: (\S+)/.exec(made)?.[1];
    assert.ok(fresh, made);
    assert.ok(await imapLogin(user, fresh));
  });

  test('cancel needs the code: a wrong one is refused, the right one cancels, login then fails', async () => {
    const user = 'zx@dizi.test';
    const phone = '13600136005';
    await dizi.addUser(user, PASSWORD);
    await bind(user, phone);
    await mail(
      user,
      'From: a@remote.test\r\nSubject: keep me\r\n\r\nstill here\r\n',
      'a@remote.test',
    );
    await dizi.waitForMessages(user, 1);

    assert.match(await command(phone, 'ZX 123456', SERVICE), /No cancellation pending/);
    const asked = await command(phone, '注销', SERVICE);
    const code = /ZX (\d{6})/.exec(asked)?.[1];
    assert.ok(code, asked);
    assert.match(asked, /reply CANCEL \d{6} within 5 min/);
    const wrong = code === '000000' ? '111111' : '000000';
    assert.match(await command(phone, `ZX ${wrong}`, SERVICE), /Wrong code; 2 tries left/);
    assert.ok(await imapLogin(user, PASSWORD), 'a wrong code cancels nothing');

    assert.match(
      await command(phone, `注销 ${code}`, SERVICE),
      /zx@dizi\.test is cancelled \(disabled\)/,
    );
    assert.equal(await imapLogin(user, PASSWORD), false, 'login fails once cancelled');
    assert.equal(await pop3Login(user, PASSWORD), false);
    assert.equal((await api('GET', `/api/admin/users/${user}/phone`)).status, 404, 'unbound');
    await assert.rejects(
      mail(user, 'From: a@remote.test\r\nSubject: late\r\n\r\nx\r\n', 'a@remote.test'),
      /550/,
    );
    assert.equal((await dizi.messages(user)).length, 1, 'its mail is kept');
    // The number acts for nobody now.
    assert.match(await command(phone, 'WD', SERVICE), /not bound to a mailbox/);

    // An admin can restore it: nothing was lost.
    const restored = await api('PATCH', `/api/admin/users/${user}`, { enabled: true });
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
    assert.ok(await imapLogin(user, PASSWORD));
  });

  test('wrong cancel codes lock cancelling; the right code no longer helps', async () => {
    const user = 'lock@dizi.test';
    const phone = '13600136006';
    await dizi.addUser(user, PASSWORD);
    await bind(user, phone);
    const code = /ZX (\d{6})/.exec(await command(phone, 'CANCEL', SERVICE))![1];
    const wrong = code === '000000' ? '111111' : '000000';
    assert.match(await command(phone, `ZX${wrong}`, SERVICE), /2 tries left/);
    assert.match(await command(phone, `ｚｘ ${wrong}`, SERVICE), /1 tries left/);
    assert.match(await command(phone, `cancel ${wrong}`, SERVICE), /Too many wrong codes/);
    assert.match(await command(phone, `ZX ${code}`, SERVICE), /Too many wrong codes/);
    assert.match(await command(phone, 'ZX', SERVICE), /Too many wrong codes/, 'no new code either');
    assert.ok(await imapLogin(user, PASSWORD), 'still there');
    assert.equal((await dizi.services.directoryRepo.findUser(user))!.enabled, true);
  });

  test('unread lists the newest unread INBOX mail; a domain offers only its commands', async () => {
    const user = 'wd@closed.test';
    const phone = '13600136007';
    await dizi.addUser(user, PASSWORD);
    await bind(user, phone);
    assert.match(await command(phone, '未读', SERVICE), /No unread mail in INBOX/);
    const send = (subject: string, from: string) =>
      mail(user, `From: ${from}\r\nSubject: ${subject}\r\n\r\nbody\r\n`, 'x@remote.test');
    await send(
      '=?UTF-8?B?' + Buffer.from('季度报表').toString('base64') + '?=',
      '"王五" <wang@remote.test>',
    );
    await send('read already', 'old@remote.test');
    await send('lunch?', 'li@remote.test');
    await dizi.waitForMessages(user, 3);
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: dizi.imapPort,
      secure: false,
      doSTARTTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user, pass: PASSWORD },
      logger: false,
    });
    await imap.connect();
    try {
      await imap.mailboxOpen('INBOX');
      await imap.messageFlagsAdd('2', ['\\Seen']);
    } finally {
      await imap.logout();
    }
    assert.equal(
      await command(phone, 'WD', SERVICE),
      '未读邮件 2 封 (2 unread): 1.li@remote.test《lunch?》 2.王五《季度报表》',
    );
    // closed.test allows "unread" only.
    assert.match(await command(phone, 'MM NewPass-2024', SERVICE), /not offered for closed\.test/);
    assert.ok(await imapLogin(user, PASSWORD));
    assert.match(
      await command(phone, 'HELP', SERVICE),
      /^未读\/WD 未读邮件；发邮件：地址 内容.*HELP: UNREAD;/,
    );
  });

  test('an alert goes out from number + extension; an MO to it reaches the sender of that mail, threaded', async () => {
    const boss = 'boss@dizi.test';
    const staff = 'staff@dizi.test';
    const phone = '13600136008';
    await dizi.addUser(boss, PASSWORD);
    await dizi.addUser(staff, PASSWORD);
    await bind(staff, phone);
    assert.equal((await api('POST', `/api/admin/users/${staff}/alerts`, {})).status, 201);
    const subject = '项目进度';
    await mail(
      staff,
      [
        `From: Boss <${boss}>`,
        `To: ${staff}`,
        `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
        'Message-ID: <first.1@dizi.test>',
        '',
        '进度怎么样？',
        '',
      ].join('\r\n'),
      boss,
    );
    const first = await waitUntil(() => submitsTo(phone)[0], 'the first alert');
    await mail(
      staff,
      `From: ${boss}\r\nTo: ${staff}\r\nSubject: second\r\nMessage-ID: <second.2@dizi.test>\r\n\r\nand this\r\n`,
      boss,
    );
    const second = await waitUntil(() => submitsTo(phone)[1], 'the second alert');
    assert.match(first.submit.srcId, /^10658888019\d{3}$/);
    assert.match(second.submit.srcId, /^10658888019\d{3}$/);
    assert.notEqual(first.submit.srcId, second.submit.srcId, 'each alert has its own extension');
    await waitUntil(async () => {
      const h = (await api('GET', `/api/admin/users/${staff}/alerts/history`)).body as Array<{
        state: string;
      }>;
      return (
        h.length === 2 && h.every((a) => ['queued', 'submitted', 'delivered'].includes(a.state))
      );
    }, 'both alerts recorded as gone out');
    const bossMail = (await dizi.messages(boss)).length;

    // A reply to the FIRST alert, though a later one came since.
    await ismg.injectMo({
      from: `86${phone}`,
      to: first.submit.srcId,
      content: iconv.encode('收到，下午交', 'utf16-be'),
      msgFmt: 8,
    });
    const msgs = await dizi.waitForMessages(boss, bossMail + 1);
    const raw = await dizi.raw(msgs[msgs.length - 1]);
    assert.match(raw, /^In-Reply-To: <first\.1@dizi\.test>/m);
    assert.match(raw, /^References: <first\.1@dizi\.test>/m);
    assert.match(raw, /^Sender: staff@dizi\.test/m);

    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: dizi.imapPort,
      secure: false,
      doSTARTTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: boss, pass: PASSWORD },
      logger: false,
    });
    await imap.connect();
    try {
      await imap.mailboxOpen('INBOX');
      const last = await imap.fetchOne('*', { envelope: true, source: true });
      assert.ok(last);
      assert.equal(last.envelope?.subject, `Re: ${subject}`);
      assert.equal(last.envelope?.inReplyTo, '<first.1@dizi.test>');
      assert.equal(last.envelope?.from?.[0]?.address, `${phone}@sms.mx.dizi.test`);
      const { simpleParser } = await import('mailparser');
      assert.equal((await simpleParser(last.source!)).text?.trim(), '收到，下午交');
    } finally {
      await imap.logout();
    }
    assert.equal(smsTo(phone).length, 2, 'a reply gets no SMS answer');
  });

  test('without the extension, a plain text replies to the latest alert; commands still act', async () => {
    const boss = 'boss@dizi.test';
    const phone = '13600136008';
    const before = (await dizi.messages(boss)).length;
    await ismg.injectMo({
      from: phone,
      to: SERVICE,
      content: iconv.encode('好的 明白', 'utf16-be'),
      msgFmt: 8,
    });
    const msgs = await dizi.waitForMessages(boss, before + 1);
    const raw = await dizi.raw(msgs[msgs.length - 1]);
    assert.match(raw, /^In-Reply-To: <second\.2@dizi\.test>/m);
    assert.match(raw, /^Subject: Re: second/m);
    // A command from the same phone is a command, not a reply.
    assert.match(await command(phone, 'WD', SERVICE), /未读邮件 2 封/);
    assert.equal((await dizi.messages(boss)).length, before + 1);

    // A number that got no alert gets the help SMS for a plain text.
    assert.match(await command('13600136004', 'hello there', SERVICE), /发邮件：地址 内容/);
  });
});
