import { ChildProcess, execFile, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion (never throws on a non-zero exit; the test checks). */
export function run(
  cmd: string,
  args: string[],
  input?: string,
  timeoutMs = 60_000,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as NodeJS.ErrnoException).code === 'number'
            ? Number((err as NodeJS.ErrnoException).code)
            : 1
          : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** swaks, the independent SMTP test client (Debian package `swaks`). */
export function swaks(args: string[]): Promise<RunResult> {
  return run('swaks', ['--suppress-data', '--timeout', '20', ...args]);
}

/** Runs a Python 3 snippet (stdlib clients: smtplib, imaplib, poplib). */
export function python(code: string): Promise<RunResult> {
  return run('python3', ['-c', code]);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Postfix's smtp-sink: an independent SMTP receiver. `-c` counts, `-d` dumps each
 * message to a file in `dumpDir` when given.
 */
export class SmtpSink {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private output: string,
  ) {}

  static async start(extraArgs: string[] = []): Promise<SmtpSink> {
    const port = await freePort();
    const child = spawn(
      '/usr/sbin/smtp-sink',
      ['-c', '-u', 'nobody', ...extraArgs, `127.0.0.1:${port}`, '128'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const sink = new SmtpSink(child, port, '');
    child.stdout?.on('data', (d: Buffer) => (sink.output += d.toString('latin1')));
    child.stderr?.on('data', (d: Buffer) => (sink.output += d.toString('latin1')));
    for (let i = 0; i < 100; i++) {
      if (await canConnect(port)) return sink;
      await sleep(50);
    }
    child.kill();
    throw new Error(`smtp-sink did not start: ${sink.output}`);
  }

  /** Messages received so far, from smtp-sink's `-c` counter. */
  received(): number {
    const m = [...this.output.replace(/\r/g, '\n').matchAll(/mesg=(\d+)/g)];
    return m.length ? Number(m[m.length - 1][1]) : 0;
  }

  async waitFor(n: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received() < n) {
      if (Date.now() > deadline)
        throw new Error(`smtp-sink got ${this.received()} of ${n} messages`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((r) => {
      this.child.once('exit', () => r());
      this.child.kill('SIGTERM');
    });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
