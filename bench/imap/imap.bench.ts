/**
 * `npm run bench:imap`: reading a 5,000-message box from Dizi and from Dovecot, same
 * messages, same clients, same run.
 *
 * Method (the one of ../shared/reference/anchor-bench/dovecot-imap.py, whose client code
 * bench/imap/imap_clients.py follows): Python's imaplib and the anchor's plain socket POP3
 * client, one connection per run, loopback only. Figures, in messages per second:
 *   imap-meta    LOGIN, SELECT INBOX, FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE), LOGOUT
 *   imap-body    LOGIN, SELECT INBOX, FETCH n:n+499 (BODY.PEEK[]) up to the end, LOGOUT
 *   imap-search  LOGIN, SELECT INBOX, SEARCH BODY <word> (in 1 message of 10), LOGOUT
 *   pop3-raw     USER/PASS, STAT, RETR 1..N one at a time, QUIT
 * The box (bench/imap/messages.py): N messages in the format of Postfix's smtp-source (the
 * generator of the anchor's Maildir), SIZE bytes of body, the search word in 1 of EVERY.
 * Dizi gets them over SMTP (its MX port), Dovecot as Maildir files written the way
 * Postfix's local(8) does; loading is set-up, not measured.
 *
 * Dizi's plain IMAP and POP3 ports refuse LOGIN/USER before TLS, so its clients do
 * STARTTLS / STLS. Dovecot (a private instance with its own config, self-signed
 * certificate and ports; `ssl = yes`, plaintext auth allowed) is measured both with
 * STARTTLS (the fair comparison: the ratio) and without TLS (the anchor's figures).
 * Each figure: WARMUP unmeasured runs, then RUNS measured ones, interleaved Dizi /
 * Dovecot-TLS / Dovecot-plain run by run; the median is reported.
 *
 * Env: BENCH_N (5000), BENCH_SIZE (10240), BENCH_RUNS (3), BENCH_WARMUP (1),
 * BENCH_BATCH (500), BENCH_WORD (zanzibar), BENCH_EVERY (10), BENCH_LOAD_SESSIONS (8),
 * BENCH_TESTS (imap-meta,imap-body,imap-search,pop3-raw), BENCH_TIMEOUT_S (540, whole
 * bench), BENCH_SKIP_DOVECOT=1, BENCH_CPU_PROF=<dir> (server runs with --cpu-prof into
 * dir), BENCH_KEEP=1 (keep the data folders).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
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
const HERE = path.join(ROOT, 'bench', 'imap');
const CLIENTS = path.join(HERE, 'imap_clients.py');
const MESSAGES = path.join(HERE, 'messages.py');
/**
 * The server and CLI run from a private copy of dist/ (under the git-ignored .bench/):
 * other builds in the same tree rewrite dist/ while the bench runs.
 */
const SNAPSHOT = path.join(ROOT, '.bench', 'imap', 'dist');
const SERVER = path.join(SNAPSHOT, 'apps', 'server', 'src', 'main.js');
const CLI = path.join(SNAPSHOT, 'apps', 'cli', 'src', 'main.js');
const PYTHON = process.env.PYTHON ?? 'python3';
/** Dovecot's mail processes run as nobody: no user is added to the system. */
const MAIL_UID = 65534;
const MAIL_GID = 65534;

const N = envInt('BENCH_N', 5000);
const SIZE = envInt('BENCH_SIZE', 10240);
const RUNS = Math.max(1, envInt('BENCH_RUNS', 3));
const WARMUP = envInt('BENCH_WARMUP', 1);
const BATCH = Math.max(1, envInt('BENCH_BATCH', 500));
const EVERY = Math.max(1, envInt('BENCH_EVERY', 10));
const LOAD_SESSIONS = Math.max(1, envInt('BENCH_LOAD_SESSIONS', 8));
const TIMEOUT_MS = envInt('BENCH_TIMEOUT_S', 540) * 1000;
const WORD = process.env.BENCH_WORD ?? 'zanzibar';
const TESTS = (process.env.BENCH_TESTS ?? 'imap-meta,imap-body,imap-search,pop3-raw')
  .split(',')
  .filter(Boolean);
const SKIP_DOVECOT = process.env.BENCH_SKIP_DOVECOT === '1';
const CPU_PROF = process.env.BENCH_CPU_PROF ?? '';
const KEEP = process.env.BENCH_KEEP === '1';
const FOUND = Math.floor(N / EVERY);

const USER = 'bench@example.test';
const PASSWORD = 'benchpass1';

