import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CmppIsmgSimulator } from '../peers/cmpp-ismg';
import { rows } from '@dizi/store';
import { cmppTestLink, startTestIsmg } from '../support/cmpp-test-link';
import { DiziHarness } from '../support/dizi-harness';

const CLI = path.resolve(__dirname, '../../../apps/cli/bin/dizi.js');
const USER = 'zhao@sched.test';
const PHONE = '13811112222';

// Scheduled SMS and reminders (H7): delayed jobs that survive a restart of the server
// (the private Redis is new after it: the SMS rows in SQL are the schedule), reminders
// to the user's own phone, once or repeating, and calling either off before its time.
describe('scheduled SMS and reminders', () => {
  let dizi: DiziHarness;
  let ismg: CmppIsmgSimulator;

  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${dizi.httpPort}${url}`, {
      method,
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const submitsTo = (number: string, text?: string) =>
    ismg.submits.filter(
      (s) =>
        s.submit.destTerminalIds.includes(number) &&
        (text === undefined || decoded(s.submit.msgContent, s.submit.msgFmt).includes(text)),
    );
  const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };

  before(async () => {
    ismg = await startTestIsmg();
    dizi = await DiziHarness.start({
      config: {
        notify: { reminderCheckSeconds: 1, timeZone: 'Asia/Shanghai' },
        links: [cmppTestLink(ismg)],
      },
    });
    await dizi.addUser(USER);
    assert.equal(
      (await api('PUT', `/api/admin/users/${USER}/phone`, { number: PHONE })).status,
      200,
    );
    await ismg.waitFor(() => ismg.logins.some((l) => l.status === 0), 5000, 'CMPP login');
  });
  after(async () => {
    await dizi.stop();
    await ismg.close();
  });

  test('a scheduled SMS still goes out, once and on time, after a restart', async () => {
    const at = Date.now() + 4000;
    const r = await api('POST', '/api/sms', {
      to: '13900001111',
      text: '定时短信：重启以后照样发出',
      at: new Date(at).toISOString(),
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    dizi = await dizi.restart();
    await ismg.waitFor(() => ismg.logins.filter((l) => l.status === 0).length >= 2, 5000, 'login');
    assert.equal(submitsTo('13900001111').length, 0, 'not before its time');
    await waitFor('the scheduled SMS', () => submitsTo('13900001111').length > 0, 15_000);
    const sentAt = Date.now();
    assert.ok(sentAt >= at - 100, `sent ${at - sentAt} ms early`);
    await waitFor(
      'delivered',
      async () => (await api('GET', `/api/sms/${String(r.body.id)}`)).body.status === 'delivered',
    );
    await sleep(500);
    assert.equal(submitsTo('13900001111').length, 1, 'sent once');
  });

  test('a scheduled SMS can be cancelled before its time, not after', async () => {
    const r = await api('POST', '/api/sms', {
      to: '13900002222',
      text: 'never sent',
      at: new Date(Date.now() + 1500).toISOString(),
    });
    const cancelled = await api('DELETE', `/api/sms/${String(r.body.id)}`);
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.status, 'cancelled');
    const again = await api('DELETE', `/api/sms/${String(r.body.id)}`);
    assert.equal(again.status, 409);
    assert.match(String(again.body.message), /cancelled; only a queued SMS/);
    await sleep(2500);
    assert.equal(submitsTo('13900002222').length, 0, 'a cancelled SMS never reaches the carrier');
    assert.equal((await api('DELETE', '/api/sms/nope')).status, 404);
  });

  test('a reminder reaches the bound phone at its time; a daily one moves on a day', async () => {
    const at = new Date(Date.now() + 2000);
    const once = await api('POST', `/api/admin/users/${USER}/reminders`, {
      at: at.toISOString(),
      text: '下午三点项目评审',
    });
    assert.equal(once.status, 201, JSON.stringify(once.body));
    const daily = await api('POST', `/api/admin/users/${USER}/reminders`, {
      at: at.toISOString(),
      text: '每天吃药',
      repeat: 'daily',
    });
    assert.equal(daily.status, 201);
    await waitFor('both reminders', () => submitsTo(PHONE).length >= 2, 10_000);
    assert.ok(Date.now() >= at.getTime() - 100, 'not before their time');
    const texts = submitsTo(PHONE).map((s) => decoded(s.submit.msgContent, s.submit.msgFmt));
    assert.ok(texts.includes('下午三点项目评审'), texts.join(' | '));
    assert.ok(texts.includes('每天吃药'), texts.join(' | '));
    const list = (await api('GET', `/api/admin/users/${USER}/reminders`)).body as unknown as Array<{
      id: number;
      nextAt: string | null;
      sent: number;
      repeat: string;
    }>;
    const o = list.find((x) => x.id === once.body.id)!;
    const d = list.find((x) => x.id === daily.body.id)!;
    assert.equal(o.nextAt, null, 'a one-off reminder is done');
    assert.equal(o.sent, 1);
    assert.equal(d.sent, 1);
    assert.equal(Date.parse(d.nextAt!) - at.getTime(), 86_400_000, 'same time tomorrow');
    // The SMS rows are the user's (usage records) and say they are reminders.
    const sent = await dizi.services.db.run((m) =>
      rows<{ purpose: string; user_id: number | null }>(
        m,
        'SELECT purpose, user_id FROM sms_messages WHERE to_number = ?',
        [PHONE],
      ),
    );
    assert.equal(sent.length, 2);
    assert.ok(sent.every((x) => x.purpose === 'reminder' && x.user_id !== null));
  });

  test('removing a reminder calls off its SMS already queued', async () => {
    const r = await api('POST', `/api/admin/users/${USER}/reminders`, {
      at: new Date(Date.now() + 1200).toISOString(),
      text: 'removed before its time',
    });
    assert.equal(r.status, 201);
    assert.ok(r.body.pendingSmsId, 'queued at once: due within the look-ahead');
    assert.equal(
      (await api('DELETE', `/api/admin/users/${USER}/reminders/${String(r.body.id)}`)).status,
      204,
    );
    assert.equal(
      (await api('GET', `/api/sms/${String(r.body.pendingSmsId)}`)).body.status,
      'cancelled',
    );
    await sleep(2000);
    assert.equal(submitsTo(PHONE, 'removed before').length, 0);
  });

  test('bad reminders are refused with the field named', async () => {
    const url = `/api/admin/users/${USER}/reminders`;
    const soon = new Date(Date.now() + 60_000).toISOString();
    const cases: Array<[unknown, string]> = [
      [{ text: 'x' }, 'at'],
      [{ at: 'tomorrow', text: 'x' }, 'at'],
      [{ at: soon, text: '' }, 'text'],
      [{ at: soon, text: 'x', repeat: 'hourly' }, 'repeat'],
      [{ at: '2020-01-01T00:00:00Z', text: 'x' }, 'at'],
    ];
    for (const [body, field] of cases) {
      const r = await api('POST', url, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(JSON.stringify(r.body), new RegExp(field), JSON.stringify(r.body));
    }
    await dizi.addUser('nophone@sched.test');
    const r = await api('POST', '/api/admin/users/nophone@sched.test/reminders', {
      at: soon,
      text: 'x',
    });
    assert.equal(r.status, 409);
    assert.match(String(r.body.message), /no confirmed phone/);
    assert.equal(
      (await api('POST', '/api/admin/users/ghost@sched.test/reminders', { at: soon, text: 'x' }))
        .status,
      404,
    );
  });

  test('dizi reminder add, list and remove', async () => {
    const env = {
      ...process.env,
      DIZI_DATA: dizi.config.dataDir,
      DATABASE_URL: dizi.databaseUrl,
      DIZI_LOG_LEVEL: 'silent',
    };
    const run = (...args: string[]) =>
      new Promise<{ code: number; out: string }>((resolve) =>
        execFile(process.execPath, [CLI, ...args], { env }, (e, out, err) =>
          resolve({ code: e ? Number(e.code ?? 1) : 0, out: out + err }),
        ),
      );
    const at = '2030-01-31T08:00:00+08:00';
    const add = await run('reminder', 'add', USER, '月底交报告', '--at', at, '--repeat', 'monthly');
    assert.equal(add.code, 0, add.out);
    const id = /reminder (\d+) for/.exec(add.out)?.[1];
    assert.ok(id, add.out);
    assert.match(add.out, /2030-01-31T00:00:00.000Z, then monthly/);
    const list = await run('reminder', 'list', USER);
    assert.match(
      list.out,
      new RegExp(`${id}\\t2030-01-31T00:00:00.000Z\\tmonthly\\tsent 0\\t月底交报告`),
    );
    const bad = await run('reminder', 'add', USER, 'x', '--at', 'soon');
    assert.equal(bad.code, 2, bad.out);
    assert.match(bad.out, /at must be an ISO 8601 time/);
    assert.equal((await run('reminder', 'remove', USER, id!)).code, 0);
    assert.doesNotMatch((await run('reminder', 'list', USER)).out, /月底交报告/);
  });
});

function decoded(content: Buffer, msgFmt: number): string {
  if (msgFmt === 8) {
    const swapped = Buffer.from(content);
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return content.toString('latin1');
}
