import { cpSync, existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { unaliased } from './process-tools';

/**
 * Copies the built server (dist/apps, libs, gateways) to `snapshot`, so that a build
 * started during a bench run cannot change the code under measurement. Retries while
 * a build is half done: the copy must not straddle a rewrite of dist/ (the
 * .tsbuildinfo stamp moved), must hold every file of `required`, and must have every
 * @dizi alias rewritten.
 */
export async function snapshotDist(
  root: string,
  snapshot: string,
  required: string[],
): Promise<void> {
  const src = path.join(root, 'dist');
  for (let attempt = 1; ; attempt++) {
    const info = path.join(src, '.tsbuildinfo');
    const stamp = () => (existsSync(info) ? statSync(info).mtimeMs : 0);
    const before = stamp();
    rmSync(snapshot, { recursive: true, force: true });
    for (const d of ['apps', 'libs', 'gateways']) {
      if (existsSync(path.join(src, d)))
        cpSync(path.join(src, d), path.join(snapshot, d), { recursive: true });
    }
    const missing = required.find((f) => !existsSync(f));
    const bad =
      stamp() !== before ? 'a build ran during the copy' : (missing ?? unaliased(snapshot));
    if (!bad) return;
    if (attempt >= 20) throw new Error(`dist/ stays incomplete (${bad}): run npm run build`);
    await sleep(3000);
  }
}
