/**
 * `npm run bench:sms`: SMS through the full queue path of a running Dizi server.
 *
 * Part 1, CMPP 3.0: a Dizi server (a child process, roles web+worker, its private
 * redis-server, SQLite unless BENCH_DATABASE_URL is set) has one CMPP 3.0 link, window
 * 16, to the ISMG simulator of test/peers running in this process. BENCH_CLIENTS
 * concurrent keep-alive HTTP clients queue N SMS with POST /api/sms (half 70-character
 * Chinese texts, one UCS-2 segment; half 300-character Chinese texts, five segments)
 * as fast as the server answers. Each SMS has its own destination number, so every
 * SUBMIT seen by the simulator is matched to its SMS: latency is from the client's POST
 * to the simulator reading the SMS's last segment; segments/s is counted at the
 * simulator between its first and last SUBMIT. The simulator sends a DELIVRD status
 * report for each segment BENCH_REPORT_DELAY_MS after its SUBMIT_RESP (a carrier's
 * reports come later than the answers), and the run ends when every SMS row is
 * `delivered` (SQLite), so reports are matched too. Server RSS is sampled every 250 ms.
 * Then a paced run (BENCH_PACED_N SMS at BENCH_PACED_RATE a second, below capacity)
 * gives the latency of an SMS that does not wait behind a backlog.
 *
 * Part 2, GSM modems: one server with three modem-pool links (1, 2 and 4 simulated
 * modems on socat ptys, prefixes 1301/1302/1304); every modem takes BENCH_MODEM_SEND_MS
 * (3 s) per AT+CMGS and the link sends at most one SMS per 3 s per modem. The same
 * BENCH_MODEM_SMS one-segment SMS go through each pool in turn; the time from the first
 * POST to the last +CMGS answer gives SMS/min, which should grow with the modems.
 *
 * Env: BENCH_N (10000), BENCH_CLIENTS (64), BENCH_WINDOW (16), BENCH_TPS (100000),
 * BENCH_REPORTS (1; 0 = no status reports), BENCH_REPORT_DELAY_MS (1000),
 * BENCH_PACED_N (2000; 0 skips), BENCH_PACED_RATE (200), BENCH_MODEM_SMS (12; 0 skips
 * part 2), BENCH_MODEM_SEND_MS (3000), BENCH_TIMEOUT_S (240, per load),
 * BENCH_DATABASE_URL (PostgreSQL instead of SQLite), BENCH_CPU_PROF=<dir> (the server
 * runs with --cpu-prof into dir), BENCH_KEEP=1 (keep the data folders), BENCH_DIST=<dir>
 * (run the server of a copy of dist/ made beforehand, e.g. to compare two builds).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Sqlite from 'better-sqlite3';
import { stringify as toYaml } from 'yaml';
import { encodeCmppPdu, encodeStatusReport } from '@dizi/gateways/cmpp';
import { CmppIsmgSimulator, type ReceivedSubmit } from '../../test/peers/cmpp-ismg';
import { AtModemSimulator } from '../../test/peers/at-modem';
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
  : path.join(ROOT, '.bench', 'sms', 'dist');
const SERVER = path.join(SNAPSHOT, 'apps', 'server', 'src', 'main.js');
const ACCOUNT = '901234';
const SECRET = 'bench-secret';

const N = envInt('BENCH_N', 10_000);
const CLIENTS = Math.max(1, envInt('BENCH_CLIENTS', 64));
const WINDOW = Math.max(1, envInt('BENCH_WINDOW', 16));
const TPS = Math.max(1, envInt('BENCH_TPS', 100_000));
const REPORTS = envInt('BENCH_REPORTS', 1) !== 0;
const REPORT_DELAY_MS = envInt('BENCH_REPORT_DELAY_MS', 1000);
const PACED_N = envInt('BENCH_PACED_N', 2000);
const PACED_RATE = Math.max(1, envInt('BENCH_PACED_RATE', 200));
const MODEM_SMS = envInt('BENCH_MODEM_SMS', 12);
const MODEM_SEND_MS = Math.max(1, envInt('BENCH_MODEM_SEND_MS', 3000));
const MODEM_POOLS = [1, 2, 4];
const TIMEOUT_MS = Math.max(1, envInt('BENCH_TIMEOUT_S', 240)) * 1000;
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? '';
const CPU_PROF = process.env.BENCH_CPU_PROF ?? '';
const KEEP = process.env.BENCH_KEEP === '1';

/** 70 Chinese characters: exactly one UCS-2 segment. */
const SHORT_TEXT = '您有一封新邮件：关于下周项目评审会议的安排，请在周五之前确认是否参加并回复。'
  .repeat(3)
  .slice(0, 70);
