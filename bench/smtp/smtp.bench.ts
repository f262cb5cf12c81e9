/**
 * `npm run bench:smtp`: SMTP ingest of Dizi against Postfix, same load, same run.
 *
 * Method (the one of ../shared/reference/anchor-bench/postfix-smtp.sh): Postfix's
 * `smtp-source`, a separate process, sends N messages of SIZE bytes over SESSIONS
 * concurrent sessions to 127.0.0.1; "accepted" is when smtp-source exits (every message
 * got its 250), "delivered" is when the N-th message is in the mailbox (a row of
 * `messages` in Dizi's SQLite, a file in ~bench/Maildir/new for Postfix), polled every
 * 50 ms. Peak RSS is VmHWM of the Dizi server process (its private redis-server apart).
 * Then a run with 100 sessions against Dizi for the memory aim (< 300 MB).
 *
 * Env: BENCH_N (5000), BENCH_SIZE (10240), BENCH_SESSIONS (20), BENCH_RUNS (1),
 * BENCH_HIGH_SESSIONS (100; 0 skips that run), BENCH_TIMEOUT_S (900, per load),
 * BENCH_SKIP_POSTFIX=1, BENCH_CPU_PROF=<dir> (server runs with --cpu-prof into dir),
 * BENCH_KEEP=1 (keep the data folders).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Sqlite from 'better-sqlite3';
import {
  childPids,
  cleanupAll,
  cleanups,
  envInt,
  freePort,
  isAlive,
  median,
  onSignal,
  procCpuS,
  procStatusKb,
  waitExit,
} from '../support/process-tools';
import { snapshotDist } from '../support/dist-snapshot';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ANCHOR = path.join(ROOT, 'bench', 'smtp', 'postfix-anchor.sh');
/**
 * The server and CLI run from a private copy of dist/ (under the git-ignored .bench/):
 * other builds in the same tree rewrite dist/ while a bench of a few minutes runs.
 */
const SNAPSHOT = path.join(ROOT, '.bench', 'smtp', 'dist');
const SERVER = path.join(SNAPSHOT, 'apps', 'server', 'src', 'main.js');
const CLI = path.join(SNAPSHOT, 'apps', 'cli', 'src', 'main.js');
const SMTP_SOURCE = '/usr/sbin/smtp-source';
const POLL_MS = 50;

const N = envInt('BENCH_N', 5000);
const SIZE = envInt('BENCH_SIZE', 10240);
const SESSIONS = envInt('BENCH_SESSIONS', 20);
const RUNS = Math.max(1, envInt('BENCH_RUNS', 1));
const HIGH_SESSIONS = envInt('BENCH_HIGH_SESSIONS', 100);
const TIMEOUT_MS = envInt('BENCH_TIMEOUT_S', 900) * 1000;
const SKIP_POSTFIX = process.env.BENCH_SKIP_POSTFIX === '1';
const CPU_PROF = process.env.BENCH_CPU_PROF ?? '';
const KEEP = process.env.BENCH_KEEP === '1';

interface LoadResult {
  acceptS: number;
  deliverS: number;
  acceptedPerS: number;
  deliveredPerS: number;
}

interface DiziResult extends LoadResult {
  peakRssMb: number;
  redisPeakRssMb: number;
  serverCpuS: number;
  redisCpuS: number;
}

// ---- small helpers

