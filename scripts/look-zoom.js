#!/usr/bin/env node
// See pages as a subscriber with enlarged text does: 320 px wide, the root font-size at 150 % or 200 % (as a browser's
// text-size setting does), with or without JavaScript. Prints each page's scroll width and where the balance is, and
// writes one PNG per page.
//
//   node scripts/look-zoom.js BASE_URL [--width 320] [--height 568] [--text 200] [--nojs] [--login 100001:centra2026]
//                              [--out /tmp/zoom] [--at Y (a screenshot of the screen scrolled to Y, not the whole page)] [PATH ...]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
const val = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const base = args.find((a) => /^https?:\/\//.test(a));
if (!base) { process.stderr.write('usage: look-zoom.js BASE_URL [--width 320] [--text 200] [--nojs] [--login C:P] [PATH ...]\n'); process.exit(2); }
const flags = new Set(['--width', '--height', '--text', '--login', '--out', '--at']);
const paths = args.filter((a, i) => a.startsWith('/') && !flags.has(args[i - 1]));
const width = Number(val('--width', 320));
const height = Number(val('--height', 568));
const text = Number(val('--text', 200));
const out = path.resolve(val('--out', '/tmp/zoom'));
fs.mkdirSync(out, { recursive: true });

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ baseURL: base, javaScriptEnabled: !args.includes('--nojs'), viewport: { width, height }, locale: 'ru-RU' });
  const page = await context.newPage();
  // The browser's own text-size setting (Chrome: Settings, Appearance, Font size): the default 16 px becomes 24 or 32 px,
  // so every rem grows with it; it works without JavaScript too and needs nothing injected into the page.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Page.setFontSizes', { fontSizes: { standard: Math.round(16 * text / 100), fixed: Math.round(13 * text / 100) } });
  const login = val('--login');
  if (login) {
    const [contract, password] = login.split(':');
    await page.goto('/login');
    await page.getByLabel('Номер договора').fill(contract);
    await page.getByLabel('Пароль', { exact: true }).fill(password);
    await Promise.all([page.waitForURL((u) => u.pathname === '/cabinet'), page.getByRole('button', { name: 'Войти', exact: true }).click()]);
  }
  for (const p of paths.length ? paths : ['/']) {
    const res = await page.goto(p);
    const m = await page.evaluate(() => {
      const s = document.scrollingElement;
      const b = document.querySelector('[data-testid=balance]');
      // Text that sticks out (a long word, a no-break amount) overflows without its element's box growing: measure text.
      const wide = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || !el.checkVisibility() || el.closest('.visually-hidden, details:not([open]) > :not(summary)')) continue;
        const r = document.createRange();
        r.selectNodeContents(n);
        const right = r.getBoundingClientRect().right;
        if (right > s.clientWidth + 0.5) wide.push(`${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).trim().replace(/\s+/g, '.') : ''} «${n.textContent.trim().slice(0, 30)}» ${Math.round(right)}`);
      }
      return { wide, scrollWidth: s.scrollWidth, clientWidth: s.clientWidth, balanceBottom: b ? Math.round(b.getBoundingClientRect().bottom + window.scrollY) : null, fontSize: getComputedStyle(document.documentElement).fontSize };
    });
    const file = path.join(out, `${p.replace(/[^a-z0-9]+/gi, '_') || 'root'}-${width}-${text}${args.includes('--nojs') ? '-nojs' : ''}.png`);
    const at = val('--at');
    if (at !== undefined) await page.evaluate((y) => window.scrollTo(0, y), Number(at));
    await page.screenshot({ path: file, fullPage: at === undefined });
    process.stdout.write(`${p} ${res ? res.status() : '?'} root ${m.fontSize} scrollWidth ${m.scrollWidth}/${m.clientWidth} balance bottom ${m.balanceBottom} -> ${file}\n`);
    for (const w of m.wide) process.stdout.write(`    too wide: ${w}\n`);
  }
  await browser.close();
})().catch((e) => { process.stderr.write(String(e.stack || e) + '\n'); process.exit(1); });
