import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execFile } from 'node:child_process';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const BIN = path.resolve(__dirname, '../../../apps/cli/bin/dizi.js');

// The `dizi` admin command as an admin runs it: a separate process on the data folder.
describe('dizi CLI', () => {
  let dataDir: string;
  let db: TestDatabase;
  const dizi = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        {
          env: {
            ...process.env,
            DIZI_DATA: dataDir,
            DATABASE_URL: db.url,
            DIZI_LOG_LEVEL: 'silent',
          },
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout, err: stderr }),
      );
    });

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dizi-cli-'));
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('domains, users, aliases and groups round-trip', async () => {
    assert.equal(
      (await dizi('domain', 'add', 'Example.ORG')).out.trim(),
      'domain example.org added',
    );
    assert.match((await dizi('domain', 'list')).out, /^example\.org$/m);
    const add = await dizi(
      'user',
      'add',
      'li.lei@example.org',
      '--password',
      'lileipassword',
      '--quota',
      '20',
    );
    assert.equal(add.code, 0, add.err);
    assert.match(add.out, /user li\.lei@example\.org added \(quota 20 MB\)/);
    assert.match((await dizi('user', 'list')).out, /li\.lei@example\.org\tuser\t0\.0\/20 MB/);
    assert.equal(
      (await dizi('user', 'passwd', 'li.lei@example.org', '--password', 'newpassword1')).code,
      0,
    );
    assert.equal((await dizi('alias', 'add', 'info@example.org', 'li.lei@example.org')).code, 0);
    assert.match((await dizi('alias', 'list')).out, /info@example\.org\tli\.lei@example\.org/);
    assert.equal((await dizi('group', 'add', 'all@example.org', '--post', 'members')).code, 0);
    assert.equal(
      (await dizi('group', 'member', 'add', 'all@example.org', '*@example.org')).code,
      0,
    );
    assert.match((await dizi('group', 'list')).out, /all@example\.org\tmembers\t\*@example\.org/);
    assert.match((await dizi('queue', 'list')).out, /the queue is empty/);
    assert.match(
      (await dizi('domain', 'set', 'example.org', '--pop3', 'off')).out,
      /example\.org: imap on, pop3 off/,
    );
    assert.match(
      (await dizi('domain', 'set', 'example.org', '--imap', 'maybe')).err,
      /--imap takes on or off/,
    );
    assert.match(
      (await dizi('domain', 'set', 'example.org', '--max-users', '500')).out,
      /total space unlimited, users at most 500/,
    );
    assert.match(
      (await dizi('domain', 'set', 'example.org', '--quota', 'lots')).err,
      /--quota must be a whole number/,
    );
  });

  test('errors are clear, with a non-zero exit code', async () => {
    const dup = await dizi('domain', 'add', 'example.org');
    assert.equal(dup.code, 2);
    assert.match(dup.err, /dizi: domain example\.org exists already/);
    const nodomain = await dizi('user', 'add', 'x@unknown.test', '--password', 'password123');
    assert.match(
      nodomain.err,
      /domain unknown\.test is not hosted here; add it with `dizi domain add unknown\.test`/,
    );
    const short = await dizi('user', 'add', 'y@example.org', '--password', 'short');
    assert.match(short.err, /at least 8 characters/);
    const missing = await dizi('user', 'remove', 'ghost@example.org');
    assert.equal(missing.code, 3);
    const retry = await dizi('queue', 'retry', 'nosuchid');
    assert.match(retry.err, /no queued message nosuchid/);
    const usage = await dizi('user', 'add', 'z@example.org');
    assert.notEqual(usage.code, 0);
    assert.match(usage.err, /required option '--password/);
  });

  test('a domain with users cannot be removed until its users are', async () => {
    assert.match((await dizi('domain', 'remove', 'example.org')).err, /still has 1 user/);
    assert.equal((await dizi('user', 'remove', 'li.lei@example.org')).code, 0);
    assert.equal((await dizi('domain', 'remove', 'example.org')).code, 0);
  });
});
