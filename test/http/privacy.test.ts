// 152-FZ: the public forms say what they keep and why, with a link to «Политика обработки персональных данных» at
// /privacy; its text is the provider's file (PRIVACY_POLICY_FILE), rendered so that the file cannot inject markup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../src/config';
import { renderPolicy } from '../../src/site/privacy';
import { makeTestApp, type TestApp } from '../support/app';

let t: TestApp;
afterEach(() => t?.close());

describe('«Политика обработки персональных данных»', () => {
  it('is at /privacy with the text shipped in content/privacy.md, the provider named in it', async () => {
    t = await makeTestApp({ PROVIDER_NAME: 'Связь-Тест', PROVIDER_EMAIL: 'dpo@example.ru' });
    const res = await request(t.app).get('/privacy');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Политика обработки персональных данных</h1>');
    expect(res.text).toContain('Оператор персональных данных — Связь-Тест');
    expect(res.text).toContain('<a href="mailto:dpo@example.ru">dpo@example.ru</a>');
    expect(res.text).toContain('<h2>Какие данные и зачем</h2>');
    expect(res.text).toContain('152-ФЗ');
  });

  it('shows the file PRIVACY_POLICY_FILE names, and its new text once the provider edits it', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-privacy-')), 'policy.md');
    fs.writeFileSync(file, '# Наша политика\n\nООО «Провайдер», ИНН 4200000000.\n');
    t = await makeTestApp({ PRIVACY_POLICY_FILE: file });
    expect((await request(t.app).get('/privacy')).text).toContain('<p>ООО «Провайдер», ИНН 4200000000.</p>');
    fs.writeFileSync(file, '# Наша политика\n\nНовая редакция от 01.12.2026.\n');
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5_000)); // a later modification time, as an edit makes
    const res = await request(t.app).get('/privacy');
    expect(res.text).toContain('<p>Новая редакция от 01.12.2026.</p>');
    expect(res.text).not.toContain('ИНН 4200000000');
  });

  it('a file with markup or a script link renders it as text, never as tags', () => {
    const html = renderPolicy('<script>alert(1)</script>\n\n- [ссылка](javascript:alert(1)) и **жирный** <img src=x onerror=alert(1)>\n\n[почта](mailto:a@b.ru)', {});
    expect(html).not.toMatch(/<script|<img|href="javascript/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<strong>жирный</strong>');
    expect(html).toContain('<a href="mailto:a@b.ru">почта</a>');
  });

  it('a PRIVACY_POLICY_FILE that does not exist stops the start with one line naming it', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', PRIVACY_POLICY_FILE: '/nonexistent/policy.md' })).toThrow(/^config: PRIVACY_POLICY_FILE must name an existing file/);
  });
});

describe('the public forms', () => {
  beforeEach(async () => {
    t = await makeTestApp();
  });

  it.each([
    ['/connect', 'Мы сохраним телефон, имя и адрес, чтобы оператор перезвонил и договорился о подключении'],
    ['/feedback', 'Мы сохраним имя, телефон, почту и вопрос, чтобы ответить вам'],
  ])('%s says what it keeps and why, and links to the policy, also beside the errors', async (url, words) => {
    const agent = request.agent(t.app);
    const page = await agent.get(url);
    expect(page.status).toBe(200);
    const note = /<p class="hint privacy-note" data-testid="privacy-note">([\s\S]*?)<\/p>/.exec(page.text)?.[1] ?? '';
    expect(note).toContain(words);
    expect(note).toContain('адрес вашего устройства (IP)');
    expect(note).toContain('<a href="/privacy">');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const bad = await agent.post(url).type('form').send({ _csrf: csrf });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('data-testid="privacy-note"');
  });

  it('every page has «Обработка персональных данных» in the footer', async () => {
    for (const url of ['/', '/tariffs', '/login', '/no-such-page']) {
      expect((await request(t.app).get(url)).text).toContain('<a href="/privacy">Обработка персональных данных</a>');
    }
  });
});
