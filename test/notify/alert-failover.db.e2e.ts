import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer, { type Transporter } from 'nodemailer';
import { CmppIsmgSimulator } from '../peers/cmpp-ismg';
import { AtModemSimulator } from '../peers/at-modem';
import { cmppTestLink, startTestIsmg } from '../support/cmpp-test-link';
import { DiziHarness } from '../support/dizi-harness';
import { waitUntil } from '../support/smtp-wire';

const USER = 'qian@failover.test';
const PHONE = '13800138009';

// "Killing the CMPP link moves alerts to the modem pool" (issue 5): arrival alerts go
// through the same router as every SMS, so when the carrier link dies they reach the
// phone over the GSM modems, with the same text.
describe('arrival alerts fail over from CMPP to the modem pool', () => {
  let dizi: DiziHarness;
  let ismg: CmppIsmgSimulator;
  let modems: AtModemSimulator[];
  let smtp: Transporter;

  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${dizi.httpPort}${url}`, {
      method,
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as unknown };
  };
  const history = async () =>
    (await api('GET', `/api/admin/users/${USER}/alerts/history`)).body as Array<{
      state: string;
      text: string;
      smsId: string | null;
    }>;
  const sms = async (id: string) =>
    (await api('GET', `/api/sms/${id}`)).body as { status: string; linkId: string | null };
  const mail = (subject: string) =>
    smtp.sendMail({
      envelope: { from: 'boss@example.cn', to: [USER] },
      raw: [
        'From: Boss <boss@example.cn>',
        `To: ${USER}`,
        `Subject: ${subject}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-8',
        '',
        `${subject}: please call back.`,
        '',
      ].join('\r\n'),
    });

  before(async () => {
    ismg = await startTestIsmg();
    modems = await Promise.all(
      [1, 2].map(() => AtModemSimulator.start({ sendMs: 20, autoReportMs: 10 })),
    );
    dizi = await DiziHarness.start({
      config: {
        notify: { timeZone: 'Asia/Shanghai' },
        links: [
          cmppTestLink(ismg, { priority: 1, responseTimeoutMs: 2000 }),
          {
            id: 'modems',
            kind: 'modem-pool',
            priority: 5,
            sendIntervalMs: 20,
            commandTimeoutMs: 600,
            sendTimeoutMs: 1000,
            reconnectMinMs: 100,
            reconnectMaxMs: 300,
            maxAttempts: 1,
            modems: modems.map((m, i) => ({ id: `m${i + 1}`, path: m.linkPath })),
          },
        ],
      },
    });
    smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port: dizi.smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    await dizi.addUser(USER);
    assert.equal(
      (await api('PUT', `/api/admin/users/${USER}/phone`, { number: PHONE })).status,
      200,
    );
    assert.equal((await api('POST', `/api/admin/users/${USER}/alerts`, {})).status, 201);
    await ismg.waitFor(() => ismg.logins.some((l) => l.status === 0), 5000, 'CMPP login');
  });
  after(async () => {
    smtp?.close();
    await dizi?.stop();
    await ismg?.close().catch(() => undefined);
    for (const m of modems ?? []) await m.close();
  });

  test('while CMPP is up the alert goes through it', async () => {
    await mail('Budget meeting');
    await waitUntil(async () => (await history()).some((a) => a.smsId), 'the first alert');
    const [first] = await history();
    await waitUntil(async () => (await sms(first.smsId!)).status === 'delivered', 'delivered');
    assert.equal((await sms(first.smsId!)).linkId, 'cm-1');
    assert.ok(ismg.submits.some((s) => s.submit.destTerminalIds.includes(PHONE)));
    assert.equal(
      modems.reduce((n, m) => n + m.submits.length, 0),
      0,
      'no modem used yet',
    );
  });

  test('with the ISMG gone, the next alert reaches the phone through a modem', async () => {
    await ismg.close(); // the carrier link dies: connection refused from now on
    await mail('Server room on fire');
    await waitUntil(
      async () => (await history()).filter((a) => a.smsId).length >= 2,
      'the second alert',
    );
    const [second] = await history(); // newest first
    assert.match(second.text, /Server room on fire/);
    await waitUntil(
      async () => (await sms(second.smsId!)).status === 'delivered',
      'the alert delivered over the modem pool',
      10_000,
    );
    assert.equal((await sms(second.smsId!)).linkId, 'modems');
    const viaModem = modems
      .flatMap((m) => m.submits)
      .filter((s) => s.submit.destination.endsWith(PHONE));
    assert.equal(viaModem.length, 1, 'exactly one SMS over the modems');
    assert.match(viaModem[0].submit.userData.text, /Server room on fire/);
  });
});
