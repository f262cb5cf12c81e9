/**
 * `npm run bench:alerts`: mail-arrival SMS alerts end to end (issue 5).
 *
 * A Dizi server (a child process, roles smtp+web+worker, its private redis-server,
 * SQLite unless BENCH_DATABASE_URL is set) has one CMPP 3.0 link to the ISMG simulator
 * of test/peers running in this process. BENCH_USERS users, each with a bound phone and
 * one "any mail" alert rule, are made through the admin API. An SMTP client in this
 * process then sends BENCH_N mails (round robin over the users) paced at BENCH_RATE
 * mails a second over BENCH_SESSIONS keep-alive sessions. For each mail the latency is
 * from the `250` answering its DATA to the simulator reading the alert's SUBMIT (matched
 * by the phone number and a token in the subject the alert text shows). The simulator
 * answers every SUBMIT at once and reports DELIVRD. Aim (issue 5): p99 under 1 s.
 *
 * After the run, the alert rows split each latency into stages: 250 ->
 * decided (the row written), decided -> queued (the SMS row and job), queued -> SUBMIT.
 *
 * Env: BENCH_N (2000), BENCH_USERS (200), BENCH_RATE (100), BENCH_SESSIONS (20),
 * BENCH_TIMEOUT_S (120), BENCH_DATABASE_URL, BENCH_KEEP=1 (keep the data folder),
 * BENCH_DIST=<dir> (a copy of dist/ to run the server from), BENCH_CPU_PROF=<dir>,
 * BENCH_SERVER_LOG=<file> (all the server's output; DIZI_LOG_LEVEL is passed on).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Sqlite from 'better-sqlite3';
import iconv from 'iconv-lite';
import { Client as PgClient } from 'pg';
import { stringify as toYaml } from 'yaml';
import { CmppIsmgSimulator, type ReceivedSubmit } from '../../test/peers/cmpp-ismg';
import { SmtpWire } from '../../test/support/smtp-wire';
import {
  childPids,
  cleanupAll,
  cleanups,
  envInt,
  freePort,
  isAlive,
  onSignal,
  procCpuS,
  procStatusKb,
  waitExit,
} from '../support/process-tools';
import { snapshotDist } from '../support/dist-snapshot';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** The server runs from a private copy of dist/: other builds rewrite dist/ during a run. */
const SNAPSHOT = process.env.BENCH_DIST
  ? path.resolve(process.env.BENCH_DIST)
  : path.join(ROOT, '.bench', 'alerts', 'dist');
const SERVER = path.join(SNAPSHOT, 'apps', 'server', 'src', 'main.js');
const ACCOUNT = '901234';
const SECRET = 'bench-secret';
const DOMAIN = 'alerts.bench';