/** 300 Chinese characters: five UCS-2 segments of at most 67 characters. */
const LONG_TEXT = '这是一条很长的通知短信，内容包括会议时间、地点、议程和注意事项，请仔细阅读。'
  .repeat(10)
  .slice(0, 300);

// ---- small helpers

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const f0 = (x: number): string => x.toFixed(0);
const f1 = (x: number): string => x.toFixed(1);

// ---- HTTP client (keep-alive, like a real API client with a connection pool)

interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

class Api {
  private readonly agent: Agent;

  constructor(
    private readonly port: number,
    private readonly token: string,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  call(method: string, url: string, body?: unknown): Promise<HttpAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path: url,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            ...(payload
              ? { 'content-type': 'application/json', 'content-length': payload.length }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = {};
            try {
              parsed = text ? JSON.parse(text) : {};
            } catch {
              parsed = { raw: text };
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as Record<string, unknown> });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

// ---- the Dizi server as a child process

interface Server {
  pid: number;
  api: Api;
  dataDir: string;
  warnings: () => number;
  output: () => string;
  stop: () => Promise<void>;
  /** Status → count of the outbound SMS rows (SQLite only; null with PostgreSQL). */
  statusCounts: () => Record<string, number> | null;
  redisPids: number[];
}

async function startServer(links: Record<string, unknown>[], label: string): Promise<Server> {
  const data = mkdtempSync(path.join(tmpdir(), 'dizi-bench-sms-'));
  if (!KEEP) cleanups.push(() => rmSync(data, { recursive: true, force: true }));
  const configFile = path.join(data, 'bench-config.yaml');
  writeFileSync(configFile, toYaml({ links }));
  const httpPort = await freePort();
  const token = randomBytes(16).toString('hex');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DIZI_DATA: data,
    DIZI_CONFIG: configFile,
    DIZI_HOSTNAME: 'mx.example.test',
    DIZI_ROLES: 'web,worker',
    DIZI_LISTEN: '127.0.0.1',
    DIZI_HTTP_PORT: String(httpPort),
    DIZI_ADMIN_TOKEN: token,
    DIZI_LOG_LEVEL: 'warn',
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
  const keep = (d: Buffer) => {
    const s = d.toString('utf8');
    warnings += (s.match(/"level":(40|50|60)/g) ?? []).length;
    if (out.length < 20_000) out += s;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const api = new Api(httpPort, token, CLIENTS);
  let redisPids: number[] = [];
  let db: Sqlite.Database | null = null;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    db?.close();
    api.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 30_000))) {
        console.error(`# ${label}: the Dizi server did not stop in 30 s: SIGKILL`);
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
  };
  cleanups.push(stop);

  // Up when the admin API answers and shows every link up.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${label}: the Dizi server exited while starting\n${out}`);
    const r = await api.call('GET', '/api/admin/links').catch(() => null);
    const list = r?.status === 200 ? (r.body as unknown as Array<{ state: string }>) : null;
    if (Array.isArray(list) && list.length === links.length && list.every((l) => l.state === 'up'))
      break;
    if (Date.now() > deadline)
      throw new Error(`${label}: links not up after 60 s (${JSON.stringify(r?.body)})\n${out}`);
    await sleep(100);
  }
  redisPids = childPids(pid, 'redis-server');
  const dbFile = path.join(data, 'dizi.sqlite');
  if (!DATABASE_URL && existsSync(dbFile))
    db = new Sqlite(dbFile, { readonly: true, fileMustExist: true });
  const countStmt = db?.prepare<[], { status: string; c: number }>(
    "SELECT status, COUNT(*) AS c FROM sms_messages WHERE direction = 'out' GROUP BY status",
  );
  return {
    pid,
    api,
    dataDir: data,
    warnings: () => warnings,
    output: () => out,
    stop,
    redisPids,
    statusCounts: () =>
      countStmt ? Object.fromEntries(countStmt.all().map((r) => [r.status, r.c])) : null,
  };
}

