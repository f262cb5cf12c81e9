import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { DirSyncer } from '@dizi/store';
import { SpoolEnvelope } from './spool-envelope';
import { parseJournal, SpoolJournal } from './spool-journal';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function folder(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'dizi-journal-'));
  roots.push(d);
  return d;
}

function envelope(n: number): SpoolEnvelope {
  return {
    sender: `s${n}@remote.test`,
    recipients: [{ address: `u${n}@local.test` }],
    clientIp: '127.0.0.1',
    helo: 'client.test',
    receivedAt: 1_700_000_000_000 + n,
    via: 'mx',
  };
}

const journals = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('journal.'));

async function open(dir: string, rotateBytes?: number) {
  const sync = new DirSyncer(dir);
  const failures: Error[] = [];
  const r = await SpoolJournal.open(dir, sync, (e) => failures.push(e), [], rotateBytes);
  return { ...r, sync, failures };
}

describe('SpoolJournal', () => {
  it('an entry is pending from its added record until its done record', async () => {
    const dir = folder();
    const a = await open(dir);
    assert.deepEqual(a.pending, []);
    await a.journal.add('id1', envelope(1));
    await a.journal.add('id2', envelope(2));
    await a.journal.add('id3', envelope(3));
    await a.journal.done(['id2']);
    await a.journal.close();
    await a.sync.close();

    const b = await open(dir);
    assert.deepEqual(
      b.pending.map((p) => p.id).sort(),
      ['id1', 'id3'],
      'done entries are not pending after a restart',
    );
    assert.deepEqual(b.pending.find((p) => p.id === 'id3')?.envelope, envelope(3));
    // The restart carried the pending entries into one new file and removed the old one.
    assert.deepEqual(journals(dir), ['journal.0000000002']);
    await b.journal.close();
    await b.sync.close();
  });

  it('skips a torn or damaged line and keeps every record around it', async () => {
    const dir = folder();
    const a = await open(dir);
    await a.journal.add('before', envelope(1));
    await a.journal.close();
    await a.sync.close();
    // A valid record for another entry, as another journal wrote it.
    const other = folder();
    const o = await open(other);
    await o.journal.add('after', envelope(2));
    await o.journal.close();
    await o.sync.close();
    const record = readFileSync(path.join(other, journals(other)[0]), 'utf8');

    const file = path.join(dir, journals(dir)[0]);
    const whole = readFileSync(file, 'utf8');
    // A record cut short by a crash, garbage, then a record written after them.
    appendFileSync(file, whole.slice(0, whole.length - 20));
    appendFileSync(file, Buffer.from([0, 0, 0, 0x7b, 0x22]));
    appendFileSync(file, record);

    const c = await open(dir);
    assert.deepEqual(c.pending.map((p) => p.id).sort(), ['after', 'before']);
    await c.journal.close();
    await c.sync.close();
  });

  it('a line whose check value does not match is not taken', () => {
    const good =
      '\n{"a":"x","e":{"sender":"","recipients":[],"clientIp":"","helo":"","receivedAt":0,"via":"mx"}}';
    assert.deepEqual(parseJournal(Buffer.from(`\n00000000 ${good.slice(1)}`)), []);
    assert.deepEqual(parseJournal(Buffer.from('\nnot a record\n\n')), []);
  });

  it('rotates past its size limit, carrying pending entries over, and drops old files', async () => {
    const dir = folder();
    const a = await open(dir, 2000);
    for (let n = 0; n < 40; n++) await a.journal.add(`id${n}`, envelope(n));
    await a.journal.done(Array.from({ length: 35 }, (_, n) => `id${n}`));
    for (let n = 40; n < 60; n++) {
      await a.journal.add(`id${n}`, envelope(n));
      await a.journal.settled();
    }
    assert.deepEqual(a.failures, []);
    const names = journals(dir);
    assert.ok(names.length <= 2, `old files are removed: ${names.join(', ')}`);
    assert.ok(Number(names.at(-1)!.slice(8)) > 3, `it rotated: ${names.join(', ')}`);
    assert.equal(a.journal.size, 25);
    await a.journal.close();
    await a.sync.close();

    const b = await open(dir);
    const want = [...Array.from({ length: 5 }, (_, n) => `id${n + 35}`)];
    for (let n = 40; n < 60; n++) want.push(`id${n}`);
    assert.deepEqual(b.pending.map((p) => p.id).sort(), want.sort());
    await b.journal.close();
    await b.sync.close();
  });

  it('takes entries found in another form (the older envelope files) into the journal', async () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'journal.0000000007'), '');
    const sync = new DirSyncer(dir);
    const { journal, pending } = await SpoolJournal.open(dir, sync, () => undefined, [
      { id: 'legacy', envelope: envelope(9) },
    ]);
    assert.deepEqual(pending, [{ id: 'legacy', envelope: envelope(9) }]);
    assert.deepEqual(journals(dir), ['journal.0000000008']);
    await journal.close();
    await sync.close();
    const again = await open(dir);
    assert.deepEqual(
      again.pending.map((p) => p.id),
      ['legacy'],
    );
    await again.journal.close();
    await again.sync.close();
  });
});