function sh(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 600_000,
    env: opts.env ?? process.env,
  });
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`,
    );
  }
  return r.stdout.trim();
}

/** Resolves once something on 127.0.0.1:port answers with an SMTP greeting. */
async function waitForBanner(port: number, deadlineMs: number, alive: () => boolean) {
  while (Date.now() < deadlineMs) {
    if (!alive()) throw new Error('the Dizi server exited while starting');
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.setTimeout(2000);
      sock.once('data', (d: Buffer) => {
        sock.end('QUIT\r\n');
        resolve(d.toString('latin1').startsWith('220'));
      });
      sock.once('error', () => resolve(false));
      sock.once('timeout', () => {
        sock.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`no SMTP greeting on 127.0.0.1:${port}`);
}

const f1 = (x: number): string => x.toFixed(1);

// ---- the load: smtp-source, then poll the mailbox until N messages are in

async function drive(
  port: number,
  sessions: number,
  count: () => number,
  onPoll: () => void = () => undefined,
): Promise<LoadResult> {
  const args = [
    '-4',
    '-s',
    String(sessions),
    '-m',
    String(N),
    '-l',
    String(SIZE),
    '-M',
    'example.test',
    '-f',
    'sender@example.test',
    '-t',
    'bench@example.test',
    '-S',
    'anchor test',
    `127.0.0.1:${port}`,
  ];
  const t0 = performance.now();
  const src = spawn(SMTP_SOURCE, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let srcErr = '';
  src.stderr?.on('data', (d: Buffer) => {
    if (srcErr.length < 4000) srcErr += d.toString('latin1');
  });
  const killSrc = () => {
    if (src.exitCode === null && src.signalCode === null) src.kill('SIGKILL');
  };
  cleanups.push(killSrc);
  let tAcc = 0;
  let srcStatus: number | null = null;
  src.once('exit', (code, signal) => {
    tAcc = performance.now();
    srcStatus = code ?? (signal ? 128 : 1);
  });
  let tDel = 0;
  let c = 0;
  while (!tDel) {
    c = count();
    onPoll();
    if (c >= N) tDel = performance.now();
    else if (performance.now() - t0 > TIMEOUT_MS) {
      killSrc();
      throw new Error(`timeout after ${TIMEOUT_MS / 1000} s: ${c}/${N} delivered`);
    } else if (srcStatus !== null && srcStatus !== 0) {
      throw new Error(`smtp-source failed (exit ${srcStatus}): ${srcErr.trim()}`);
    } else await sleep(POLL_MS);
  }
  if (!tAcc) await waitExit(src, TIMEOUT_MS); // delivery outran the poll
  if (srcStatus !== 0) throw new Error(`smtp-source failed (exit ${srcStatus}): ${srcErr.trim()}`);
  if (srcErr.trim()) console.log(`# smtp-source said: ${srcErr.trim().split('\n')[0]}`);
  const acceptS = (tAcc - t0) / 1000;
  const deliverS = (tDel - t0) / 1000;
  return { acceptS, deliverS, acceptedPerS: N / acceptS, deliveredPerS: N / deliverS };
}

// ---- Dizi