if (!/^[A-Za-z0-9]+$/.test(WORD)) throw new Error('BENCH_WORD must be one plain word');
for (const t of TESTS) {
  if (!['imap-meta', 'imap-body', 'imap-search', 'pop3-raw'].includes(t)) {
    throw new Error(`unknown test in BENCH_TESTS: ${t}`);
  }
}

/** One server as the clients see it. */
interface Target {
  readonly label: string;
  readonly imapPort: number;
  readonly pop3Port: number;
  readonly user: string;
  readonly password: string;
  readonly starttls: boolean;
  /** Process whose CPU time is sampled around each run (Dizi's server), if any. */
  readonly pid?: number;
  readonly pop3: boolean;
}

/** One measured run of one figure against one target. */
interface RunResult {
  readonly msgs: number;
  readonly bytes: number;
  readonly wallS: number;
  readonly clientCpuS: number;
  readonly serverCpuS?: number;
}

// ---- small helpers

function sh(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 300_000,
    env: opts.env ?? process.env,
  });
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status ?? r.signal ?? r.error?.message}): ` +
        `${r.stderr || r.stdout}`,
    );
  }
  return r.stdout.trim();
}

/** Runs a child to its end (async, so signals are still handled); rejects on failure. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 8000) err += d.toString('utf8');
    });
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    cleanups.push(kill);
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`${path.basename(args[0] ?? cmd)} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(args[0] ?? cmd)} failed (${code ?? signal}): ${err}`));
    });
  });
}

/** The first line a server sends on 127.0.0.1:port, or null if none in 2 s. */
function greeting(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.setTimeout(2000);
    sock.once('data', (d: Buffer) => {
      sock.destroy();
      resolve(d.toString('latin1').split('\r\n')[0] ?? '');
    });
    sock.once('error', () => resolve(null));
    sock.once('timeout', () => {
      sock.destroy();
      resolve(null);
    });
  });
}

async function waitForGreeting(
  what: string,
  port: number,
  prefix: string,
  deadlineMs: number,
  alive: () => boolean,
): Promise<void> {
  while (Date.now() < deadlineMs) {
    if (!alive()) throw new Error(`${what} exited while starting`);
    const g = await greeting(port);
    if (g?.startsWith(prefix)) return;
    await sleep(200);
  }
  throw new Error(`no ${what} greeting on 127.0.0.1:${port}`);
}

async function stopChild(child: ChildProcess, what: string, extraPids: number[] = []) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    if (!(await waitExit(child, 30_000))) {
      console.error(`# ${what} did not stop in 30 s: SIGKILL`);
      child.kill('SIGKILL');
      await waitExit(child, 5000);
    }
  }
  for (const pid of extraPids) {
    if (!isAlive(pid)) continue;
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

/** The 1, 5 and 15 minute load averages: other work on the machine skews the figures. */
function loadAvg(): string {
  return loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
}

/** Resident and peak resident memory of a process, in MB. */
function memory(pid: number): string {
  const mb = (field: string) => (procStatusKb(pid, field) / 1024).toFixed(1);
  return `rss_mb=${mb('VmRSS')} peak_rss_mb=${mb('VmHWM')}`;
}

// ---- Dizi

interface Dizi {
  readonly target: Target;
  readonly warnings: () => number;
}

async function startDizi(): Promise<Dizi> {
  const data = mkdtempSync(path.join(tmpdir(), 'dizi-bench-imap-'));
  if (!KEEP) cleanups.push(() => rmSync(data, { recursive: true, force: true }));
  // The SMTP per-IP connection limits are anti-abuse defaults; the loader stays under
  // them, but they are lifted as in bench:smtp so that set-up never trips them.
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
  const ports: number[] = [];
  while (ports.length < 8) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  const [smtp, submission, smtps, imap, imaps, pop3, pop3s, http] = ports;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DIZI_DATA: data,
    DIZI_CONFIG: configFile,
    DIZI_HOSTNAME: 'bench.test',
    DIZI_LISTEN: '127.0.0.1',
    DIZI_SMTP_PORT: String(smtp),
    DIZI_SUBMISSION_PORT: String(submission),
    DIZI_SMTPS_PORT: String(smtps),
    DIZI_IMAP_PORT: String(imap),
    DIZI_IMAPS_PORT: String(imaps),
    DIZI_POP3_PORT: String(pop3),
    DIZI_POP3S_PORT: String(pop3s),
    DIZI_HTTP_PORT: String(http),
    DIZI_LOG_LEVEL: 'warn',
  };
  sh(process.execPath, [CLI, 'domain', 'add', 'example.test'], { env });
  sh(process.execPath, [CLI, 'user', 'add', USER, '--password', PASSWORD, '--quota', '0'], {
    env,
  });

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
  cleanups.push(() => stopChild(server, 'the Dizi server', redisPids));

  const alive = () => server.exitCode === null && server.signalCode === null;
  try {
    const deadline = Date.now() + 60_000;
    await waitForGreeting('Dizi SMTP', smtp, '220', deadline, alive);
    await waitForGreeting('Dizi IMAP', imap, '* OK', deadline, alive);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${serverOut}`);
  }
  redisPids = childPids(serverPid, 'redis-server');
  // POP3 is measured only when this build of the server listens on the POP3 port.
  const pop3Greeting = await greeting(pop3);
  const pop3Up = pop3Greeting?.startsWith('+OK') ?? false;

  // Load the box over SMTP, then wait until every message is in the store.
  const t0 = performance.now();
  const sent = await run(
    PYTHON,
    [
      MESSAGES,
      'smtp',
      '--port',
      String(smtp),
      '--sessions',
      String(LOAD_SESSIONS),
      '--n',
      String(N),
      '--size',
      String(SIZE),
      '--word',
      WORD,
      '--every',
      String(EVERY),
      '--rcpt',
      USER,
    ],
    TIMEOUT_MS,
  );
  const db = new Sqlite(path.join(data, 'dizi.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const count = db.prepare<[], { c: number }>('SELECT COUNT(*) AS c FROM messages');
    for (;;) {
      const c = count.get()?.c ?? 0;
      if (c >= N) break;
      if (!alive()) throw new Error(`the Dizi server exited while loading\n${serverOut}`);
      if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`load: ${c}/${N} stored`);
      await sleep(100);
    }
  } finally {
    db.close();
  }
  const loadS = (performance.now() - t0) / 1000;
  console.log(
    `# dizi loaded ${N} messages over SMTP in ${loadS.toFixed(1)} s (${sent.trim()}); ` +
      `pop3 ${pop3Up ? 'listening' : `not answering on its port (${pop3Greeting ?? 'no greeting'})`}`,
  );
  return {
    target: {
      label: 'dizi',
      imapPort: imap,
      pop3Port: pop3,
      user: USER,
      password: PASSWORD,
      starttls: true,
      pid: serverPid,
      pop3: pop3Up,
    },
    warnings: () => warnings,
  };
}

