'use strict';
// Front-end files, made ready before the app serves them:
// - htmx is served from our own public/ folder, copied from the exact npm package in package-lock.json (never a CDN);
// - every css/js file gets a .gz twin, which express-static-gzip sends to browsers that accept gzip.
// Run by the build and by the test setup, so the copies cannot drift from their sources.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const root = path.join(__dirname, '..');
const copies = [['node_modules/htmx.org/dist/htmx.min.js', 'public/vendor/htmx.min.js']];
const compressed = ['public/vendor/htmx.min.js', 'public/css/site.css'];

function writeIfChanged(file, data) {
  if (!fs.existsSync(file) || !fs.readFileSync(file).equals(data)) fs.writeFileSync(file, data);
}

function copyVendor() {
  for (const [from, to] of copies) {
    const dst = path.join(root, to);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    writeIfChanged(dst, fs.readFileSync(path.join(root, from)));
  }
  for (const file of compressed) {
    const src = path.join(root, file);
    writeIfChanged(`${src}.gz`, zlib.gzipSync(fs.readFileSync(src), { level: 9 }));
  }
}
module.exports = { copyVendor };
if (require.main === module) copyVendor();
