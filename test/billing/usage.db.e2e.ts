import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import nodemailer, { type Transporter } from 'nodemailer';
import { QueueAdmin, startAdminHttp } from '@dizi/admin';
import { localDay } from '@dizi/billing';
import { createLogger } from '@dizi/logging';
import { rows, UsageRepository } from '@dizi/store';
import { CmppIsmgSimulator } from '../peers/cmpp-ismg';
import { cmppTestLink, startTestIsmg } from '../support/cmpp-test-link';
import { DiziHarness } from '../support/dizi-harness';
import { waitUntil } from '../support/smtp-wire';

const CLI = path.resolve(__dirname, '../../../apps/cli/bin/dizi.js');
const TZ = 'Asia/Shanghai';
const MB = 1_048_576;

const LI = 'li@bill.test';
const LI_PHONE = '13800138001';
const WANG = 'wang@bill.test';
const ZHAO = 'zhao@other.test';
const API_PHONES = ['13900000001', '13900000002', '13900000003'];

interface RecordJson {
  id: number;
  time: string;
  service: string;
  purpose: string;
  user: string;
  domain: string;
  quantity: number;
  unit: string;
  ref: string;
}
interface TotalsJson {
  from: string;
  to: string;
  by: string;
  rows: Array<{
    user?: string;
    domain: string;
    plan: string;
    currency: string;
    smsSegments: number;
    alerts: number;
    storageMbDays: number;
    trafficInBytes: number;
    trafficOutBytes: number;
    periods: number;
    amounts: Record<string, number>;
    total: number;
  }>;
}

/** CSV lines to objects by the header line (the export quotes nothing it need not). */
function parseCsv(text: string): Array<Record<string, string>> {
  const lines = text.split('\r\n').filter(Boolean);
  const head = lines[0].split(',');
  return lines.slice(1).map((l) => {
    assert.ok(!l.includes('"'), l);
    const cells = l.split(',');
    return Object.fromEntries(head.map((h, i) => [h, cells[i]]));
  });
}

/** Amounts in micros, rounded half up like the rating (positive values only). */
const perMb = (bytes: number, microsPerMb: number) => Math.round((bytes * microsPerMb) / MB);