// ---- Dovecot (the anchor)

function ensureDovecot(): void {
  if (existsSync('/usr/sbin/dovecot') && existsSync('/usr/lib/dovecot/imap')) {
    if (existsSync('/usr/lib/dovecot/pop3')) return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      'Dovecot is missing: run as root (the bench installs dovecot-imapd and dovecot-pop3d), ' +
        'or set BENCH_SKIP_DOVECOT=1',
    );
  }
  console.log('# installing dovecot-imapd and dovecot-pop3d (apt-get)');
  sh('apt-get', ['update', '-qq']);
  sh('apt-get', ['install', '-y', '-qq', 'dovecot-imapd', 'dovecot-pop3d'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

async function startDovecot(): Promise<{ plain: Target; tls: Target }> {
  if (process.getuid?.() !== 0) throw new Error('Dovecot is started as root: run as root');
  ensureDovecot();
  const dir = mkdtempSync(path.join(tmpdir(), 'dovecot-bench-imap-'));
  if (!KEEP) cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755); // the auth and mail processes (dovecot, nobody) read in here
  const home = path.join(dir, 'home');
  mkdirSync(path.join(dir, 'run'));
  mkdirSync(home);
  sh('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=bench.test',
    '-keyout',
    path.join(dir, 'key.pem'),
    '-out',
    path.join(dir, 'cert.pem'),
  ]);
  chmodSync(path.join(dir, 'key.pem'), 0o600);
  writeFileSync(
    path.join(dir, 'passwd'),
    `bench:{PLAIN}benchpass:${MAIL_UID}:${MAIL_GID}::${home}\n`,
    { mode: 0o644 },
  );
  const [imap, pop3] = [await freePort(), await freePort()];
  const dh = '/usr/share/dovecot/dh.pem';
  // The anchor's dovecot-bench.conf, plus its own base_dir, ports, log and TLS material.
  const conf = [
    'protocols = imap pop3',
    'listen = 127.0.0.1',
    `base_dir = ${dir}/run`,
    'instance_name = dizi-bench-imap',
    'ssl = yes',
    `ssl_cert = <${dir}/cert.pem`,
    `ssl_key = <${dir}/key.pem`,
    ...(existsSync(dh) ? [`ssl_dh = <${dh}`] : []),
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    'mail_location = maildir:~/Maildir',
    `log_path = ${dir}/dovecot.log`,
    `service imap-login {\n  inet_listener imap {\n    port = ${imap}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
    `service pop3-login {\n  inet_listener pop3 {\n    port = ${pop3}\n  }\n  inet_listener pop3s {\n    port = 0\n  }\n}`,
    `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%n ${dir}/passwd\n}`,
    `userdb {\n  driver = passwd-file\n  args = username_format=%n ${dir}/passwd\n}`,
    '',
  ].join('\n');
  const confFile = path.join(dir, 'dovecot.conf');
  writeFileSync(confFile, conf);
  sh('dovecot', ['-c', confFile, '-n']); // syntax check

  await run(
    PYTHON,
    [
      MESSAGES,
      'maildir',
      '--dir',
      path.join(home, 'Maildir'),
      '--n',
      String(N),
      '--size',
      String(SIZE),
      '--word',
      WORD,
      '--every',
      String(EVERY),
      '--rcpt',
      USER,
    ],
    TIMEOUT_MS,
  );
  sh('chown', ['-R', `${MAIL_UID}:${MAIL_GID}`, home]);

  const master = spawn('dovecot', ['-F', '-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    if (out.length < 20_000) out += d.toString('utf8');
  };
  master.stdout?.on('data', keep);
  master.stderr?.on('data', keep);
  cleanups.push(() => stopChild(master, 'Dovecot'));
  const alive = () => master.exitCode === null && master.signalCode === null;
  try {
    const deadline = Date.now() + 30_000;
    await waitForGreeting('Dovecot IMAP', imap, '* OK', deadline, alive);
    await waitForGreeting('Dovecot POP3', pop3, '+OK', deadline, alive);
  } catch (err) {
    const log = existsSync(path.join(dir, 'dovecot.log'))
      ? readFileSync(path.join(dir, 'dovecot.log'), 'utf8')
      : '';
    throw new Error(`${(err as Error).message}\n${out}\n${log}`);
  }
  const version = sh('dovecot', ['--version']);
  console.log(`# dovecot ${version} started (pid ${master.pid}), ${N} messages in its Maildir`);
  const base = {
    imapPort: imap,
    pop3Port: pop3,
    user: 'bench',
    password: 'benchpass',
    pop3: true,
  };
  return {
    tls: { ...base, label: 'dovecot-tls', starttls: true },
    plain: { ...base, label: 'dovecot-plain', starttls: false },
  };
}

