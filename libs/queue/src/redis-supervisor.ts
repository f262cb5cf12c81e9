import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import Redis from 'ioredis';

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/**
 * The embedded Redis: a private `redis-server` on a unix socket in the data folder,
 * started with the server, restarted if it dies, stopped with the server. Used when
 * REDIS_URL is not set. Redis holds only schedules and pub/sub here (SQL holds the
 * truth), so it keeps nothing on disk.
 */
export class RedisSupervisor {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restarts = 0;
  readonly socketPath: string;
  private readonly dir: string;

  constructor(
    dataDir: string,
    private readonly log: Logger,
    private readonly onRestart: () => void = () => undefined,
  ) {
    this.dir = path.join(dataDir, 'redis');
    // unix socket paths are limited to 107 bytes; fall back to a short path in /tmp.
    const preferred = path.join(this.dir, 'redis.sock');
    this.socketPath =
      preferred.length < 100
        ? preferred
        : path.join(
            '/tmp',
            `dizi-redis-${Buffer.from(dataDir).toString('base64url').slice(-24)}.sock`,
          );
  }

  static binary(): string | null {
    const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : null;
  }

  url(): string {
    return `redis+unix://${this.socketPath}`;
  }

  async start(): Promise<void> {
    if (!RedisSupervisor.binary()) {
      throw new RedisUnavailableError(
        'redis-server is not installed. Install it (Debian/Ubuntu: `apt-get install -y redis-server`, which `npm start` does when run as root) or set REDIS_URL to a Redis server.',
      );
    }
    mkdirSync(this.dir, { recursive: true });
    await this.shutDownStale();
    await this.spawnOnce();
  }

  /**
   * A Dizi killed with SIGKILL leaves its redis-server running on our socket (nothing
   * stops an orphan). Starting a second one would unlink that socket and leak the old
   * process at every crash, so a server still answering there is shut down first. Redis
   * holds nothing SQL does not (see above), and the outbound schedule is reconciled.
   */
  private async shutDownStale(): Promise<void> {
    if (!existsSync(this.socketPath)) return;
    const probe = new Redis({
      path: this.socketPath,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
    } catch {
      probe.disconnect();
      return; // a dead socket file: spawnOnce removes it
    }
    this.log.warn({ socket: this.socketPath }, 'shutting down a stale private redis-server');
    // The server closes the connection as it exits, so the reply never comes.
    await probe.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    probe.disconnect();
    const deadline = Date.now() + 5000;
    while (existsSync(this.socketPath) && Date.now() < deadline) await sleep(20);
  }

  private async spawnOnce(): Promise<void> {
    rmSync(this.socketPath, { force: true });
    const child = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--unixsocket',
        this.socketPath,
        '--unixsocketperm',
        '700',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'no',
        // BullMQ must never lose keys to eviction.
        '--maxmemory-policy',
        'noeviction',
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    child.stdout?.on('data', (d: Buffer) =>
      this.log.debug({ redis: d.toString().trim() }, 'redis-server'),
    );
    child.stderr?.on('data', (d: Buffer) =>
      this.log.warn({ redis: d.toString().trim() }, 'redis-server'),
    );
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      if (this.stopping) return;
      this.log.error({ code, signal }, 'the private redis-server exited; restarting it');
      const delay = Math.min(30_000, 500 * 2 ** Math.min(this.restarts++, 6));
      setTimeout(() => {
        if (this.stopping) return;
        this.spawnOnce().then(this.onRestart, (err: Error) =>
          this.log.error({ err }, 'redis-server restart failed'),
        );
      }, delay).unref();
    });
    await this.waitReady();
    this.restarts = 0;
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (existsSync(this.socketPath)) {
        const probe = new Redis({
          path: this.socketPath,
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        try {
          await probe.connect();
          if ((await probe.ping()) === 'PONG') return;
        } catch {
          // not ready yet
        } finally {
          probe.disconnect();
        }
      }
      if (!this.child) break;
      await sleep(50);
    }
    throw new RedisUnavailableError(
      `the private redis-server did not start (socket ${this.socketPath})`,
    );
  }

  /** The running redis-server's pid (none between a crash and its restart). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * The server is stopping: a redis-server that exits from now on stays down. Called
   * first thing in a stop, long before `stop()` (which comes last, once the queues are
   * closed): a signal sent to the whole process group (Ctrl-C in a terminal, `timeout`,
   * a service manager) reaches redis-server at the same moment as us, and a restart in
   * the middle of our stop would leave a new redis-server behind.
   */
  beginStop(): void {
    this.stopping = true;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) {
      rmSync(this.socketPath, { force: true });
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
    rmSync(this.socketPath, { force: true });
  }
}
