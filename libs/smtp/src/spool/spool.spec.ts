import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { MessageTooBigError, Spool } from './spool';
import { SpoolEnvelope } from './spool-envelope';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function dataDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'dizi-spool-'));
  roots.push(d);
  return d;
}

const envelope = (to: string): SpoolEnvelope => ({
  sender: 'a@remote.test',
  recipients: [{ address: to }],
  clientIp: '127.0.0.1',
  helo: 'client.test',
  receivedAt: Date.now(),
  via: 'mx',
});

const messages = (spool: Spool) => readdirSync(spool.dir).filter((n) => n.endsWith('.eml'));

describe('Spool', () => {
  it('a committed message survives a restart; a received but uncommitted one does not', async () => {
    const data = dataDir();
    const spool = new Spool(data);
    await spool.init();
    const kept = await spool.put(Buffer.from('Subject: kept\n\nbody\n'), envelope('u@local.test'));
    assert.equal(readFileSync(kept.messageFile, 'utf8'), 'Subject: kept\r\n\r\nbody\r\n');
    // Received (on disk, fsync'd) but never committed: its 250 was never sent.
    const orphan = await spool.receive(
      Readable.from([Buffer.from('Subject: orphan\r\n\r\nx\r\n')]),
      Buffer.alloc(0),
      1 << 20,
    );
    assert.ok(existsSync(orphan.file));
    await spool.close(); // as if the process died here

    const after = new Spool(data);
    await after.init();
    const pending = await after.pending();
    assert.deepEqual(
      pending.map((e) => e.id),
      [kept.id],
    );
    assert.deepEqual(pending[0].envelope.recipients, [{ address: 'u@local.test' }]);
    assert.ok(!existsSync(orphan.file), 'the uncommitted file is removed at start');

    // Removed entries are gone for good, the file at once, the entry after a restart.
    await after.removeMany([kept.id]);
    assert.deepEqual(messages(after), []);
    await after.close();
    const third = new Spool(data);
    await third.init();
    assert.deepEqual(await third.pending(), []);
    await third.close();
  });

  it('a pending record whose file is gone is dropped (delivered just before a crash)', async () => {
    const data = dataDir();
    const spool = new Spool(data);
    await spool.init();
    const e = await spool.put(Buffer.from('Subject: x\r\n\r\nx\r\n'), envelope('u@local.test'));
    rmSync(e.messageFile);
    await spool.close();
    const again = new Spool(data);
    await again.init();
    assert.deepEqual(await again.pending(), []);
    await again.close();
  });

  it('a message over the limit leaves no file behind', async () => {
    const data = dataDir();
    const spool = new Spool(data);
    await spool.init();
    const big = Buffer.alloc(600 * 1024, 0x61);
    await assert.rejects(
      spool.receive(Readable.from([big, big]), Buffer.alloc(0), 700 * 1024),
      MessageTooBigError,
    );
    // Large messages are written while they arrive: the partial file is removed.
    assert.deepEqual(messages(spool), []);
    const ok = await spool.receive(Readable.from([big, big]), Buffer.from('X: 1\r\n'), 2 << 20);
    assert.equal(ok.size, 2 * big.length + 6);
    assert.equal(readFileSync(ok.file).length, ok.size);
    await ok.discard();
    assert.deepEqual(messages(spool), []);
    await spool.close();
  });

  it('takes over entries of the older layout (<id>.json next to <id>.eml)', async () => {
    const data = dataDir();
    const dir = path.join(data, 'spool');
    const first = new Spool(data);
    await first.init();
    await first.close();
    writeFileSync(path.join(dir, 'old1.eml'), 'Subject: old\r\n\r\nx\r\n');
    writeFileSync(path.join(dir, 'old1.json'), JSON.stringify(envelope('u@local.test')));
    writeFileSync(path.join(dir, 'old2.eml'), 'torn envelope');
    writeFileSync(path.join(dir, 'old2.json'), '{"sender":');
    writeFileSync(path.join(dir, 'old3.eml.tmp'), 'crash mid-DATA');
    const spool = new Spool(data);
    await spool.init();
    assert.deepEqual(
      (await spool.pending()).map((e) => e.id),
      ['old1'],
    );
    assert.deepEqual(
      readdirSync(dir)
        .filter((n) => !n.startsWith('journal.'))
        .sort(),
      ['old1.eml'],
    );
    await spool.close();
  });
});