const N = Math.max(1, envInt('BENCH_N', 2000));
const USERS = Math.max(1, envInt('BENCH_USERS', 200));
const RATE = Math.max(1, envInt('BENCH_RATE', 100));
const SESSIONS = Math.max(1, envInt('BENCH_SESSIONS', 20));
const TIMEOUT_MS = Math.max(1, envInt('BENCH_TIMEOUT_S', 120)) * 1000;
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? '';
const CPU_PROF = process.env.BENCH_CPU_PROF ?? '';
const KEEP = process.env.BENCH_KEEP === '1';
const PHONE_BASE = 13_700_000_000;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const f0 = (x: number): string => x.toFixed(0);
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50=${f0(percentile(s, 50))} p90=${f0(percentile(s, 90))} p99=${f0(percentile(s, 99))} max=${f0(s[s.length - 1] ?? NaN)}`;
};

/** The alert text a SUBMIT carries (UCS-2, GBK or ASCII; one segment: the texts are short). */
function submitText(s: ReceivedSubmit): string {
  let body = s.submit.msgContent;
  if (s.submit.tpUdhi) body = body.subarray(body[0] + 1);
  if (s.submit.msgFmt === 8) return iconv.decode(body, 'utf16-be');
  if (s.submit.msgFmt === 15) return iconv.decode(body, 'gbk');
  return body.toString('latin1');
}

async function api(port: number, token: string, method: string, url: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : null;
}

interface Track {
  user: number;
  t250: number;
  wall250: number;
  tSubmit: number;
  wallSubmit: number;
}

async function main(): Promise<void> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const overall = setTimeout(() => {
    console.error('# bench:alerts overall time-out');
    void cleanupAll().then(() => process.exit(1));
  }, TIMEOUT_MS + 240_000);
  overall.unref();
  if (!process.env.BENCH_DIST) await snapshotDist(ROOT, SNAPSHOT, [SERVER]);
  const load0 = loadavg();
  console.log(
    `# bench:alerts ${new Date().toISOString()} N=${N} users=${USERS} rate=${RATE}/s sessions=${SESSIONS} ` +
      `db=${DATABASE_URL ? 'postgres' : 'sqlite'}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ` +
      `${Math.round(totalmem() / 2 ** 20)} MB RAM, node ${process.version}; ` +
      `load average ${load0.map((x) => x.toFixed(2)).join(' ')} (shared machine)`,
  );

  // ---- the ISMG simulator, watched after every packet it reads
  const ismg = await CmppIsmgSimulator.start({ accounts: { [ACCOUNT]: SECRET } });
  ismg.autoReportStat = 'DELIVRD';
  cleanups.push(() => ismg.close());
  const tracks = new Map<number, Track>();
  let cursor = 0;
  let duplicates = 0;
  let unmatched = 0;
  let submitted = 0;
  let stopped = false;
  const scan = () => {
    const now = performance.now();
    const wall = Date.now();
    const list = ismg.submits;
    for (; cursor < list.length; cursor++) {
      const s = list[cursor];
      const m = /\[m(\d+)\]/.exec(submitText(s));
      const t = m ? tracks.get(Number(m[1])) : undefined;
      if (!t) {
        unmatched++;
        continue;
      }
      if (t.tSubmit) {
        duplicates++;
        continue;
      }
      t.tSubmit = now;
      t.wallSubmit = wall;
      submitted++;
    }
    return stopped;
  };
  void ismg.waitFor(scan, 24 * 3600_000, 'the end of the bench').catch(() => undefined);

  // ---- the server
  const data = mkdtempSync(path.join(tmpdir(), 'dizi-bench-alerts-'));
  if (!KEEP) cleanups.push(() => rmSync(data, { recursive: true, force: true }));
  const configFile = path.join(data, 'bench-config.yaml');
  writeFileSync(
    configFile,
    toYaml({
      smtp: { connectionsPerIpAtOnce: 1000, connectionsPerIpPerMinute: 100_000 },
      notify: { timeZone: 'Asia/Shanghai' },
      links: [
        {
          id: 'cm-1',
          kind: 'cmpp',
          version: '3.0',
          host: '127.0.0.1',
          port: ismg.port,
          account: ACCOUNT,
          secret: SECRET,
          serviceId: 'MDZ0001',
          srcId: '1065888801',
          window: 16,
          tps: 10_000,
        },
      ],
    }),
  );
  const [smtpPort, httpPort] = [await freePort(), await freePort()];
  const token = randomBytes(16).toString('hex');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DIZI_DATA: data,
    DIZI_CONFIG: configFile,
    DIZI_HOSTNAME: 'mx.alerts.bench',
    DIZI_ROLES: 'smtp,web,worker',
    DIZI_LISTEN: '127.0.0.1',
    DIZI_SMTP_PORT: String(smtpPort),
    DIZI_HTTP_PORT: String(httpPort),
    DIZI_ADMIN_TOKEN: token,
    DIZI_LOG_LEVEL: process.env.DIZI_LOG_LEVEL ?? 'warn',
  };
  if (DATABASE_URL) env.DATABASE_URL = DATABASE_URL;
  else delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const nodeArgs = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, SERVER], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  let out = '';
  let warnings = 0;
  const serverLog = process.env.BENCH_SERVER_LOG
    ? createWriteStream(process.env.BENCH_SERVER_LOG)
    : null;
  const keep = (d: Buffer) => {
    serverLog?.write(d);
    const s = d.toString('utf8');
    warnings += (s.match(/"level":(40|50|60)/g) ?? []).length;
    if (out.length < 20_000) out += s;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let redisPids: number[] = [];
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 30_000))) {
        child.kill('SIGKILL');
        await waitExit(child, 5000);
      }
    }
    for (const p of redisPids) {
      if (!isAlive(p)) continue;
      process.kill(p, 'SIGTERM');
      for (let i = 0; i < 50 && isAlive(p); i++) await sleep(100);
      if (isAlive(p)) process.kill(p, 'SIGKILL');
    }
  });
  const call = (method: string, url: string, body?: unknown) =>
    api(httpPort, token, method, url, body);
  for (const deadline = Date.now() + 60_000; ;) {
    if (child.exitCode !== null) throw new Error(`the Dizi server exited while starting\n${out}`);
    const links = (await call('GET', '/api/admin/links').catch(() => null)) as Array<{
      state: string;
    }> | null;
    if (links?.length === 1 && links[0].state === 'up') break;
    if (Date.now() > deadline) throw new Error(`the CMPP link is not up after 60 s\n${out}`);
    await sleep(100);
  }
  redisPids = childPids(pid, 'redis-server');

  // ---- users, phones and rules through the admin API
  const tSetup = performance.now();
  await call('POST', '/api/admin/domains', { name: DOMAIN });
  const user = (i: number) => `u${i}@${DOMAIN}`;
  let made = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (made < USERS) {
        const i = made++;
        await call('POST', '/api/admin/users', { address: user(i), password: 'password123' });
        await call('PUT', `/api/admin/users/${user(i)}/phone`, { number: String(PHONE_BASE + i) });
        await call('POST', `/api/admin/users/${user(i)}/alerts`, {});
      }
    }),
  );
  console.log(
    `# ${USERS} users with a phone and a rule in ${((performance.now() - tSetup) / 1000).toFixed(1)} s`,
  );

  // ---- the paced SMTP load
  const wires: SmtpWire[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const w = await SmtpWire.connect(smtpPort);
    if ((await w.command('EHLO load.bench')).code !== 250) throw new Error('EHLO refused');
    wires.push(w);
  }
  cleanups.push(() => wires.forEach((w) => w.destroy()));
  const idle = [...wires];
  const idleWaiters: Array<() => void> = [];
  const release = (w: SmtpWire) => {
    idle.push(w);
    idleWaiters.shift()?.();
  };
  let late = 0;
  let refused = 0;
  let accepted = 0;
  const cpu0 = procCpuS(pid);
  const redisCpu0 = redisPids.reduce((s, p) => s + procCpuS(p), 0);
  const t0 = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < N; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    while (!idle.length) {
      late++;
      await new Promise<void>((r) => idleWaiters.push(r));
    }
    const w = idle.shift()!;
    const u = i % USERS;
    const msg =
      `From: Ops <ops@example.cn>\r\nTo: ${user(u)}\r\nSubject: m${i}\r\n` +
      `Message-ID: <bench-${i}@example.cn>\r\n\r\nserver ${i} needs a look\r\n`;
    // Tracked before it is sent: under load this process may read the SUBMIT first.
    const track: Track = { user: u, t250: 0, wall250: 0, tSubmit: 0, wallSubmit: 0 };
    tracks.set(i, track);
    sends.push(
      w.sendMail('ops@example.cn', [user(u)], msg).then((r) => {
        if (r.code === 250) {
          track.t250 = performance.now();
          track.wall250 = Date.now();
          accepted++;
        } else {
          refused++;
          tracks.delete(i);
        }
        release(w);
      }),
    );
  }
  await Promise.all(sends);
  const sendS = (performance.now() - t0) / 1000;
  const deadline = performance.now() + TIMEOUT_MS;
  while (submitted < tracks.size && performance.now() < deadline) {
    scan();
    await sleep(50);
  }
  stopped = true;
  scan();
  const serverCpuS = procCpuS(pid) - cpu0;
  const redisCpuS = redisPids.reduce((s, p) => s + procCpuS(p), 0) - redisCpu0;
  const load1 = loadavg();

  const done = [...tracks.values()].filter((t) => t.tSubmit && t.t250);
  // Non-negative: a SUBMIT read before its own 250 (this process was busy) counts as 0.
  const lat = done.map((t) => Math.max(0, t.tSubmit - t.t250));
  const sorted = [...lat].sort((a, b) => a - b);
  console.log(
    `alerts mails=${N} accepted=${accepted} refused=${refused} alerts_at_ismg=${done.length} ` +
      `duplicates=${duplicates} unmatched=${unmatched} send_s=${sendS.toFixed(1)} ` +
      `offered_rate=${RATE}/s achieved_rate=${f0(N / sendS)}/s sessions_busy_waits=${late}`,
  );
  console.log(`alerts latency_ms (SMTP 250 -> SUBMIT at the ISMG) ${stats(lat)}`);
  console.log(
    `alerts server_cpu_s=${serverCpuS.toFixed(1)} redis_cpu_s=${redisCpuS.toFixed(1)} ` +
      `server_rss_mb=${(procStatusKb(pid, 'VmRSS') / 1024).toFixed(0)} ` +
      `load_average_after=${load1.map((x) => x.toFixed(2)).join(' ')}`,
  );
  const p99 = percentile(sorted, 99);
  console.log(
    `alerts aim p99<1000ms: ${p99 < 1000 && done.length === tracks.size ? 'met' : 'MISSED'} (${f0(p99)} ms` +
      `${done.length < tracks.size ? `; ${tracks.size - done.length} alerts missing` : ''})`,
  );

  // ---- where the time goes: the alert rows' own times (wall clock)
  const sql =
    'SELECT m.subject, a.created_at, a.queued_at FROM alerts a JOIN messages m ON m.id = a.message_id';
  type StageRow = {
    subject: string;
    created_at: number | string;
    queued_at: number | string | null;
  };
  let stageRows: StageRow[] = [];
  if (DATABASE_URL) {
    const c = new PgClient({ connectionString: DATABASE_URL });
    await c.connect();
    try {
      stageRows = (await c.query<StageRow>(sql)).rows;
    } finally {
      await c.end();
    }
  } else {
    const db = new Sqlite(path.join(data, 'dizi.sqlite'), { readonly: true, fileMustExist: true });
    try {
      stageRows = db.prepare<[], StageRow>(sql).all();
    } finally {
      db.close();
    }
  }
  const toDecided: number[] = [];
  const toQueued: number[] = [];
  const toSubmit: number[] = [];
  for (const r of stageRows) {
    const t = tracks.get(Number(/^m(\d+)$/.exec(r.subject)?.[1] ?? -1));
    if (!t || !t.wallSubmit || r.queued_at === null) continue;
    toDecided.push(Number(r.created_at) - t.wall250);
    toQueued.push(Number(r.queued_at) - Number(r.created_at));
    toSubmit.push(t.wallSubmit - Number(r.queued_at));
  }
  console.log(`alerts stage_ms 250->decided ${stats(toDecided)}`);
  console.log(`alerts stage_ms decided->queued ${stats(toQueued)}`);
  console.log(`alerts stage_ms queued->SUBMIT ${stats(toSubmit)}`);
  if (warnings)
    console.log(`# the server logged ${warnings} warnings/errors\n${out.slice(0, 2000)}`);
}

main()
  .then(() => cleanupAll())
  .then(() => process.exit(0))
  .catch(async (err: Error) => {
    console.error(`bench:alerts failed: ${err.message}`);
    await cleanupAll();
    process.exit(1);
  });
