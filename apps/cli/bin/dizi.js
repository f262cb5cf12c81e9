#!/usr/bin/env node
// Entry for `npx dizi`: runs the compiled CLI (build it with `npm run build`).
const path = require('node:path');
const fs = require('node:fs');
const main = path.join(__dirname, '..', '..', '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!fs.existsSync(main)) {
  console.error('dizi: the project is not built yet; run `npm run build` in the repository first.');
  process.exit(1);
}
require(main);