// ---- part 1: CMPP 3.0

interface Track {
  tPost: number;
  segments: number;
  seen: number;
  tFirst: number;
  tLast: number;
}

interface RssSample {
  t: number;
  done: number;
  rssMb: number;
  /** Heap and other private memory; RSS less the mapped files (SQLite's mmap, code). */
  anonMb: number;
  redisRssMb: number;
}

/** Watches the simulator's SUBMITs (after every packet it reads) and sends the reports. */
class IsmgWatch {
  readonly byNumber = new Map<string, Track>();
  segmentsSeen = 0;
  smsDone = 0;
  duplicates = 0;
  refused = 0;
  firstSubmit = 0;
  lastSubmit = 0;
  private cursor = 0;
  private readonly reportQueue: { at: number; submit: ReceivedSubmit }[] = [];
  private reportHead = 0;
  private reportTimer: NodeJS.Timeout | null = null;
  reportsSent = 0;
  private stopped = false;

  constructor(private readonly ismg: CmppIsmgSimulator) {
    // waitFor's predicate runs after every packet the simulator reads: a cheap hook.
    void ismg
      .waitFor(
        () => {
          this.scan();
          return this.stopped;
        },
        24 * 3600_000,
        'the end of the bench',
      )
      .catch(() => undefined);
    if (REPORTS) {
      this.reportTimer = setInterval(() => this.flushReports(), 10);
    }
  }

  expect(number: string, segments: number, tPost: number): void {
    this.byNumber.set(number, { tPost, segments, seen: 0, tFirst: 0, tLast: 0 });
  }

  stop(): void {
    this.stopped = true;
    if (this.reportTimer) clearInterval(this.reportTimer);
    this.scan();
  }

  private scan(): void {
    const now = performance.now();
    const submits = this.ismg.submits;
    for (; this.cursor < submits.length; this.cursor++) {
      const s = submits[this.cursor];
      if (s.result === null) return; // answered later; look again after the next packet
      if (s.result !== 0) {
        this.refused++;
        continue;
      }
      const track = this.byNumber.get(s.submit.destTerminalIds[0]);
      if (!track) continue;
      if (track.seen >= track.segments) {
        this.duplicates++;
        continue;
      }
      track.seen++;
      this.segmentsSeen++;
      if (!this.firstSubmit) this.firstSubmit = now;
      this.lastSubmit = now;
      if (track.seen === 1) track.tFirst = now;
      if (track.seen === track.segments) {
        track.tLast = now;
        this.smsDone++;
      }
      if (REPORTS && s.submit.registeredDelivery === 1)
        this.reportQueue.push({ at: now + REPORT_DELAY_MS, submit: s });
    }
  }

  private flushReports(): void {
    const now = performance.now();
    let session;
    try {
      session = this.ismg.currentSession();
    } catch {
      return; // no session now: the reports wait for the link to log in again
    }
    while (this.reportHead < this.reportQueue.length) {
      const { at, submit } = this.reportQueue[this.reportHead];
      if (at > now) break;
      this.reportHead++;
      session.sequence = session.sequence >= 0x7fffffff ? 1 : session.sequence + 1;
      const dest = submit.submit.destTerminalIds[0];
      const bytes = encodeCmppPdu(
        {
          command: 'deliver',
          sequenceId: session.sequence,
          msgId: submit.msgId ?? 0n,
          destId: '',
          serviceId: '',
          tpPid: 0,
          tpUdhi: 0,
          msgFmt: 0,
          srcTerminalId: dest,
          srcTerminalType: 0,
          registeredDelivery: 1,
          msgContent: encodeStatusReport(
            {
              msgId: submit.msgId ?? 0n,
              stat: 'DELIVRD',
              submitTime: '2611231200',
              doneTime: '2611231200',
              destTerminalId: dest,
              smscSequence: 1,
            },
            0x30,
          ),
          reserveOrLinkId: '',
        },
        0x30,
      );
      session.socket.write(bytes);
      this.reportsSent++;
    }
    if (this.reportHead > 10_000) {
      this.reportQueue.splice(0, this.reportHead);
      this.reportHead = 0;
    }
  }
}

interface LoadResult {
  sms: number;
  segments: number;
  postS: number;
  submitS: number;
  segmentsPerS: number;
  smsPerS: number;
  postsPerS: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  firstSegment: { p50: number; p99: number };
  deliveredS: number | null;
}

