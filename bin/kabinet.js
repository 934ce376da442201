#!/usr/bin/env node
// `npx kabinet <command>`: the ops commands (src/cli.ts) from the build output, without a rebuild and without dev
// dependencies, so `npm ci --omit=dev` plus dist/ is enough on a production machine.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'dist', 'src', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write(`kabinet: ${path.relative(process.cwd(), cli) || cli} is missing: build it once with \`npm run build\` (needs the dev dependencies), or copy dist/ from a build\n`);
  process.exit(1);
}
require(cli);