async function runDizi(sessions: number, label: string): Promise<DiziResult> {
  const data = mkdtempSync(path.join(tmpdir(), 'dizi-bench-'));
  if (!KEEP) cleanups.push(() => rmSync(data, { recursive: true, force: true }));
  // The per-IP connection limits (32 at once, 32 a minute) are anti-abuse defaults that
  // a load generator on loopback would trip (smtp-source opens one connection per
  // message); Postfix's anvil limits are off by default, so they are lifted here.
  const configFile = path.join(data, 'bench-config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      smtp: {
        listenHost: '127.0.0.1',
        connectionsPerIpPerMinute: 10_000_000,
        connectionsPerIpAtOnce: 100_000,
      },
      http: { listenHost: '127.0.0.1' },
    }),
  );
  const [smtp, submission, smtps, http] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DIZI_DATA: data,
    DIZI_CONFIG: configFile,
    DIZI_HOSTNAME: 'mx.example.test',
    DIZI_LISTEN: '127.0.0.1',
    DIZI_SMTP_PORT: String(smtp),
    DIZI_SUBMISSION_PORT: String(submission),
    DIZI_SMTPS_PORT: String(smtps),
    DIZI_HTTP_PORT: String(http),
    DIZI_LOG_LEVEL: 'warn',
  };
  sh(process.execPath, [CLI, 'domain', 'add', 'example.test'], { env });
  sh(
    process.execPath,
    [CLI, 'user', 'add', 'bench@example.test', '--password', 'benchpass1', '--quota', '0'],
    { env },
  );

  const nodeArgs = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
  const server = spawn(process.execPath, [...nodeArgs, SERVER], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const serverPid = server.pid!;
  let serverOut = '';
  let warnings = 0;
  const keep = (d: Buffer) => {
    const s = d.toString('utf8');
    warnings += (s.match(/"level":(40|50|60)/g) ?? []).length;
    if (serverOut.length < 20_000) serverOut += s;
  };
  server.stdout?.on('data', keep);
  server.stderr?.on('data', keep);
  let redisPids: number[] = [];
  const stopServer = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      if (!(await waitExit(server, 30_000))) {
        console.error('# the Dizi server did not stop in 30 s: SIGKILL');
        server.kill('SIGKILL');
        await waitExit(server, 5000);
      }
    }
    for (const pid of redisPids) {
      if (!isAlive(pid)) continue;
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  };
  cleanups.push(stopServer);

  try {
    await waitForBanner(
      smtp,
      Date.now() + 60_000,
      () => server.exitCode === null && server.signalCode === null,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${serverOut}`);
  }
  redisPids = childPids(serverPid, 'redis-server');
  const dbFile = path.join(data, 'dizi.sqlite');
  const db = new Sqlite(dbFile, { readonly: true, fileMustExist: true });
  const countStmt = db.prepare<[], { c: number }>('SELECT COUNT(*) AS c FROM messages');
  const before = countStmt.get()?.c ?? 0;
  if (before !== 0) throw new Error(`fresh data folder holds ${before} messages`);
  let redisHwm = 0;
  const cpu0 = procCpuS(serverPid);
  const redisCpu0 = redisPids.reduce((s, p) => s + procCpuS(p), 0);
  let res: LoadResult;
  try {
    res = await drive(
      smtp,
      sessions,
      () => countStmt.get()?.c ?? 0,
      () => {
        for (const p of redisPids) redisHwm = Math.max(redisHwm, procStatusKb(p, 'VmHWM'));
      },
    );
  } finally {
    db.close();
  }
  const peakKb = procStatusKb(serverPid, 'VmHWM');
  const serverCpuS = procCpuS(serverPid) - cpu0;
  const redisCpuS = redisPids.reduce((s, p) => s + procCpuS(p), 0) - redisCpu0;
  await stopServer();
  if (warnings) console.log(`# ${label}: the server logged ${warnings} warnings/errors`);
  return {
    ...res,
    peakRssMb: peakKb / 1024,
    redisPeakRssMb: redisHwm / 1024,
    serverCpuS,
    redisCpuS,
  };
}

// ---- Postfix (the anchor)

function anchor(cmd: string): string {
  return sh('bash', [ANCHOR, cmd]);
}

async function runPostfix(sessions: number): Promise<LoadResult> {
  anchor('wait-empty');
  const maildirNew = anchor('maildir');
  const maildir = path.dirname(maildirNew);
  rmSync(maildir, { recursive: true, force: true });
  sh('sync', []);
  const count = (): number => {
    try {
      return readdirSync(maildirNew).length;
    } catch {
      return 0;
    }
  };
  const res = await drive(25, sessions, count);
  return res;
}

// ---- main

function describe(r: DiziResult | LoadResult): string {
  const base =
    `accept_s=${r.acceptS.toFixed(2)} accepted_per_s=${f1(r.acceptedPerS)} ` +
    `deliver_s=${r.deliverS.toFixed(2)} delivered_per_s=${f1(r.deliveredPerS)}`;
  if (!('peakRssMb' in r)) return base;
  return (
    `${base} peak_rss_mb=${f1(r.peakRssMb)} redis_peak_rss_mb=${f1(r.redisPeakRssMb)} ` +
    `server_cpu_s=${r.serverCpuS.toFixed(2)} redis_cpu_s=${r.redisCpuS.toFixed(2)}`
  );
}

async function main(): Promise<void> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Hard bound on the whole bench: every load has its own time-out, this is the backstop.
  const overall = setTimeout(
    () => {
      console.error('# bench:smtp overall time-out');
      void cleanupAll().then(() => process.exit(1));
    },
    (RUNS * 2 + 1) * TIMEOUT_MS + 300_000,
  );
  overall.unref();

  await snapshotDist(ROOT, SNAPSHOT, [SERVER, CLI]);
  const isRoot = process.getuid?.() === 0;
  if (!SKIP_POSTFIX || !existsSync(SMTP_SOURCE)) {
    if (isRoot) {
      console.log(`# ${anchor('setup')}`);
    } else if (!existsSync(SMTP_SOURCE) || !existsSync('/etc/postfix/main.cf')) {
      throw new Error(
        'Postfix (smtp-source and the anchor) is missing or not configured: run as root, or ' +
          `sudo bash ${path.relative(process.cwd(), ANCHOR)} setup`,
      );
    }
  }

  console.log(
    `# bench:smtp ${new Date().toISOString()} N=${N} SIZE=${SIZE} SESSIONS=${SESSIONS} ` +
      `RUNS=${RUNS} high_sessions=${HIGH_SESSIONS}; ${cpus().length} cores ` +
      `(${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 20)} MB RAM, node ${process.version}`,
  );

  if (!SKIP_POSTFIX && isRoot) {
    const how = anchor('start');
    console.log(`# postfix ${how}`);
    if (how === 'started') cleanups.push(() => void anchor('stop'));
    cleanups.push(() => {
      // the bench's own messages: leave no 50 MB Maildir behind
      rmSync(path.dirname(anchor('maildir')), { recursive: true, force: true });
    });
  }

  const dizi: DiziResult[] = [];
  const postfix: LoadResult[] = [];
  for (let r = 1; r <= RUNS; r++) {
    const d = await runDizi(SESSIONS, `dizi run ${r}`);
    dizi.push(d);
    console.log(`dizi run=${r} sessions=${SESSIONS} n=${N} ${describe(d)}`);
    if (!SKIP_POSTFIX) {
      const p = await runPostfix(SESSIONS);
      postfix.push(p);
      console.log(`postfix run=${r} sessions=${SESSIONS} n=${N} ${describe(p)}`);
    }
  }

  let high: DiziResult | null = null;
  if (HIGH_SESSIONS > 0) {
    high = await runDizi(HIGH_SESSIONS, `dizi ${HIGH_SESSIONS} sessions`);
    console.log(`dizi run=high sessions=${HIGH_SESSIONS} n=${N} ${describe(high)}`);
  }

  const med = (xs: LoadResult[], k: keyof LoadResult) => median(xs.map((x) => x[k]));
  console.log(`# summary (median of ${RUNS} run${RUNS > 1 ? 's' : ''})`);
  console.log(
    `dizi delivered_per_s=${f1(med(dizi, 'deliveredPerS'))} accepted_per_s=${f1(med(dizi, 'acceptedPerS'))} ` +
      `peak_rss_mb=${f1(median(dizi.map((d) => d.peakRssMb)))} ` +
      `redis_peak_rss_mb=${f1(median(dizi.map((d) => d.redisPeakRssMb)))} sessions=${SESSIONS}`,
  );
  if (postfix.length) {
    console.log(
      `postfix delivered_per_s=${f1(med(postfix, 'deliveredPerS'))} accepted_per_s=${f1(med(postfix, 'acceptedPerS'))} sessions=${SESSIONS}`,
    );
    console.log(
      `ratio delivered=${(med(dizi, 'deliveredPerS') / med(postfix, 'deliveredPerS')).toFixed(2)} ` +
        `accepted=${(med(dizi, 'acceptedPerS') / med(postfix, 'acceptedPerS')).toFixed(2)} (dizi/postfix)`,
    );
  }
  if (high) {
    console.log(
      `dizi sessions=${HIGH_SESSIONS} peak_rss_mb=${f1(high.peakRssMb)} ` +
        `redis_peak_rss_mb=${f1(high.redisPeakRssMb)} delivered_per_s=${f1(high.deliveredPerS)} ` +
        `accepted_per_s=${f1(high.acceptedPerS)} rss_aim=300 ${high.peakRssMb < 300 ? 'ok' : 'OVER'}`,
    );
  }
}

main()
  .then(() => cleanupAll())
  .then(() => process.exit(0))
  .catch(async (err: Error) => {
    console.error(`bench:smtp failed: ${err.message}`);
    await cleanupAll();
    process.exit(1);
  });