/** POSTs the SMS (numbers base+i) with CLIENTS concurrent clients, or paced at `rate`. */
async function load(
  server: Server,
  watch: IsmgWatch,
  count: number,
  base: number,
  rate: number | null,
  onTick: () => void,
): Promise<LoadResult> {
  const numbers: string[] = [];
  let totalSegments = 0;
  const items = Array.from({ length: count }, (_, i) => {
    const long = i % 2 === 1;
    totalSegments += long ? 5 : 1;
    const to = String(base + i);
    numbers.push(to);
    return { to, text: long ? LONG_TEXT : SHORT_TEXT, segments: long ? 5 : 1 };
  });
  const smsBefore = watch.smsDone;
  const t0 = performance.now();
  let tPosted = 0;
  let failure: Error | null = null;
  const postOne = async (i: number) => {
    const it = items[i];
    watch.expect(it.to, it.segments, performance.now());
    const r = await server.api.call('POST', '/api/sms', { to: it.to, text: it.text });
    if (r.status !== 201) throw new Error(`POST /api/sms: ${r.status} ${JSON.stringify(r.body)}`);
  };
  const posting = (async () => {
    if (rate === null) {
      let next = 0;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < count && !failure) await postOne(next++);
        }),
      );
    } else {
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < count && !failure; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        inFlight.push(postOne(i));
      }
      await Promise.all(inFlight);
    }
    tPosted = performance.now();
  })().catch((err: Error) => {
    failure = err;
  });

  for (;;) {
    onTick();
    if (failure) throw failure;
    if (watch.smsDone - smsBefore >= count) break;
    if (performance.now() - t0 > TIMEOUT_MS)
      throw new Error(
        `timeout after ${TIMEOUT_MS / 1000} s: ${watch.smsDone - smsBefore}/${count} SMS at the ISMG`,
      );
    await sleep(50);
  }
  await posting;
  if (failure) throw failure;
  const tracks = numbers.map((n) => watch.byNumber.get(n)!);
  const firstSubmit = Math.min(...tracks.map((t) => t.tFirst));
  const lastSubmit = Math.max(...tracks.map((t) => t.tLast));
  const lat = tracks.map((t) => t.tLast - t.tPost).sort((a, b) => a - b);
  const first = tracks.map((t) => t.tFirst - t.tPost).sort((a, b) => a - b);
  const submitS = (lastSubmit - firstSubmit) / 1000;

  let deliveredS: number | null = null;
  if (REPORTS && server.statusCounts() !== null) {
    for (;;) {
      onTick();
      const c = server.statusCounts() ?? {};
      if ((c.delivered ?? 0) >= count + smsBefore) {
        deliveredS = (performance.now() - t0) / 1000;
        break;
      }
      if (performance.now() - t0 > TIMEOUT_MS)
        throw new Error(`timeout waiting for reports: ${JSON.stringify(c)}`);
      await sleep(50);
    }
  }
  for (const n of numbers) watch.byNumber.delete(n);
  return {
    sms: count,
    segments: totalSegments,
    postS: (tPosted - t0) / 1000,
    submitS,
    segmentsPerS: totalSegments / submitS,
    smsPerS: count / submitS,
    postsPerS: count / ((tPosted - t0) / 1000),
    latency: {
      p50: percentile(lat, 50),
      p90: percentile(lat, 90),
      p99: percentile(lat, 99),
      max: lat[lat.length - 1],
    },
    firstSegment: { p50: percentile(first, 50), p99: percentile(first, 99) },
    deliveredS,
  };
}

