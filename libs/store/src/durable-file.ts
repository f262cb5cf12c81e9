import { promises as fs } from 'node:fs';
import path from 'node:path';

/** fsyncs a directory so a rename or link inside it survives a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = await fs.open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/** Writes a file durably: temp file, fsync, rename into place, fsync the directory. */
export async function writeFileDurably(file: string, data: Buffer | string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = await fs.open(tmp, 'w', 0o640);
  try {
    await fd.writeFile(data);
    await fd.sync();
  } finally {
    await fd.close();
  }
  await fs.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}