// ---- measuring

async function measure(target: Target, test: string): Promise<RunResult> {
  const args = [
    CLIENTS,
    '--imap-port',
    String(target.imapPort),
    '--pop3-port',
    String(target.pop3Port),
    '--user',
    target.user,
    '--password',
    target.password,
    '--runs',
    '1',
    '--warmup',
    '0',
    '--batch',
    String(BATCH),
    '--word',
    WORD,
    '--expect-found',
    String(FOUND),
    '--tests',
    test,
    '--label',
    target.label,
    ...(target.starttls ? ['--starttls'] : []),
  ];
  const cpu0 = target.pid ? procCpuS(target.pid) : 0;
  const out = await run(PYTHON, args, 300_000);
  const cpu1 = target.pid ? procCpuS(target.pid) : 0;
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`${target.label} ${test}: no RESULT line in ${out}`);
  const r = JSON.parse(line.slice(7)) as {
    msgs: number;
    bytes: number;
    wall_s: number;
    client_cpu_s: number;
  };
  if (r.msgs !== N) throw new Error(`${target.label} ${test}: ${r.msgs} messages, ${N} expected`);
  return {
    msgs: r.msgs,
    bytes: r.bytes,
    wallS: r.wall_s,
    clientCpuS: r.client_cpu_s,
    serverCpuS: target.pid ? cpu1 - cpu0 : undefined,
  };
}

function describe(r: RunResult): string {
  return (
    `wall_s=${r.wallS.toFixed(3)} msgs_per_s=${(r.msgs / r.wallS).toFixed(0)} ` +
    `MB_per_s=${(r.bytes / 1e6 / r.wallS).toFixed(1)} client_cpu_s=${r.clientCpuS.toFixed(2)}` +
    (r.serverCpuS !== undefined ? ` server_cpu_s=${r.serverCpuS.toFixed(2)}` : '')
  );
}

// ---- main