async function cmppPart(): Promise<void> {
  const ismg = await CmppIsmgSimulator.start({ accounts: { [ACCOUNT]: SECRET } });
  cleanups.push(() => ismg.close());
  const server = await startServer(
    [
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
        window: WINDOW,
        tps: TPS,
      },
    ],
    'cmpp',
  );
  const watch = new IsmgWatch(ismg);
  cleanups.push(() => watch.stop());

  const samples: RssSample[] = [];
  const sample = (done: number) => {
    samples.push({
      t: performance.now(),
      done,
      rssMb: procStatusKb(server.pid, 'VmRSS') / 1024,
      anonMb: procStatusKb(server.pid, 'RssAnon') / 1024,
      redisRssMb: server.redisPids.reduce((s, p) => s + procStatusKb(p, 'VmRSS'), 0) / 1024,
    });
  };
  sample(0);
  const idle = samples[0];
  const cpu0 = procCpuS(server.pid);
  const benchCpu0 = process.cpuUsage();
  const redisCpu0 = server.redisPids.reduce((s, p) => s + procCpuS(p), 0);
  let lastSample = 0;
  const res = await load(server, watch, N, 13_800_000_000, null, () => {
    const now = performance.now();
    if (now - lastSample >= 250) {
      lastSample = now;
      sample(watch.smsDone);
    }
  });
  sample(watch.smsDone);
  const serverCpuS = procCpuS(server.pid) - cpu0;
  const redisCpuS = server.redisPids.reduce((s, p) => s + procCpuS(p), 0) - redisCpu0;
  const peakMb = procStatusKb(server.pid, 'VmHWM') / 1024;
  const benchCpu = process.cpuUsage(benchCpu0);
  const benchCpuS = (benchCpu.user + benchCpu.system) / 1e6;

  console.log(
    `cmpp burst sms=${res.sms} segments=${res.segments} clients=${CLIENTS} window=${WINDOW} ` +
      `reports=${REPORTS ? 'on' : 'off'} segments_per_s=${f0(res.segmentsPerS)} sms_per_s=${f0(res.smsPerS)} ` +
      `submit_s=${res.submitS.toFixed(2)} post_s=${res.postS.toFixed(2)} posts_per_s=${f0(res.postsPerS)}`,
  );
  console.log(
    `cmpp burst latency_ms (POST -> last segment at the ISMG) p50=${f0(res.latency.p50)} ` +
      `p90=${f0(res.latency.p90)} p99=${f0(res.latency.p99)} max=${f0(res.latency.max)}; ` +
      `first segment p50=${f0(res.firstSegment.p50)} p99=${f0(res.firstSegment.p99)}` +
      (res.deliveredS !== null
        ? `; all ${res.sms} rows delivered after ${f1(res.deliveredS)} s`
        : ''),
  );
  // RSS across the run: at each quarter of the SMS done.
  const at = (q: number) => samples.find((s) => s.done >= q * N) ?? samples[samples.length - 1];
  const quarters = [0.25, 0.5, 0.75, 1].map((q) => at(q));
  console.log(
    `cmpp burst server_rss_mb (anon) idle=${f1(idle.rssMb)} (${f1(idle.anonMb)}) ` +
      quarters.map((s, i) => `${(i + 1) * 25}%=${f1(s.rssMb)} (${f1(s.anonMb)})`).join(' ') +
      ` peak=${f1(peakMb)} redis_rss_mb_end=${f1(quarters[3].redisRssMb)} ` +
      `server_cpu_s=${serverCpuS.toFixed(1)} redis_cpu_s=${redisCpuS.toFixed(1)} ` +
      `bench_cpu_s=${benchCpuS.toFixed(1)} (simulator and HTTP clients)`,
  );
  console.log(
    `cmpp aim segments_per_s>2000: ${res.segmentsPerS > 2000 ? 'met' : 'MISSED'} ` +
      `(${f0(res.segmentsPerS)}); rss 25%->100%: ${f1(quarters[3].rssMb - quarters[0].rssMb)} MB ` +
      `(anon ${f1(quarters[3].anonMb - quarters[0].anonMb)} MB)`,
  );
  if (watch.duplicates || watch.refused)
    console.log(`# duplicates=${watch.duplicates} refused=${watch.refused}`);

  if (PACED_N > 0) {
    const paced = await load(server, watch, PACED_N, 13_900_000_000, PACED_RATE, () => undefined);
    console.log(
      `cmpp paced sms=${paced.sms} rate=${PACED_RATE}/s segments_per_s=${f0(paced.segmentsPerS)} ` +
        `latency_ms p50=${f0(paced.latency.p50)} p90=${f0(paced.latency.p90)} ` +
        `p99=${f0(paced.latency.p99)} max=${f0(paced.latency.max)}; ` +
        `first segment p50=${f0(paced.firstSegment.p50)} p99=${f0(paced.firstSegment.p99)}` +
        ` server_rss_mb=${f1(procStatusKb(server.pid, 'VmRSS') / 1024)}`,
    );
  }
  watch.stop();
  const counts = server.statusCounts();
  if (counts) console.log(`# sms rows by status: ${JSON.stringify(counts)}`);
  if (server.warnings())
    console.log(`# cmpp: the server logged ${server.warnings()} warnings/errors`);
  await server.stop();
  await ismg.close();
}

