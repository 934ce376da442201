#!/usr/bin/env node
// npm start / npm run build: copy vendored front-end files from node_modules into public/, then compile.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
require('./vendor').copyVendor();
const tsc = path.join(__dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(__dirname, '..', 'tsconfig.build.json')], { stdio: 'inherit' });
