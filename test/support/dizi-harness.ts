import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueueAdmin, startAdminHttp } from '@dizi/admin';
import { deepMerge, DiziConfig, loadConfig } from '@dizi/config';
import { createLogger } from '@dizi/logging';
import { MessageEntity } from '@dizi/store';
import { DiziRuntime, DiziServices } from '../../apps/server/src/runtime';
import { createTestDatabase, TestDatabase } from './test-database';

export interface HarnessOptions {
  /** Settings merged over the test defaults (ports 0, loopback, short delays). */
  config?: Record<string, unknown>;
  /** An existing data folder (restart tests); a new temp folder otherwise. */
  dataDir?: string;
  http?: boolean;
  /** Share another harness's database (a second node of one installation). */
  sharedDatabaseUrl?: string;
}

/**
 * A real Dizi server in this process for end-to-end tests: its own data folder, its own
 * private redis-server, SQLite (or a fresh PostgreSQL database in the PostgreSQL pass),
 * every listener on an OS-chosen loopback port.
 */
export class DiziHarness {
  private constructor(
    readonly runtime: DiziRuntime,
    readonly config: DiziConfig,
    private readonly database: TestDatabase,
    private readonly ownsDataDir: boolean,
    private readonly opts: HarnessOptions,
  ) {}

  static async start(opts: HarnessOptions = {}): Promise<DiziHarness> {
    const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'dizi-test-'));
    const database: TestDatabase =
      opts.sharedDatabaseUrl !== undefined
        ? { url: opts.sharedDatabaseUrl, drop: async () => undefined }
        : await createTestDatabase();
    const config = loadConfig(
      {},
      deepMerge(testDefaults(dataDir, database.url), opts.config ?? {}),
    );
    const log = createLogger(process.env.DIZI_TEST_LOG ?? 'silent');
    const runtime = await DiziRuntime.start(
      config,
      log,
      opts.http === false
        ? undefined
        : (s) =>
            startAdminHttp(
              {
                directory: s.directory,
                queue: new QueueAdmin(s.outboundRepo, s.blobs, s.outbound),
                auth: { token: config.http.adminToken },
                sms: s.sms,
                smsLinks: s.smsLinks,
                linkAdmin: s.linkAdmin,
                notify: s.notify,
                billing: s.billing,
                log,
              },
              0,
              '127.0.0.1',
            ),
    );
    return new DiziHarness(runtime, config, database, !opts.dataDir, opts);
  }

  /**
   * A restart: stops this server cleanly and starts a new one with the same options on
   * the same data folder and database. The new harness owns them (its stop() removes
   * them); this one must not be used any more.
   */
  async restart(): Promise<DiziHarness> {
    await this.runtime.stop();
    const next = await DiziHarness.start({
      ...this.opts,
      dataDir: this.config.dataDir,
      sharedDatabaseUrl: this.database.url,
    });
    return new DiziHarness(next.runtime, next.config, this.database, this.ownsDataDir, this.opts);
  }

  get databaseUrl(): string {
    return this.database.url;
  }

  get services(): DiziServices {
    return this.runtime.services;
  }
  get smtpPort(): number {
    return this.runtime.port('mx');
  }
  get submissionPort(): number {
    return this.runtime.port('submission');
  }
  get smtpsPort(): number {
    return this.runtime.port('smtps');
  }
  get imapPort(): number {
    return this.runtime.port('imap');
  }
  get imapsPort(): number {
    return this.runtime.port('imaps');
  }
  get pop3Port(): number {
    return this.runtime.port('pop3');
  }
  get pop3sPort(): number {
    return this.runtime.port('pop3s');
  }
  get httpPort(): number {
    return this.runtime.port('http');
  }

  async addUser(address: string, password = 'password123', quotaMb?: number): Promise<void> {
    const domain = address.slice(address.indexOf('@') + 1);
    if (!(await this.services.directory.isLocalDomain(domain)))
      await this.services.directory.addDomain(domain);
    await this.services.directory.addUser({ address, password, quotaMb });
  }

  /** Messages in a user's folder, oldest first. */
  async messages(address: string, folder = 'INBOX'): Promise<MessageEntity[]> {
    const user = await this.services.directoryRepo.findUser(address);
    if (!user) throw new Error(`no user ${address}`);
    const f = await this.services.mailboxes.findFolder(user.id, folder);
    return f ? this.services.mailboxes.listMessages(f.id) : [];
  }

  /** Waits until the user's folder holds at least `count` messages; returns them. */
  async waitForMessages(
    address: string,
    count: number,
    timeoutMs = 10_000,
    folder = 'INBOX',
  ): Promise<MessageEntity[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.services.processor.idle();
      const msgs = await this.messages(address, folder);
      if (msgs.length >= count) return msgs;
      if (Date.now() > deadline)
        throw new Error(
          `${address}/${folder}: ${msgs.length} of ${count} messages after ${timeoutMs} ms`,
        );
      await sleep(50);
    }
  }

  async raw(m: MessageEntity): Promise<string> {
    return (await this.services.blobs.read(m.blobId)).toString('utf8');
  }

  async stop(): Promise<void> {
    await this.runtime.stop();
    await this.database.drop();
    if (this.ownsDataDir) rmSync(this.config.dataDir, { recursive: true, force: true });
  }
}

export function testDefaults(dataDir: string, databaseUrl: string): Record<string, unknown> {
  return {
    dataDir,
    databaseUrl,
    hostname: 'mx.dizi.test',
    smtp: {
      listenHost: '127.0.0.1',
      port: 0,
      submissionPort: 0,
      smtpsPort: 0,
      authFailureDelayMs: 50,
    },
    imap: { listenHost: '127.0.0.1', port: 0, tlsPort: 0, failedLoginDelayMs: 50 },
    pop3: { listenHost: '127.0.0.1', port: 0, tlsPort: 0, failedLoginDelayMs: 50 },
    http: { listenHost: '127.0.0.1', port: 0, adminToken: 'test-admin-token' },
    delivery: { retryIntervalSeconds: 1, connectTimeoutMs: 2000 },
    log: { level: 'silent' },
  };
}