// ---- part 2: GSM modem pools of 1, 2 and 4

async function modemPart(): Promise<void> {
  const pools: { size: number; prefix: string; modems: AtModemSimulator[] }[] = [];
  for (const size of MODEM_POOLS) {
    const modems: AtModemSimulator[] = [];
    for (let i = 0; i < size; i++) {
      const m = await AtModemSimulator.start({ sendMs: MODEM_SEND_MS });
      cleanups.push(() => m.close());
      modems.push(m);
    }
    pools.push({ size, prefix: `130${size}`, modems });
  }
  const server = await startServer(
    pools.map((p) => ({
      id: `pool-${p.size}`,
      kind: 'modem-pool',
      prefixes: [p.prefix],
      sendIntervalMs: MODEM_SEND_MS,
      statusReports: false,
      modems: p.modems.map((m, i) => ({ id: `m${i + 1}`, path: m.linkPath })),
    })),
    'modems',
  );
  const results: { size: number; seconds: number; perMin: number }[] = [];
  for (const p of pools) {
    const count = () => p.modems.reduce((n, m) => n + m.submits.length, 0);
    const before = count();
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: MODEM_SMS }, async (_, i) => {
        const r = await server.api.call('POST', '/api/sms', {
          to: `${p.prefix}${String(i).padStart(7, '0')}`,
          text: SHORT_TEXT,
        });
        if (r.status !== 201) throw new Error(`POST /api/sms: ${r.status}`);
      }),
    );
    while (count() - before < MODEM_SMS) {
      if (Date.now() - t0 > TIMEOUT_MS)
        throw new Error(`pool of ${p.size}: ${count() - before}/${MODEM_SMS} after the time-out`);
      await sleep(20);
    }
    const last = Math.max(...p.modems.flatMap((m) => m.submits.map((s) => s.at)));
    const seconds = (last - t0) / 1000;
    const perModem = p.modems.map((m) => m.submits.length);
    results.push({ size: p.size, seconds, perMin: (MODEM_SMS * 60) / seconds });
    console.log(
      `modems=${p.size} sms=${MODEM_SMS} send_ms=${MODEM_SEND_MS} seconds=${seconds.toFixed(1)} ` +
        `sms_per_min=${f1((MODEM_SMS * 60) / seconds)} per_modem=[${perModem.join(',')}]`,
    );
  }
  const one = results[0].perMin;
  console.log(
    `modems scaling (sms_per_min / (modems x sms_per_min of 1)): ` +
      results.map((r) => `${r.size}=${(r.perMin / (r.size * one)).toFixed(2)}`).join(' '),
  );
  if (server.warnings())
    console.log(`# modems: the server logged ${server.warnings()} warnings/errors`);
  await server.stop();
  for (const p of pools) for (const m of p.modems) await m.close();
}

// ---- main

async function main(): Promise<void> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Hard bound on the whole bench: every load has its own time-out, this is the backstop.
  const overall = setTimeout(
    () => {
      console.error('# bench:sms overall time-out');
      void cleanupAll().then(() => process.exit(1));
    },
    3 * TIMEOUT_MS + 180_000,
  );
  overall.unref();
  // BENCH_DIST names a copy of dist/ made beforehand (to compare two builds turn about).
  if (!process.env.BENCH_DIST) await snapshotDist(ROOT, SNAPSHOT, [SERVER]);
  console.log(
    `# bench:sms ${new Date().toISOString()} N=${N} clients=${CLIENTS} window=${WINDOW} ` +
      `tps=${TPS} reports=${REPORTS ? `on (+${REPORT_DELAY_MS} ms)` : 'off'} ` +
      `db=${DATABASE_URL ? 'postgres' : 'sqlite'}; ${cpus().length} cores ` +
      `(${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 20)} MB RAM, node ${process.version}`,
  );
  if (N > 0) await cmppPart();
  if (MODEM_SMS > 0) await modemPart();
}

main()
  .then(() => cleanupAll())
  .then(() => process.exit(0))
  .catch(async (err: Error) => {
    console.error(`bench:sms failed: ${err.message}`);
    await cleanupAll();
    process.exit(1);
  });
