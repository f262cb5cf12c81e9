import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Client } from 'pg';
import type { RunResult } from './peers';
import { SmtpWire } from './smtp-wire';

/** The repository root (this file runs from dist/test/support). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface DiziProcessSettings {
  dataDir: string;
  /** Empty: the embedded SQLite file in the data folder. */
  databaseUrl: string;
  smtpPort: number;
  submissionPort: number;
  smtpsPort: number;
  httpPort: number;
  /** A config file (DIZI_CONFIG) for settings that have no environment variable. */
  configFile?: string;
}

/**
 * The environment of a server or CLI child: the parent's, minus any Dizi setting it
 * may carry (DATABASE_URL in the PostgreSQL pass, REDIS_URL), plus these settings.
 */
export function diziEnv(s: DiziProcessSettings): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('DIZI_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL') env[k] = v;
  }
  return {
    ...env,
    DIZI_DATA: s.dataDir,
    DATABASE_URL: s.databaseUrl,
    DIZI_HOSTNAME: 'mx.crash.test',
    DIZI_LISTEN: '127.0.0.1',
    DIZI_SMTP_PORT: String(s.smtpPort),
    DIZI_SUBMISSION_PORT: String(s.submissionPort),
    DIZI_SMTPS_PORT: String(s.smtpsPort),
    DIZI_HTTP_PORT: String(s.httpPort),
    DIZI_LOG_LEVEL: 'warn',
    ...(s.configFile ? { DIZI_CONFIG: s.configFile } : {}),
  };
}

/** `dizi …` (apps/cli/bin/dizi.js) against the same data folder and database. */
export function diziCli(s: DiziProcessSettings, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'apps/cli/bin/dizi.js'), ...args], {
      env: diziEnv(s),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * The real server (`node dist/apps/server/src/main.js`) as a child process, so a test
 * can SIGKILL it. Its output is kept for failure messages.
 */
export class DiziProcess {
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Starts the server and waits until its MX port greets (bounded). */
  static async start(s: DiziProcessSettings, timeoutMs = 20_000): Promise<DiziProcess> {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/apps/server/src/main.js')], {
      env: diziEnv(s),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p = new DiziProcess(child);
    let exited = false;
    void p.exited.then(() => (exited = true));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !exited) {
      const wire = await SmtpWire.connect(s.smtpPort, 2000).catch(() => null);
      if (wire) {
        const greeting = wire.banner.code;
        wire.destroy();
        if (greeting === 220) return p;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(
      `the Dizi server did not come up on port ${s.smtpPort}${exited ? ' (it exited)' : ''}:\n${p.output}`,
    );
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (a clean stop), SIGKILL if it takes longer than `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    this.child.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Pids of the redis-server processes serving this unix socket. redis-server rewrites its
 * process title (`redis-server unixsocket:/path`), so the whole cmdline is searched.
 */
export function redisServersOn(socketPath: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue; // gone meanwhile
    }
    if (/^\S*redis-server/.test(cmdline) && cmdline.includes(socketPath)) out.push(Number(name));
  }
  return out;
}

/** Whether the process runs (a zombie waiting for its reaper counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** One stored mailbox copy, as read straight from SQL. */
export interface StoredRow {
  messageId: string;
  blobId: string;
  subject: string;
}

/**
 * The rows of the `messages` table in a user's folders, read with the database's own
 * client (better-sqlite3 or pg), independently of the server's code.
 */
export async function readMailboxRows(
  s: Pick<DiziProcessSettings, 'dataDir' | 'databaseUrl'>,
  address: string,
): Promise<StoredRow[]> {
  const sql =
    'SELECT m.message_id AS "messageId", m.blob_id AS "blobId", m.subject AS subject ' +
    'FROM messages m JOIN folders f ON f.id = m.folder_id JOIN users u ON u.id = f.user_id ' +
    'WHERE u.address = $1';
  if (!s.databaseUrl) {
    const db = new BetterSqlite3(path.join(s.dataDir, 'dizi.sqlite'), {
      readonly: true,
      fileMustExist: true,
    });
    try {
      return db.prepare(sql.replace('$1', '?')).all(address) as StoredRow[];
    } finally {
      db.close();
    }
  }
  const c = new Client({ connectionString: s.databaseUrl });
  await c.connect();
  try {
    return (await c.query<StoredRow>(sql, [address])).rows;
  } finally {
    await c.end();
  }
}
