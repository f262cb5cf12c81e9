// Build: tsc (strict) into dist/, then tsc-alias rewrites the @dizi/* path aliases to
// relative requires. tsc emits even when it reports type errors, so the alias rewrite
// still runs and a half-finished module elsewhere does not block running one test file;
// the exit code still reports the type errors so CI fails on them.
import { spawnSync } from 'node:child_process';

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const tsc = spawnSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { stdio: 'inherit' });
const alias = spawnSync(bin('tsc-alias'), ['-p', 'tsconfig.build.json'], { stdio: 'inherit' });
process.exit(tsc.status || alias.status || 0);
