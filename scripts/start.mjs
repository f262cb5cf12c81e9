// `npm start`: installs what is missing (npm packages; redis-server with apt-get when
// run as root), builds when the sources changed, creates the data folder and starts the
// server in the foreground on its embedded defaults (SQLite, a private redis-server,
// data in ./data). Environment variables configure it: docs/configuration.md.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { build, ensureNodeModules, ensureSystemPackages } from './system-packages.mjs';

const root = path.resolve(new URL('..', import.meta.url).pathname);
ensureNodeModules(root);
if (!process.env.REDIS_URL) ensureSystemPackages([['redis-server', 'redis-server']]);

function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : /\.ts$/.test(name) ? s.mtimeMs : 0);
  }
  return t;
}
const main = path.join(root, 'dist/apps/server/src/main.js');
const built = existsSync(main) ? statSync(main).mtimeMs : 0;
if (
  !built ||
  ['apps', 'libs', 'gateways'].some(
    (d) => existsSync(path.join(root, d)) && newest(path.join(root, d)) > built,
  )
) {
  console.log('dizi: building');
  build(root);
}
const child = spawn(process.execPath, [main], { stdio: 'inherit', env: process.env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
