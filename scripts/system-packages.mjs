// Installs the Debian packages Dizi (or its test suite) needs when they are missing.
// Runs apt-get only as root; otherwise it names what to install and fails.
import { execFileSync, spawnSync } from 'node:child_process';

// A bare name is looked up on PATH; anything with a space is run as a check command.
const has = (cmd) =>
  spawnSync('sh', ['-c', cmd.includes(' ') ? cmd : `command -v ${cmd}`], { stdio: 'ignore' })
    .status === 0;

/** @param {Array<[string, string]>} wanted pairs of [command (or check command) that proves it is there, Debian package] */
export function ensureSystemPackages(wanted) {
  const missing = wanted.filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  const unique = [...new Set(missing)];
  if (process.getuid?.() !== 0) {
    console.error(`dizi: missing system packages: ${unique.join(' ')}`);
    console.error(`      install them with: sudo apt-get install -y ${unique.join(' ')}`);
    process.exit(1);
  }
  console.log(`dizi: installing ${unique.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  // Postfix asks questions on install; answer them so it installs unattended.
  if (unique.includes('postfix')) {
    spawnSync('debconf-set-selections', {
      input:
        'postfix postfix/main_mailer_type select No configuration\npostfix postfix/mailname string localhost\n',
    });
  }
  execFileSync('apt-get', ['install', '-y', '-qq', ...unique], { stdio: 'inherit', env });
}

/**
 * Installs the npm dependencies when node_modules is absent. `npm install` rather than
 * `npm ci`: it follows package-lock.json just the same, and `npm ci` refuses a lock
 * file that has no entries for other platforms' optional packages, which is what this
 * machine's npm writes.
 */
export function ensureNodeModules(root) {
  if (spawnSync('test', ['-d', `${root}/node_modules/typescript`]).status === 0) return;
  console.log('dizi: installing npm dependencies');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

export function build(root) {
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
