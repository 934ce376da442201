// Loaded with `node --require` in front of the built app or CLI: a module that `npm ci --omit=dev` would not install
// (a package-lock entry marked "dev": true) is not found, as on a production machine. A caller that tries it and
// copes (debug's optional supports-color) goes on; one that needs it fails as it would there. Each is noted on stderr.
'use strict';
const Module = require('node:module');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const lock = require(path.join(root, 'package-lock.json'));
const devOnly = new Set(Object.entries(lock.packages).filter(([, p]) => p.dev).map(([k]) => k));

/** The package-lock key of the package a file lies in: node_modules/a/node_modules/@s/b. */
function lockKey(file) {
  const rel = path.relative(root, file).split(path.sep);
  let end = -1;
  for (let i = 0; i < rel.length; i++) {
    if (rel[i] === 'node_modules') end = i + (rel[i + 1]?.startsWith('@') ? 2 : 1);
  }
  return end < 0 ? null : rel.slice(0, end + 1).join('/');
}

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const file = resolve.call(this, request, parent, ...rest);
  const key = path.isAbsolute(file) ? lockKey(file) : null;
  if (key && devOnly.has(key)) {
    process.stderr.write(`[no-dev-deps] ${request} (${key}) is dev-only: not found, as after npm ci --omit=dev\n`);
    const err = new Error(`Cannot find module '${request}' (dev-only: npm ci --omit=dev does not install it)`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return file;
};
