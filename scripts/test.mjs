// `npm test`: the whole suite, from a fresh clone. Installs what is missing (npm
// packages; Debian packages for the independent peers when running as root), builds,
// lints, then runs every unit spec (`*.spec.ts` beside the code) and end-to-end suite
// (`test/**/*.e2e.ts`) with node's test runner on SQLite; then, when a PostgreSQL
// server answers, the suites that touch SQL once more against PostgreSQL.
//
// Options: `npm test -- <substring>` runs only the files whose path contains it.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { build, ensureNodeModules, ensureSystemPackages } from './system-packages.mjs';

const root = path.resolve(new URL('..', import.meta.url).pathname);
const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));

ensureNodeModules(root);
ensureSystemPackages([
  ['redis-server', 'redis-server'],
  ['swaks', 'swaks'],
  ['/usr/sbin/smtp-sink', 'postfix'],
  ['python3', 'python3'],
  ['openssl', 'openssl'],
  ['curl', 'curl'],
  ['mbsync', 'isync'],
  ['fetchmail', 'fetchmail'],
  ['perl -MNet::SMPP -e1', 'libnet-smpp-perl'],
  ['tshark', 'tshark'],
  ['gammu', 'gammu'],
]);
build(root);
if (!filter.length) {
  const lint = spawnSync('npx', ['--no-install', 'eslint', '.'], { cwd: root, stdio: 'inherit' });
  if (lint.status !== 0) process.exit(lint.status ?? 1);
  const fmt = spawnSync(
    'npx',
    ['--no-install', 'prettier', '--check', '.', '--log-level', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (fmt.status !== 0) process.exit(fmt.status ?? 1);
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(spec|e2e)\.js$/.test(name)) out.push(p);
  }
  return out;
}
const files = walk(path.join(root, 'dist'))
  .filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`))
  .filter((f) => !filter.length || filter.some((s) => f.includes(s)))
  .sort();

function run(label, list, env) {
  console.log(`\n=== ${label}: ${list.length} test files`);
  const r = spawnSync(
    process.execPath,
    ['--test', '--test-concurrency=2', '--test-reporter=spec', ...list],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } },
  );
  return r.status ?? 1;
}

let status = run('SQLite', files, { DATABASE_URL: '' });

// PostgreSQL pass: the files that declare they use SQL (their path holds `.db.`).
const pgUrl = process.env.DIZI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgFiles = files.filter((f) => f.includes('.db.'));
if (pgFiles.length) {
  const probe = spawnSync('psql', [pgUrl, '-Atc', 'select 1'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim() === '1') {
    status =
      run('PostgreSQL', pgFiles, { DIZI_TEST_PG_URL: pgUrl, DIZI_TEST_DB: 'postgres' }) || status;
  } else {
    console.log(`\n=== PostgreSQL: not reachable at ${pgUrl}; the PostgreSQL pass is skipped`);
  }
}
process.exit(status);
