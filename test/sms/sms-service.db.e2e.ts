import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { cmppTestLink, startTestIsmg } from '../support/cmpp-test-link';
import { DiziHarness } from '../support/dizi-harness';
import { CmppIsmgSimulator } from '../peers/cmpp-ismg';
import { AtModemSimulator } from '../peers/at-modem';

const CLI = path.resolve(__dirname, '../../../apps/cli/bin/dizi.js');

// The SMS service inside a running server: every SMS a row, sent through the BullMQ
// queue and the router to the CMPP simulator, reports matched, MO stored, failover to
// a pool of simulated GSM modems when the CMPP link dies.
describe('SMS through the server', () => {
  let dizi: DiziHarness;
  let ismg: CmppIsmgSimulator;
  let modems: AtModemSimulator[];

  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${dizi.httpPort}${url}`, {
      method,
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const waitStatus = async (id: string, want: string, timeoutMs = 8000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await api('GET', `/api/sms/${id}`);
      if (r.body.status === want) return r.body;
      if (Date.now() > deadline)
        throw new Error(
          `SMS ${id} is ${String(r.body.status)} (${String(r.body.error)}), not ${want}`,
        );
      await sleep(50);
    }
  };

  before(async () => {
    ismg = await startTestIsmg();
    modems = await Promise.all(
      [1, 2].map(() => AtModemSimulator.start({ sendMs: 20, autoReportMs: 10 })),
    );
    dizi = await DiziHarness.start({
      config: {
        links: [
          cmppTestLink(ismg, { priority: 1, responseTimeoutMs: 2000, resumeTimeoutMs: 1000 }),
          {
            id: 'modems',
            kind: 'modem-pool',
            priority: 5,
            sendIntervalMs: 20,
            commandTimeoutMs: 600,
            sendTimeoutMs: 1000,
            reconnectMinMs: 100,
            reconnectMaxMs: 300,
            resumeTimeoutMs: 800,
            maxAttempts: 1,
            modems: modems.map((m, i) => ({ id: `m${i + 1}`, path: m.linkPath })),
          },
        ],
      },
    });
    await ismg.waitFor(() => ismg.logins.some((l) => l.status === 0), 5000, 'CMPP login');
  });
  after(async () => {
    await dizi.stop();
    await ismg.close();
    for (const m of modems) await m.close();
  });

  test('POST /api/sms sends through CMPP; the report makes it delivered', async () => {
    const r = await api('POST', '/api/sms', {
      to: '13800138000',
      text: '您有一封新邮件：会议通知',
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.status, 'queued');
    const done = await waitStatus(String(r.body.id), 'delivered');
    assert.equal(done.linkId, 'cm-1');
    const segs = done.segments as Array<{ status: string; carrierId: string }>;
    assert.equal(segs.length, 1);
    assert.equal(segs[0].status, 'delivered');
    const got = ismg.submits.find((s) => s.submit.destTerminalIds.includes('13800138000'));
    assert.ok(got, 'the ISMG received the SUBMIT');
  });

  test('a long Chinese text goes out in segments, each matched to its report', async () => {
    const text = '这是一条很长的短信，'.repeat(12);
    const r = await api('POST', '/api/sms', { to: '13900139000', text });
    const done = await waitStatus(String(r.body.id), 'delivered');
    assert.ok((done.segments as unknown[]).length >= 2);
  });

  test('bad input: invalid number, empty text, unknown id', async () => {
    const bad = await api('POST', '/api/sms', { to: 'abc', text: 'x' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'to');
    const empty = await api('POST', '/api/sms', { to: '13800138000', text: '   ' });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.field, 'text');
    assert.equal((await api('GET', '/api/sms/nope')).status, 404);
  });

  test('an MO message becomes an inbound row', async () => {
    await ismg.injectMo({
      from: '13912345678',
      to: '1065888801',
      content: Buffer.from('HELLO DIZI'),
      msgFmt: 0,
    });
    const deadline = Date.now() + 5000;
    let found = false;
    while (!found && Date.now() < deadline) {
      const rows = await dizi.services.db.run((m) =>
        m.query(
          "SELECT * FROM sms_messages WHERE direction = 'in' AND from_number = '13912345678'",
        ),
      );
      found = (rows as unknown[]).length > 0;
      if (!found) await sleep(50);
    }
    assert.ok(found, 'the MO was stored');
  });

  test('the admin API shows the links with their state', async () => {
    const r = await fetch(`http://127.0.0.1:${dizi.httpPort}/api/admin/links`, {
      headers: { authorization: 'Bearer test-admin-token' },
    });
    const links = (await r.json()) as Array<{ id: string; state: string }>;
    assert.deepEqual(
      links.map((l) => [l.id, l.state]),
      [
        ['cm-1', 'up'],
        ['modems', 'up'],
      ],
    );
  });

  test('dizi sms send and dizi link list work against the running server', async () => {
    const env = {
      ...process.env,
      DIZI_DATA: dizi.config.dataDir,
      DATABASE_URL: dizi.databaseUrl,
      DIZI_LOG_LEVEL: 'silent',
    };
    const run = (...args: string[]) =>
      new Promise<string>((resolve) =>
        execFile(process.execPath, [CLI, ...args], { env }, (_e, out, err) => resolve(out + err)),
      );
    const out = await run('sms', 'send', '--to', '13700137000', 'from the command line');
    const id = /SMS (\w+) queued/.exec(out)?.[1];
    assert.ok(id, out);
    await waitStatus(id!, 'delivered');
    const links = await run('link', 'list');
    assert.match(links, /cm-1\tcmpp\tup/);
    assert.match(links, /modems\tmodem-pool\tup/);
  });

  test('when the CMPP link dies, SMS fail over to the modem pool within 2 s', async () => {
    await ismg.close(); // the ISMG goes away: connection refused from now on
    const started = Date.now();
    const r = await api('POST', '/api/sms', { to: '13600136000', text: 'failover test' });
    const done = await waitStatus(String(r.body.id), 'delivered', 5000);
    assert.equal(done.linkId, 'modems');
    assert.ok(Date.now() - started < 2000, `sent after ${Date.now() - started} ms`);
    assert.ok(modems.some((m) => m.submits.length > 0));
  });

  test('a scheduled SMS waits for its time', async () => {
    const at = new Date(Date.now() + 1500).toISOString();
    const r = await api('POST', '/api/sms', { to: '13500135000', text: 'later', at });
    await sleep(500);
    assert.equal((await api('GET', `/api/sms/${String(r.body.id)}`)).body.status, 'queued');
    await waitStatus(String(r.body.id), 'delivered', 6000);
  });
});
