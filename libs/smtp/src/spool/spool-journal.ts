import { closeSync, promises as fs, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { DirSyncer, fdSyncer, GroupSync } from '@dizi/store';
import { SpoolEnvelope } from './spool-envelope';

/** A journal is started afresh (live entries carried over) once it grows past this. */
const ROTATE_BYTES = 8 * 1024 * 1024;
const NAME = /^journal\.(\d{10})$/;

/** One record: `added` carries an envelope, `done` lists entries that left the spool. */
type JournalRecord = { a: string; e: SpoolEnvelope } | { d: string[] };

/** An open journal file. */
interface JournalFile {
  seq: number;
  name: string;
  fd: number;
  size: number;
  syncer: GroupSync;
}

/**
 * The spool's envelopes: an append-only log in the spool folder instead of one envelope
 * file per message. Acceptance appends an `added` record and waits for a sync shared by
 * every session that appended meanwhile (group commit); delivery appends `done` records
 * without waiting. An entry is pending when its `added` record has no `done` record.
 *
 * Records are lines `<crc32 hex> <json>`, each written with the newline that ends the
 * previous one in front, so a line torn by a power cut or a full disk never runs into
 * the next: it fails its check and is skipped. It belonged to a message whose `250` was
 * never sent, because `250` waits for the sync that covers the line.
 *
 * The log is rewritten (the pending entries carried into a new file, then the old files
 * removed, oldest first) at every start and whenever it grows past 8 MB, so it stays
 * about as small as the spool itself.
 */
export class SpoolJournal {
  private current!: JournalFile;
  /** Pending entries: their `added` line, ready to be carried into the next file. */
  private readonly live = new Map<string, string>();
  /** Older files still on disk, oldest first; removed once a newer file holds their entries. */
  private readonly old: JournalFile[] = [];
  private rotating: Promise<void> | null = null;

  private constructor(
    readonly dir: string,
    private readonly dirSync: DirSyncer,
    private readonly onError: (err: Error) => void,
    private readonly rotateBytes: number,
  ) {}

  /**
   * Reads every journal file in `dir` and starts a new one holding the pending entries
   * (plus `extra`, entries found in another form), durably, before the old files go.
   */
  static async open(
    dir: string,
    dirSync: DirSyncer,
    onError: (err: Error) => void,
    extra: Array<{ id: string; envelope: SpoolEnvelope }> = [],
    rotateBytes = ROTATE_BYTES,
  ): Promise<{ journal: SpoolJournal; pending: Array<{ id: string; envelope: SpoolEnvelope }> }> {
    const j = new SpoolJournal(dir, dirSync, onError, rotateBytes);
    const files = (await fs.readdir(dir))
      .map((n) => NAME.exec(n))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => ({ seq: Number(m[1]), name: m[0] }))
      .sort((a, b) => a.seq - b.seq);
    const envelopes = new Map<string, SpoolEnvelope>();
    for (const f of files) {
      for (const rec of parseJournal(readFileSync(path.join(dir, f.name)))) {
        if ('a' in rec) envelopes.set(rec.a, rec.e);
        else for (const id of rec.d) envelopes.delete(id);
      }
    }
    for (const e of extra) if (!envelopes.has(e.id)) envelopes.set(e.id, e.envelope);
    for (const [id, envelope] of envelopes) j.live.set(id, addedLine(id, envelope));
    j.current = j.create((files.at(-1)?.seq ?? 0) + 1);
    for (const f of files) j.old.push({ ...f, fd: -1, size: 0, syncer: new GroupSync(noop) });
    await j.carryOver();
    return {
      journal: j,
      pending: [...envelopes].map(([id, envelope]) => ({ id, envelope })),
    };
  }

  /**
   * Records an accepted entry. Resolves once the record is durable; the caller has
   * already made the message file durable.
   */
  add(id: string, envelope: SpoolEnvelope): Promise<void> {
    const line = addedLine(id, envelope);
    // Live before the write: a rotation the write starts must carry this entry over.
    this.live.set(id, line);
    try {
      return this.write(line).syncer.sync();
    } catch (err) {
      this.live.delete(id);
      return Promise.reject(err as Error);
    }
  }

  /** Forgets an entry whose acceptance failed before its `250`: it is not carried on. */
  drop(id: string): void {
    this.live.delete(id);
  }

  /**
   * Records that entries left the spool. Returns at once; the promise resolves when the
   * record is durable (until then a restart would run the entries again).
   */
  done(ids: string[]): Promise<void> {
    if (!ids.length) return Promise.resolve();
    for (const id of ids) this.live.delete(id);
    try {
      return this.write(recordLine({ d: ids })).syncer.sync();
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** Entries still pending. */
  get size(): number {
    return this.live.size;
  }

  /** Resolves once a rotation in progress (if any) has removed the older files. */
  async settled(): Promise<void> {
    await this.rotating;
  }

  async close(): Promise<void> {
    await this.rotating;
    await this.current.syncer.settle();
    closeSync(this.current.fd);
  }

  /**
   * Appends one line with a synchronous write: a few hundred bytes into the page cache,
   * cheaper than a round trip through libuv's thread pool. Durability comes from the
   * shared sync, which runs on the pool.
   */
  private write(line: string): JournalFile {
    const file = this.current;
    const bytes = Buffer.byteLength(line);
    const n = writeSync(file.fd, line, file.size, 'utf8');
    file.size += n;
    if (n < bytes) throw new Error(`spool journal ${file.name}: short write (disk full?)`);
    if (file.size > this.rotateBytes && !this.rotating) {
      this.rotating = this.rotate()
        .catch((err: Error) => this.onError(err))
        .finally(() => (this.rotating = null));
    }
    return file;
  }

  private create(seq: number): JournalFile {
    const name = `journal.${String(seq).padStart(10, '0')}`;
    const fd = openSync(path.join(this.dir, name), 'wx', 0o640);
    return { seq, name, fd, size: 0, syncer: fdSyncer(fd, true) };
  }

  /** Starts a new file with the pending entries; the older files go once it is durable. */
  private async rotate(): Promise<void> {
    const previous = this.current;
    this.current = this.create(previous.seq + 1);
    this.old.push(previous);
    await this.carryOver();
  }

  /**
   * Writes every pending entry into the current file, makes it and its name durable,
   * then removes the older files one by one, oldest first, each removal made durable
   * before the next: a `done` record in a newer file must never vanish while an older
   * file still holding the same entry's `added` record survives.
   */
  private async carryOver(): Promise<void> {
    const file = this.current;
    if (this.live.size) {
      const data = [...this.live.values()].join('');
      file.size += writeSync(file.fd, data, file.size, 'utf8');
    }
    await Promise.all([file.syncer.sync(), this.dirSync.sync()]);
    while (this.old.length) {
      const f = this.old[0];
      await f.syncer.settle();
      if (f.fd >= 0) closeSync(f.fd);
      unlinkSync(path.join(this.dir, f.name));
      await this.dirSync.sync();
      this.old.shift();
    }
  }
}

function noop(): Promise<void> {
  return Promise.resolve();
}

function recordLine(rec: JournalRecord): string {
  const json = JSON.stringify(rec);
  return `\n${crc32(json).toString(16).padStart(8, '0')} ${json}`;
}

function addedLine(id: string, envelope: SpoolEnvelope): string {
  return recordLine({ a: id, e: envelope });
}

/** The valid records of a journal file; torn or damaged lines are skipped. */
export function parseJournal(data: Buffer): JournalRecord[] {
  const out: JournalRecord[] = [];
  let at = 0;
  while (at < data.length) {
    let end = data.indexOf(0x0a, at);
    if (end === -1) end = data.length;
    const line = data.toString('utf8', at, end);
    at = end + 1;
    const m = /^([0-9a-f]{8}) (\{.*\})$/.exec(line);
    if (!m || crc32(m[2]) !== parseInt(m[1], 16)) continue;
    try {
      const rec = JSON.parse(m[2]) as JournalRecord;
      if ('a' in rec && typeof rec.a === 'string' && rec.e) out.push(rec);
      else if ('d' in rec && Array.isArray(rec.d)) out.push(rec);
    } catch {
      // a check value that matches damaged JSON is as good as impossible; skip it anyway
    }
  }
  return out;
}
