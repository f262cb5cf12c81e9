import { parentPort, workerData } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';

/**
 * Runs in a worker thread (see WalCheckpointer): copies the WAL back into the database
 * file every `intervalMs` with a PASSIVE checkpoint, which never blocks the server's
 * connection. A checkpoint syncs the WAL and the database file; done by SQLite's
 * automatic checkpoint, those syncs stopped the event loop for tens of milliseconds
 * every thousand pages.
 */
const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Sqlite(file, { timeout: 5000 });
db.pragma('synchronous = FULL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try {
    checkpoint.get();
  } catch (err) {
    // SQLITE_BUSY (another checkpoint, a writer of another process): next time. Anything
    // else ends the worker, and the server's connection checkpoints by itself again.
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
  }
}, intervalMs);
parentPort?.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