// H16 acceptance: SMS (short and long), an arrival alert and SMTP mail in and out go
// through a running server and the CMPP simulator; the usage export (REST CSV and
// JSON, and the CLI) and the rated totals match exactly what the simulator received
// and what was delivered. The storage-day job records once per user and day across
// runs and nodes; a clean stop of a node writes what it had buffered; bad queries get
// 400 naming the field.
describe('usage records and billing', () => {
  let dizi: DiziHarness;
  let ismg: CmppIsmgSimulator;
  let http: { port: number; close: () => Promise<void> };
  let mx: Transporter;
  let period: { from: string; to: string };
  /** Calendar months the period touches: the monthly fee counts each. */
  let months: number;
  const apiSms: Array<{ id: string; to: string }> = [];
  /** The settings file the CLI reads: the billing settings of the server. */
  let cliConfig: string;

  const api = async (method: string, url: string, body?: unknown, auth = true) => {
    const res = await fetch(`http://127.0.0.1:${http.port}${url}`, {
      method,
      headers: {
        ...(auth ? { authorization: 'Bearer test-admin-token' } : {}),
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      text: await res.text(),
    };
  };
  const json = <T>(r: { status: number; text: string }): T => {
    assert.equal(r.status, 200, r.text);
    return JSON.parse(r.text) as T;
  };
  const query = (extra: Record<string, string> = {}) =>
    new URLSearchParams({ ...period, ...extra }).toString();
  const cli = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) =>
      execFile(
        process.execPath,
        [CLI, ...args],
        {
          env: {
            ...process.env,
            DIZI_CONFIG: cliConfig,
            DIZI_DATA: dizi.config.dataDir,
            DATABASE_URL: dizi.databaseUrl,
            DIZI_LOG_LEVEL: 'silent',
          },
          maxBuffer: 64 * 1024 * 1024,
        },
        (e, out, err) => resolve({ code: e ? Number(e.code ?? 1) : 0, out, err }),
      ),
    );
  /** Segments the ISMG accepted for a number (one SUBMIT per segment). */
  const submitsTo = (number: string) =>
    ismg.submits.filter((s) => s.result === 0 && s.submit.destTerminalIds.includes(number));
  const accepted = () => ismg.submits.filter((s) => s.result === 0);
  /** Everything handed over so far is decided and every queued SMS reached the ISMG. */
  const settle = async () => {
    await dizi.services.processor.idle();
    await dizi.services.notify.alerts.idle();
    await waitUntil(async () => {
      const left = await dizi.services.db.run((m) =>
        rows<{ n: unknown }>(
          m,
          "SELECT COUNT(*) AS n FROM sms_messages WHERE direction = 'out' AND status IN ('queued', 'sending')",
        ),
      );
      return Number(left[0].n) === 0;
    }, 'the SMS queue to drain');
  };
  const exportJson = async () =>
    json<{ from: string; to: string; records: RecordJson[] }>(
      await api('GET', `/api/admin/usage?${query({ format: 'json' })}`),
    ).records;
  const inboxBytes = async (address: string) =>
    (await dizi.messages(address)).reduce((n, m) => n + m.size, 0);

  before(async () => {
    ismg = await startTestIsmg();
    dizi = await DiziHarness.start({
      config: {
        notify: { timeZone: TZ, alertSegments: 3 },
        // Long enough that nothing is written by the timer while a test looks: the REST
        // API writes this node's buffer before answering, a clean stop writes it too.
        usage: { flushIntervalMs: 60_000, defaultPlan: 'standard' },
        links: [cmppTestLink(ismg)],
      },
    });
    // An admin API of its own, as apps/server/src/main.ts builds it.
    const s = dizi.services;
    http = await startAdminHttp(
      {
        directory: s.directory,
        queue: new QueueAdmin(s.outboundRepo, s.blobs, s.outbound),
        auth: { token: 'test-admin-token' },
        sms: s.sms,
        smsLinks: s.smsLinks,
        notify: s.notify,
        billing: s.billing,
        linkAdmin: s.linkAdmin,
        log: createLogger('silent'),
      },
      0,
      '127.0.0.1',
    );
    cliConfig = path.join(dizi.config.dataDir, 'dizi-cli.json');
    writeFileSync(
      cliConfig,
      JSON.stringify({ notify: { timeZone: TZ }, usage: { defaultPlan: 'standard' } }),
    );
    mx = nodemailer.createTransport({
      host: '127.0.0.1',
      port: dizi.smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    for (const u of [LI, WANG, ZHAO]) await dizi.addUser(u);
    // Today and tomorrow (local): every act of this file falls in it, even across midnight.
    const now = Date.now();
    period = { from: localDay(now, TZ), to: localDay(now + 86_400_000, TZ) };
    months = period.from.slice(0, 7) === period.to.slice(0, 7) ? 1 : 2;
    await ismg.waitFor(() => ismg.logins.some((l) => l.status === 0), 5000, 'CMPP login');
  });
  after(async () => {
    mx?.close();
    await http?.close();
    await dizi?.stop();
    await ismg?.close();
  });

  test('plans through REST and the CLI', async () => {
    let r = await api('PUT', '/api/admin/plans/basic', {
      smsSegment: '0.10',
      alert: '0.05',
      storageMbDay: '0.001',
      trafficMb: 0.02,
      periodFee: '5',
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(JSON.parse(r.text).smsSegment, '0.1');
    r = await api('PUT', '/api/admin/plans/vip', {
      smsSegment: '0.08',
      trafficMb: '0.01',
      periodFee: '10',
      period: 'month',
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(
      (await api('PUT', '/api/admin/domains/bill.test/plan', { plan: 'basic' })).status,
      204,
    );
    assert.equal((await api('PUT', `/api/admin/users/${WANG}/plan`, { plan: 'vip' })).status, 204);

    let c = await cli('plan', 'add', 'standard', '--fee', '2', '--currency', 'cny');
    assert.equal(c.code, 0, c.err);
    assert.match(c.out, /plan standard added: CNY: .*fee 2\/month/);
    c = await cli('plan', 'add', 'cheap', '--sms', 'abc');
    assert.equal(c.code, 2);
    assert.match(c.err, /smsSegment must be an amount like 0\.10/);
    c = await cli('plan', 'assign', 'nope', '--domain', 'bill.test');
    assert.equal(c.code, 3);
    assert.match(c.err, /no plan nope/);
    c = await cli('plan', 'assign', 'vip', '--domain', 'bill.test', '--user', LI);
    assert.equal(c.code, 2);
    assert.match(c.err, /either --domain or --user/);
    c = await cli('plan', 'assign', 'standard', '--user', ZHAO);
    assert.equal(c.code, 0, c.err);
    c = await cli('plan', 'unassign', '--user', ZHAO); // back to the default plan
    assert.equal(c.code, 0, c.err);
    c = await cli('plan', 'list');
    assert.match(c.out, /^basic\tCNY: sms 0\.1\/segment, mms 0, alert 0\.05, .*\tfor bill\.test$/m);
    assert.match(c.out, /^vip\t.*fee 10\/month\tfor wang@bill\.test$/m);
    assert.match(c.out, /^standard\t[^\t]*$/m, 'assigned to no one');

    const plans = JSON.parse((await api('GET', '/api/admin/plans')).text) as Array<{
      name: string;
      domains: string[];
      users: string[];
    }>;
    assert.deepEqual(
      plans.map((p) => [p.name, p.domains, p.users]),
      [
        ['basic', ['bill.test'], []],
        ['standard', [], []],
        ['vip', [], [WANG]],
      ],
    );
  });

  test('SMS short and long, an arrival alert, and SMTP mail in and out', async () => {
    // An alert rule for li: mail from example.cn, up to 3 segments (notify.alertSegments).
    assert.equal(
      (await api('PUT', `/api/admin/users/${LI}/phone`, { number: LI_PHONE })).status,
      200,
    );
    assert.equal(
      (await api('POST', `/api/admin/users/${LI}/alerts`, { senders: ['@example.cn'] })).status,
      201,
    );
    // SMS through the API (no user): 1, 2 (GSM, 200 characters) and 3 segments (UCS-2).
    const texts = ['hello', 'x'.repeat(200), '通知'.repeat(75)];
    for (const [i, text] of texts.entries()) {
      const r = await api('POST', '/api/sms', { to: API_PHONES[i], text });
      assert.equal(r.status, 201, r.text);
      apiSms.push({ id: (JSON.parse(r.text) as { id: string }).id, to: API_PHONES[i] });
    }
    // Mail by SMTP: a long one and a short one alert li; one for zhao alerts nobody.
    await mx.sendMail({
      envelope: { from: 'zhang@example.cn', to: [LI] },
      raw: `From: zhang@example.cn\r\nTo: ${LI}\r\nSubject: 季度报告\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n${'本季度的销售额比去年同期增长了百分之二十。'.repeat(20)}\r\n`,
    });
    await mx.sendMail({
      envelope: { from: 'zhang@example.cn', to: [LI] },
      raw: `From: zhang@example.cn\r\nTo: ${LI}\r\nSubject: hi\r\n\r\nlunch?\r\n`,
    });
    await mx.sendMail({
      envelope: { from: 'someone@elsewhere.test', to: [ZHAO] },
      raw: `From: someone@elsewhere.test\r\nTo: ${ZHAO}\r\nSubject: hello\r\n\r\n${'a line of text\r\n'.repeat(200)}`,
    });
    // Submission by wang (authenticated) to zhao and li: traffic-out once, traffic-in twice.
    const submission = nodemailer.createTransport({
      host: '127.0.0.1',
      port: dizi.submissionPort,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: WANG, pass: 'password123' },
    });
    await submission.sendMail({
      envelope: { from: WANG, to: [ZHAO, LI] },
      raw: `From: ${WANG}\r\nTo: ${ZHAO}, ${LI}\r\nSubject: from wang\r\n\r\n${'report data\r\n'.repeat(500)}`,
    });
    submission.close();
    await dizi.waitForMessages(LI, 3);
    await dizi.waitForMessages(ZHAO, 2);
    await settle();
    // An alert row follows its SMS in batches (decided, then queued once the SMS row is
    // there): wait for both to have gone out rather than read them once.
    await waitUntil(async () => {
      const alerts = JSON.parse(
        (await api('GET', `/api/admin/users/${LI}/alerts/history`)).text,
      ) as Array<{ state: string }>;
      return (
        alerts.length === 2 &&
        alerts.every((a) => ['queued', 'submitted', 'delivered'].includes(a.state))
      );
    }, 'both alerts gone out');
    await waitUntil(() => submitsTo(LI_PHONE).length >= 2, 'the alert SUBMITs', 8000);
    assert.ok(submitsTo(LI_PHONE).length > 2, 'the long alert went out in several segments');
    assert.deepEqual(
      API_PHONES.map((n) => submitsTo(n).length),
      [1, 2, 3],
    );
  });

  test('the export (REST JSON and CSV) matches what the ISMG received and what was delivered', async () => {
    // The records of the last submits may trail their SUBMIT_RESP by a moment: wait until
    // the export has as many segments as the ISMG took, then compare everything exactly.
    let records: RecordJson[] = [];
    const sum = (list: RecordJson[]) => list.reduce((n, r) => n + r.quantity, 0);
    await waitUntil(
      async () => {
        records = await exportJson();
        return sum(records.filter((r) => r.service === 'sms')) >= accepted().length;
      },
      'the SMS records',
      8000,
    );
    const of = (service: string, user?: string) =>
      records.filter((r) => r.service === service && (user === undefined || r.user === user));

    const sms = of('sms');
    assert.equal(sum(sms), accepted().length, 'every segment the ISMG accepted, no more');
    for (const a of apiSms) {
      const r = sms.find((x) => x.ref === a.id);
      assert.ok(r, `a record for SMS ${a.id}`);
      assert.deepEqual(
        [r.quantity, r.user, r.domain, r.purpose, r.unit],
        [submitsTo(a.to).length, '', '', 'api', 'segment'],
      );
    }
    const alertSms = sms.filter((r) => r.purpose === 'alert');
    assert.equal(alertSms.length, 2);
    assert.ok(alertSms.every((r) => r.user === LI && r.domain === 'bill.test'));
    assert.equal(sum(alertSms), submitsTo(LI_PHONE).length);
    assert.equal(sms.length, apiSms.length + 2, 'one record per SMS');
    assert.deepEqual(
      of('alert').map((r) => [r.user, r.quantity, r.unit]),
      [
        [LI, 1, 'alert'],
        [LI, 1, 'alert'],
      ],
    );
    assert.deepEqual(
      of('alert')
        .map((r) => r.ref)
        .sort(),
      alertSms.map((r) => r.ref).sort(),
      'each alert names its SMS',
    );

    assert.equal(sum(of('traffic-in', LI)), await inboxBytes(LI));
    assert.equal(sum(of('traffic-in', ZHAO)), await inboxBytes(ZHAO));
    assert.equal(of('traffic-in', LI).length, 3);
    assert.equal(of('traffic-in', WANG).length, 0);
    const fromWang = (await dizi.messages(ZHAO)).find((m) => m.subject === 'from wang');
    assert.ok(fromWang);
    assert.deepEqual(
      of('traffic-out').map((r) => [r.user, r.domain, r.quantity, r.unit]),
      [[WANG, 'bill.test', fromWang.size, 'byte']],
    );
    assert.ok(records.every((r) => Date.parse(r.time) > 0));

    // The same records as CSV, with a header line.
    const csv = await api('GET', `/api/admin/usage?${query({ format: 'csv' })}`);
    assert.equal(csv.status, 200);
    assert.equal(csv.type, 'text/csv; charset=utf-8');
    assert.match(csv.text, /^id,time,service,purpose,user,domain,quantity,unit,ref\r\n/);
    assert.deepEqual(
      parseCsv(csv.text).map((r) => [Number(r.id), r.service, r.user, Number(r.quantity), r.ref]),
      records.map((r) => [r.id, r.service, r.user, r.quantity, r.ref]),
    );
    // Filters.
    const liOnly = json<{ records: RecordJson[] }>(
      await api('GET', `/api/admin/usage?${query({ user: LI })}`),
    ).records;
    assert.deepEqual(
      liOnly.map((r) => r.id),
      records.filter((r) => r.user === LI).map((r) => r.id),
    );
    const other = json<{ records: RecordJson[] }>(
      await api('GET', `/api/admin/usage?${query({ domain: 'other.test' })}`),
    ).records;
    assert.ok(other.length > 0 && other.every((r) => r.user === ZHAO));
  });

  test('storage-day: one record per user and day, however often and on however many nodes', async () => {
    // A second node of the same installation (shared database and data folder).
    const node2 = await DiziHarness.start({
      http: false,
      dataDir: dizi.config.dataDir,
      sharedDatabaseUrl: dizi.databaseUrl,
      config: {
        roles: ['submission'],
        redisUrl: dizi.runtime.redisUrl,
        notify: { timeZone: TZ },
        usage: { flushIntervalMs: 60_000 },
      },
    });
    let recordsBefore = 0;
    try {
      // One after the other: two SQLite connections in one process cannot both write at
      // once (the synchronous driver would wait on itself). Runs that really overlap, on
      // PostgreSQL, are in libs/billing/src/billing.db.spec.ts.
      assert.equal((await dizi.services.billing.storage.runOnce()).added, 3, 'three users');
      assert.equal((await node2.services.billing.storage.runOnce()).added, 0, 'the other node');
      assert.equal((await dizi.services.billing.storage.runOnce()).added, 0, 'run again: none');
      const storage = (await exportJson()).filter((r) => r.service === 'storage');
      const used = async (a: string) => (await dizi.services.directoryRepo.findUser(a))!.usedBytes;
      assert.deepEqual(
        storage.map((r) => [r.user, r.quantity, r.unit]).sort(),
        [
          [LI, await used(LI), 'byte-day'],
          [WANG, await used(WANG), 'byte-day'],
          [ZHAO, await used(ZHAO), 'byte-day'],
        ].sort(),
      );
      assert.ok((await used(LI)) > 0);

      // A clean stop of a node writes what it holds: wang submits through node2 (whose
      // timer would not write for a minute), node2 stops, the records are there.
      recordsBefore = (await exportJson()).length;
      const submission = nodemailer.createTransport({
        host: '127.0.0.1',
        port: node2.submissionPort,
        secure: false,
        requireTLS: true,
        tls: { rejectUnauthorized: false },
        auth: { user: WANG, pass: 'password123' },
      });
      await submission.sendMail({
        envelope: { from: WANG, to: [ZHAO] },
        raw: `From: ${WANG}\r\nTo: ${ZHAO}\r\nSubject: via node2\r\n\r\n${'x'.repeat(3000)}\r\n`,
      });
      submission.close();
      await node2.services.processor.idle();
      assert.equal(
        node2.services.billing.recorder.buffered,
        2,
        'traffic-out and traffic-in, buffered',
      );
    } finally {
      await node2.stop();
    }
    const after = await exportJson();
    const viaNode2 = (await dizi.messages(ZHAO)).find((m) => m.subject === 'via node2');
    assert.ok(viaNode2);
    const last = after.slice(-2).map((r) => [r.service, r.user, r.quantity]);
    assert.deepEqual(last.sort(), [
      ['traffic-in', ZHAO, viaNode2.size],
      ['traffic-out', WANG, viaNode2.size],
    ]);
    assert.equal(after.length, recordsBefore + 2, 'those two and nothing else');
  });

  test('rated totals per user and per domain (REST) match the plans and the usage', async () => {
    const records = await exportJson();
    const sumOf = (service: string, user: string) =>
      records
        .filter((r) => r.service === service && r.user === user)
        .reduce((n, r) => n + r.quantity, 0);
    const byUser = json<TotalsJson>(await api('GET', `/api/admin/usage/totals?${query()}`));
    assert.equal(byUser.by, 'user');
    const row = (u: string) => byUser.rows.find((r) => r.user === u)!;
    assert.deepEqual(
      byUser.rows.map((r) => [r.user, r.plan]),
      [
        ['', ''],
        [LI, 'basic'],
        [WANG, 'vip'],
        [ZHAO, 'standard'],
      ],
    );
    // li, plan basic: 0.10 a segment, 0.05 an alert, 0.001 an MB-day, 0.02 an MB, 5 a month.
    const li = row(LI);
    const liSegments = submitsTo(LI_PHONE).length;
    assert.deepEqual(
      [li.smsSegments, li.alerts, li.trafficInBytes, li.trafficOutBytes, li.periods],
      [liSegments, 2, await inboxBytes(LI), 0, months],
    );
    const liMicros =
      liSegments * 100_000 +
      2 * 50_000 +
      perMb(sumOf('storage', LI), 1_000) +
      perMb(await inboxBytes(LI), 20_000) +
      months * 5_000_000;
    assert.equal(Math.round(li.total * 1e6), liMicros);
    assert.equal(li.currency, 'CNY');
    // wang, own plan vip: 0.01 an MB of traffic, 10 a month; no SMS.
    const wang = row(WANG);
    const wangOut = sumOf('traffic-out', WANG);
    assert.equal(wang.trafficOutBytes, wangOut);
    assert.equal(Math.round(wang.total * 1e6), perMb(wangOut, 10_000) + months * 10_000_000);
    // zhao: other.test has no plan, so the default (standard: 2 a month, nothing else).
    assert.equal(row(ZHAO).total, months * 2);
    // Usage without a user (the API SMS) is listed, not priced.
    assert.deepEqual(
      [row('').smsSegments, row('').total],
      [API_PHONES.reduce((n, p) => n + submitsTo(p).length, 0), 0],
    );
    assert.equal(
      byUser.rows.reduce((n, r) => n + r.smsSegments, 0),
      accepted().length,
      'every segment the ISMG accepted, once',
    );

    const byDomain = json<TotalsJson>(
      await api('GET', `/api/admin/usage/totals?${query({ by: 'domain' })}`),
    );
    assert.deepEqual(
      byDomain.rows.map((r) => [r.domain, r.plan, r.currency]),
      [
        ['', '', ''],
        ['bill.test', 'basic', 'CNY'],
        ['other.test', 'standard', 'CNY'],
      ],
    );
    const bill = byDomain.rows[1];
    assert.equal(Math.round(bill.total * 1e6), Math.round((li.total + wang.total) * 1e6));
    assert.equal(bill.smsSegments, liSegments);
    assert.equal(bill.trafficInBytes, li.trafficInBytes + wang.trafficInBytes);

    const csv = await api(
      'GET',
      `/api/admin/usage/totals?${query({ by: 'domain', format: 'csv' })}`,
    );
    assert.equal(csv.type, 'text/csv; charset=utf-8');
    const lines = parseCsv(csv.text);
    assert.deepEqual(
      lines.map((l) => [l.domain, l.sms_segments, l.total]),
      byDomain.rows.map((r) => [r.domain, String(r.smsSegments), String(r.total)]),
    );
  });

  test('the CLI exports the same records and totals', async () => {
    const rest = await exportJson();
    let c = await cli(
      'usage',
      'export',
      '--from',
      period.from,
      '--to',
      period.to,
      '--format',
      'json',
    );
    assert.equal(c.code, 0, c.err);
    const viaCli = (JSON.parse(c.out) as { records: RecordJson[] }).records;
    assert.deepEqual(viaCli, rest);
    c = await cli('usage', 'export', '--from', period.from, '--to', period.to);
    assert.equal(c.code, 0, c.err);
    assert.deepEqual(
      parseCsv(c.out).map((r) => [Number(r.id), r.service, Number(r.quantity)]),
      rest.map((r) => [r.id, r.service, r.quantity]),
      'CSV by default',
    );
    c = await cli(
      'usage',
      'export',
      '--from',
      period.from,
      '--to',
      period.to,
      '--user',
      WANG,
      '--format',
      'json',
    );
    assert.deepEqual(
      (JSON.parse(c.out) as { records: RecordJson[] }).records,
      rest.filter((r) => r.user === WANG),
    );
    c = await cli('usage', 'totals', '--from', period.from, '--to', period.to, '--by', 'domain');
    assert.equal(c.code, 0, c.err);
    const restCsv = await api(
      'GET',
      `/api/admin/usage/totals?${query({ by: 'domain', format: 'csv' })}`,
    );
    assert.equal(c.out, restCsv.text);

    c = await cli('usage', 'export', '--from', '2024-13-01', '--to', period.to);
    assert.equal(c.code, 2);
    assert.match(c.err, /from: 2024-13-01 is not a calendar date/);
    c = await cli('usage', 'export', '--from', period.from, '--to', period.to, '--format', 'xml');
    assert.equal(c.code, 2);
    assert.match(c.err, /format must be csv or json/);
    c = await cli('usage', 'totals', '--from', period.from, '--to', period.to, '--by', 'planet');
    assert.equal(c.code, 2);
    assert.match(c.err, /by must be user or domain/);
  });

  test('bad queries get 400 naming the field; no credentials get 401', async () => {
    const field = async (url: string, method = 'GET', body?: unknown) => {
      const r = await api(method, url, body);
      return [r.status, (JSON.parse(r.text) as { field?: string }).field];
    };
    assert.deepEqual(await field('/api/admin/usage?from=2024-13-01&to=2024-12-01'), [400, 'from']);
    assert.deepEqual(await field('/api/admin/usage?from=2024-12-02&to=2024-12-01'), [400, 'from']);
    assert.deepEqual(await field('/api/admin/usage?from=2024-12-01&to=soon'), [400, 'to']);
    assert.deepEqual(await field('/api/admin/usage?to=2024-12-01'), [400, 'from']);
    assert.deepEqual(await field('/api/admin/usage?from=2024-12-01'), [400, 'to']);
    assert.deepEqual(await field(`/api/admin/usage?${query({ format: 'xml' })}`), [400, 'format']);
    assert.deepEqual(await field(`/api/admin/usage?${query({ colour: 'red' })}`), [400, 'colour']);
    assert.deepEqual(await field(`/api/admin/usage/totals?${query({ by: 'planet' })}`), [
      400,
      'by',
    ]);
    assert.deepEqual(
      await field(`/api/admin/usage/totals?from=2024-12-01T00:00:00&to=2024-12-02`),
      [400, 'from'],
    );
    assert.deepEqual(await field(`/api/admin/usage?${query({ user: 'nobody@bill.test' })}`), [
      404,
      'user',
    ]);
    assert.deepEqual(await field('/api/admin/plans/basic', 'PUT', { smsSegment: '-1' }), [
      400,
      'smsSegment',
    ]);
    assert.deepEqual(await field('/api/admin/plans/basic', 'PUT', { period: 'week' }), [
      400,
      'period',
    ]);
    assert.deepEqual(await field('/api/admin/plans/bad%20name', 'PUT', {}), [400, 'name']);
    assert.deepEqual(await field(`/api/admin/users/${LI}/plan`, 'PUT', { plan: 'gold' }), [
      404,
      'plan',
    ]);
    assert.deepEqual(await field('/api/admin/plans/gold'), [404, 'name']);
    const anonymous = await api('GET', `/api/admin/usage?${query()}`, undefined, false);
    assert.equal(anonymous.status, 401);
    // The prices did not change through any of that.
    assert.equal(JSON.parse((await api('GET', '/api/admin/plans/basic')).text).smsSegment, '0.1');
  });

  test('a large export streams page by page', async () => {
    // 30,000 records for a user of its own, written straight into the store.
    await dizi.addUser('bulk@other.test');
    const bulk = await dizi.services.directoryRepo.findUser('bulk@other.test');
    assert.ok(bulk);
    const repo = new UsageRepository(dizi.services.db);
    const now = Date.now();
    const n = 30_000;
    for (let i = 0; i < n; i += 5000)
      await repo.insert(
        Array.from({ length: 5000 }, (_, j) => ({
          at: now + i + j,
          service: 'traffic-in' as const,
          purpose: '',
          userId: bulk.id,
          domainId: bulk.domainId,
          quantity: i + j + 1,
          ref: `bulk-${i + j}`,
        })),
      );
    const res = await fetch(
      `http://127.0.0.1:${http.port}/api/admin/usage?${query({ format: 'csv', user: 'bulk@other.test' })}`,
      { headers: { authorization: 'Bearer test-admin-token' } },
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), null, 'no length known up front');
    assert.equal(res.headers.get('transfer-encoding'), 'chunked');
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="usage-/);
    // Read it slowly, chunk by chunk, as a billing system on a slow link would.
    let text = '';
    let chunks = 0;
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (++chunks % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const lines = parseCsv(text);
    assert.equal(lines.length, n);
    assert.ok(chunks > 1, 'the body came in pieces');
    assert.deepEqual(
      [lines[0].quantity, lines[n - 1].quantity, lines[n - 1].user],
      ['1', String(n), 'bulk@other.test'],
    );
  });
});