async function main(): Promise<void> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Hard bound on the whole bench.
  const overall = setTimeout(() => {
    console.error(`# bench:imap overall time-out (${TIMEOUT_MS / 1000} s)`);
    void cleanupAll().then(() => process.exit(1));
  }, TIMEOUT_MS);
  overall.unref();
  const started = performance.now();

  await snapshotDist(ROOT, SNAPSHOT, [SERVER, CLI]);
  console.log(
    `# bench:imap ${new Date().toISOString()} N=${N} SIZE=${SIZE} RUNS=${RUNS} WARMUP=${WARMUP} ` +
      `BATCH=${BATCH} search "${WORD}" in ${FOUND} messages; ${cpus().length} cores ` +
      `(${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 20)} MB RAM, ` +
      `node ${process.version}, ${sh(PYTHON, ['--version'])}, load average ${loadAvg()}`,
  );

  const dizi = await startDizi();
  console.log(`# dizi server after loading: ${memory(dizi.target.pid!)}`);
  const targets: Target[] = [dizi.target];
  if (!SKIP_DOVECOT) {
    const dovecot = await startDovecot();
    targets.push(dovecot.tls, dovecot.plain);
  }

  const results = new Map<string, RunResult[]>(); // `${label} ${test}` -> measured runs
  for (const test of TESTS) {
    for (let r = 1 - WARMUP; r <= RUNS; r++) {
      for (const target of targets) {
        if (test === 'pop3-raw' && !target.pop3) continue;
        const res = await measure(target, test);
        const tag = r > 0 ? `run=${r}` : 'warmup';
        console.log(`${target.label} ${test} ${tag} ${describe(res)}`);
        if (r > 0) {
          const key = `${target.label} ${test}`;
          results.set(key, [...(results.get(key) ?? []), res]);
        }
      }
    }
    console.log(`# dizi server after ${test}: ${memory(dizi.target.pid!)}`);
  }

  const rate = (label: string, test: string): number | undefined => {
    const rs = results.get(`${label} ${test}`);
    return rs ? median(rs.map((x) => x.msgs / x.wallS)) : undefined;
  };
  const mb = (label: string, test: string): number | undefined => {
    const rs = results.get(`${label} ${test}`);
    return rs ? median(rs.map((x) => x.bytes / 1e6 / x.wallS)) : undefined;
  };
  const spread = (label: string, test: string): string => {
    const rs = results.get(`${label} ${test}`)?.map((x) => x.msgs / x.wallS);
    return rs ? `${Math.min(...rs).toFixed(0)}..${Math.max(...rs).toFixed(0)}` : '-';
  };
  const fmt = (x: number | undefined, digits = 0) => (x === undefined ? '-' : x.toFixed(digits));
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? '-' : (a / b).toFixed(2);
  console.log(`# summary: median msgs/s of ${RUNS} warm run${RUNS > 1 ? 's' : ''}`);
  console.log(
    'figure        dizi(tls)  dovecot(tls)  ratio  dovecot(plain)  ratio  dizi_server_cpu_s',
  );
  for (const test of TESTS) {
    const d = rate('dizi', test);
    const dt = rate('dovecot-tls', test);
    const dp = rate('dovecot-plain', test);
    const cpu = results.get(`dizi ${test}`);
    console.log(
      `${test.padEnd(13)} ${(d === undefined ? 'not measured' : fmt(d)).padStart(9)}  ` +
        `${fmt(dt).padStart(12)}  ${ratio(d, dt).padStart(5)}  ${fmt(dp).padStart(14)}  ` +
        `${ratio(d, dp).padStart(5)}  ${cpu ? median(cpu.map((x) => x.serverCpuS ?? 0)).toFixed(2) : '-'}`,
    );
  }
  for (const test of TESTS) {
    console.log(
      `min..max ${test}: dizi=${spread('dizi', test)} dovecot-tls=${spread('dovecot-tls', test)} ` +
        `dovecot-plain=${spread('dovecot-plain', test)}`,
    );
  }
  for (const test of TESTS) {
    if (test === 'imap-search') continue;
    console.log(
      `MB_per_s ${test}: dizi=${fmt(mb('dizi', test), 1)} dovecot-tls=${fmt(mb('dovecot-tls', test), 1)} ` +
        `dovecot-plain=${fmt(mb('dovecot-plain', test), 1)}`,
    );
  }
  if (TESTS.includes('pop3-raw') && !dizi.target.pop3) {
    console.log('# dizi pop3-raw: not measured (no POP3 listener in this build of the server)');
  }
  console.log(
    `# dizi server ${memory(dizi.target.pid!)}; warnings/errors logged: ${dizi.warnings()}` +
      `; bench took ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${loadAvg()}`,
  );
}

main()
  .then(() => cleanupAll())
  .then(() => process.exit(0))
  .catch(async (err: Error) => {
    console.error(`bench:imap failed: ${err.message}`);
    await cleanupAll();
    process.exit(1);
  });
