import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import iconv from 'iconv-lite';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { CmppIsmgSimulator } from '../peers/cmpp-ismg';
import { cmppTestLink, startTestIsmg } from '../support/cmpp-test-link';
import { DiziHarness } from '../support/dizi-harness';
import { python } from '../support/peers';
import { SmtpWire, waitUntil } from '../support/smtp-wire';

// SMS favourites (H6): the SMS a user sends (by choice: not alerts, codes or automatic
// answers), the SMS sent to their bound phone and the MO from it are kept as mails in
// their SMS folder, created on first use and read like any folder over IMAP.

const LI = 'li@favourites.test';
const LI_PHONE = '13800138201';
const WANG = 'wang@favourites.test';
const WANG_PHONE = '13800138202';

describe('the SMS folder', () => {
  let dizi: DiziHarness;
  let ismg: CmppIsmgSimulator;
  let liId: number;

  const imapFor = (user: string) =>
    new ImapFlow({
      host: '127.0.0.1',
      port: dizi.imapPort,
      secure: false,
      doSTARTTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user, pass: 'password123' },
      logger: false,
    });
  const submitsTo = (number: string) =>
    ismg.submits.filter((s) => s.submit.destTerminalIds.includes(number) && s.result === 0);
  const smsFolder = async (user: string) => dizi.messages(user, 'SMS');

  before(async () => {
    ismg = await startTestIsmg();
    dizi = await DiziHarness.start({
      config: {
        notify: { timeZone: 'Asia/Shanghai' },
        links: [cmppTestLink(ismg)],
      },
    });
    await dizi.services.directory.addDomain('favourites.test');
    await dizi.services.directory.addUser({
      address: LI,
      password: 'password123',
      displayName: 'Li Lei',
    });
    await dizi.addUser(WANG);
    liId = (await dizi.services.directoryRepo.findUser(LI))!.id;
    await dizi.services.notify.phones.bindByAdmin(LI, LI_PHONE);
    await dizi.services.notify.phones.bindByAdmin(WANG, WANG_PHONE);
    await ismg.waitFor(() => ismg.logins.some((l) => l.status === 0), 5000, 'CMPP login');
  });
  after(async () => {
    await dizi?.stop();
    await ismg?.close();
  });

  test('an SMS a user sends is kept in their folder and in the folder of the phone it went to', async () => {
    assert.equal(await dizi.services.mailboxes.findFolder(liId, 'SMS'), null, 'no folder before');
    const usedBefore = (await dizi.services.directoryRepo.findUserById(liId))!.usedBytes;
    const sent = await dizi.services.sms.send({
      to: WANG_PHONE,
      text: '明天上午十点开会，别忘了带合同。',
      purpose: 'compose',
      userId: liId,
    });
    const [mine] = await dizi.waitForMessages(LI, 1, 10_000, 'SMS');
    const [theirs] = await dizi.waitForMessages(WANG, 1, 10_000, 'SMS');
    assert.equal(mine.subject, '明天上午十点开会，别忘了带合同。');
    assert.ok(
      (await dizi.services.directoryRepo.findUserById(liId))!.usedBytes > usedBefore,
      'the copy counts against the quota',
    );
    assert.equal(mine.flags, '\\Seen', 'what I sent myself is read');
    assert.equal(theirs.flags, '', 'what I got is new');
    const parsed = await simpleParser(await dizi.services.blobs.read(mine.blobId));
    assert.equal(parsed.headers.get('x-dizi-sms-id'), sent.id);
    assert.equal(parsed.headers.get('x-dizi-sms-direction'), 'out');
    assert.equal(parsed.from?.value[0].address, LI);
    assert.equal(parsed.from?.value[0].name, 'Li Lei');
    assert.equal(
      (parsed.to as { value: Array<{ address: string }> }).value[0].address,
      `${WANG_PHONE}@sms.mx.dizi.test`,
    );
    assert.equal(parsed.text?.trim(), '明天上午十点开会，别忘了带合同。');
    assert.ok(Math.abs(parsed.date!.getTime() - Date.parse(sent.createdAt)) < 2000);
  });

  test('MO from the bound phone is kept; commands, alerts and codes are not', async () => {
    const before = (await smsFolder(LI)).length;
    await ismg.injectMo({
      from: `86${LI_PHONE}`,
      to: '1065888801',
      content: iconv.encode('路上堵车，晚到十分钟', 'utf16-be'),
      msgFmt: 8,
    });
    await ismg.injectMo({
      from: LI_PHONE,
      to: '1065888801',
      content: Buffer.from('HELP'),
      msgFmt: 0,
    });
    const help = await waitUntil(() => submitsTo(LI_PHONE)[0], 'the help answer');
    assert.ok(help);
    // An alert to Li, and a binding code: neither goes into the folder.
    await dizi.services.notify.rules.add(LI, {});
    const wire = await SmtpWire.connect(dizi.smtpPort);
    await wire.command('EHLO favourites.test');
    await wire.sendMail('boss@example.cn', [LI], 'Subject: report\r\n\r\nthe report is due\r\n');
    await wire.quit();
    await waitUntil(() => submitsTo(LI_PHONE).length >= 2, 'the alert SMS');
    // (A third user: a code request re-binds, and Wang keeps his phone.)
    await dizi.addUser('zhao@favourites.test');
    await dizi.services.notify.phones.requestCode('zhao@favourites.test', '13800138299');
    await waitUntil(() => submitsTo('13800138299')[0], 'the code SMS');
    await waitUntil(async () => (await smsFolder(LI)).length >= before + 1, 'the MO in the folder');
    await dizi.services.notify.alerts.followNow();
    await dizi.services.notify.settled();
    const list = await smsFolder(LI);
    assert.deepEqual(
      list.slice(before).map((m) => m.subject),
      ['路上堵车，晚到十分钟'],
      'only the MO text: not the help command, its answer, nor the alert',
    );
    const raw = (await dizi.services.blobs.read(list[before].blobId)).toString();
    assert.match(raw, new RegExp(`^From: Li Lei <${LI_PHONE}@sms\\.mx\\.dizi\\.test>`, 'm'));
    assert.match(raw, /^X-Dizi-Sms-Direction: in/m);
    assert.equal((await smsFolder('zhao@favourites.test')).length, 0, 'no code SMS copy');
    assert.equal((await smsFolder(WANG)).length, 1, 'nothing new for Wang');
  });

  test('the folder over IMAP: listed, fetched, and pushed to an IDLE session', async () => {
    const imap = imapFor(WANG);
    await imap.connect();
    try {
      const folders = await imap.list();
      const sms = folders.find((f) => f.path === 'SMS');
      assert.ok(sms, `folders: ${folders.map((f) => f.path).join(', ')}`);
      assert.ok(sms.subscribed);
      await imap.mailboxOpen('SMS');
      const first = await imap.fetchOne('1', { envelope: true, source: true });
      assert.ok(first);
      assert.equal(first.envelope?.from?.[0]?.address, LI);
      assert.equal(first.envelope?.subject, '明天上午十点开会，别忘了带合同。');
      assert.match(first.source!.toString(), /^X-Dizi-Sms-Id: \w+/im);

      // Another SMS to Wang's phone (an admin's, with no user): Wang's session is told.
      const exists = new Promise<number>((resolve) =>
        imap.on('exists', (e: { count: number }) => resolve(e.count)),
      );
      const idling = imap.idle();
      while (!imap.idling) await new Promise((r) => setTimeout(r, 10));
      await dizi.services.sms.send({ to: WANG_PHONE, text: 'Server maintenance at 22:00' });
      const count = await Promise.race([
        exists,
        new Promise<number>((_, reject) =>
          setTimeout(() => reject(new Error('no EXISTS while idling')), 15_000),
        ),
      ]);
      assert.equal(count, 2);
      const second = await imap.fetchOne('2', { envelope: true });
      await idling.catch(() => undefined);
      assert.equal(second && second.envelope?.subject, 'Server maintenance at 22:00');
      assert.equal(second && second.envelope?.from?.[0]?.address, 'sms@sms.mx.dizi.test');
    } finally {
      await imap.logout();
    }
  });

  test("Python's imaplib reads the same folder", async () => {
    const r = await python(`
import imaplib, email, ssl
from email.header import decode_header
m = imaplib.IMAP4('127.0.0.1', ${dizi.imapPort})
m.starttls(ssl_context=ssl._create_unverified_context())
m.login('${LI}', 'password123')
typ, boxes = m.list()
assert any(b'"SMS"' in b or b' SMS' in b for b in boxes), boxes
typ, data = m.select('SMS', readonly=True)
n = int(data[0])
typ, msg = m.fetch('1', '(RFC822)')
e = email.message_from_bytes(msg[0][1])
subject = ''.join(p.decode(c or 'utf-8') if isinstance(p, bytes) else p for p, c in decode_header(e['Subject']))
print(n, e['X-Dizi-Sms-Direction'], subject)
m.logout()
`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /^2 out 明天上午十点开会，别忘了带合同。$/);
  });
});
