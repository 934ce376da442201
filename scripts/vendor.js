'use strict';
// htmx is served from our own public/ folder, copied from the exact npm package in package-lock.json
// (never from a CDN). The copy is made at build time and by the test setup, so it cannot drift.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const files = [['node_modules/htmx.org/dist/htmx.min.js', 'public/vendor/htmx.min.js']];

function copyVendor() {
  for (const [from, to] of files) {
    const src = path.join(root, from);
    const dst = path.join(root, to);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    const data = fs.readFileSync(src);
    if (!fs.existsSync(dst) || !fs.readFileSync(dst).equals(data)) fs.writeFileSync(dst, data);
  }
}
module.exports = { copyVendor };
if (require.main === module) copyVendor();
