// CSP: styles come from public/css alone (style-src 'self', no 'unsafe-inline'), and no view needs more.
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const directives = (csp: string) => Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));

describe('the Content-Security-Policy', () => {
  it('allows styles from the site itself only, with no inline style, on public and cabinet pages', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await signIn(t.app, c.number, c.password);
    for (const res of [await request(t.app).get('/'), await request(t.app).get('/login'), await agent.get('/cabinet'), await agent.get('/cabinet/payments')]) {
      const csp = directives(String(res.headers['content-security-policy']));
      expect(csp['style-src']).toEqual(["'self'"]);
      expect(csp['script-src']).toEqual(["'self'"]);
      expect(csp['script-src-attr']).toEqual(["'none'"]);
    }
  });

  it('no view carries a style attribute or a <style> block, and htmx is told not to inject its indicator styles', () => {
    const views = path.join(__dirname, '..', '..', 'views');
    const files = fs.readdirSync(views, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ejs'));
    expect(files.length).toBeGreaterThan(30);
    const inline = files.filter((f) => /\sstyle\s*=|<style[\s>]/i.test(fs.readFileSync(path.join(views, f), 'utf8')));
    expect(inline).toEqual([]);
    expect(fs.readFileSync(path.join(views, 'partials', 'head.ejs'), 'utf8')).toMatch(/name="htmx-config" content='\{"includeIndicatorStyles":false/);
  });
});
