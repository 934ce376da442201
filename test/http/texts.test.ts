// The catalogue in the pages: every key a template builds from data ('method.' + p.method, 'paymentStatus.' + …,
// 'status.' + contract.status) is there; a key that is not answers 200 with the key shown in production (and throws in
// tests, so a typo fails here); Russian that reads naturally.
import fs from 'node:fs';
import path from 'node:path';
import { TOPICS } from '../../src/notifications/notify';
import { CHANNELS } from '../../src/notifications/subscriptions';
import { belowFloor, onMissingMessage, t as text, type MessageKey } from '../../src/web/i18n';
import { catalogueMode } from '../../src/web/i18nMode';
import { makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let app: TestApp;
beforeEach(async () => {
  app = await makeTestApp();
});
afterEach(async () => {
  catalogueMode(app.ctx); // back to the test mode (strict) for the next test
  await app.close();
});

const METHODS = ['card', 'autopay', 'office', 'bank', 'cash', 'office_card'] as const; // payments.method
const PAYMENT_STATUSES = ['pending', 'succeeded', 'canceled', 'refunded'] as const; // payments.status

describe('keys that templates build from data', () => {
  it('«История платежей» renders every payment method with every status in Russian', async () => {
    // Every status of the subscribers' own methods; the cash desk's (cash, office_card) are always succeeded. 18 rows: one page.
    const payments = METHODS.flatMap((method, i) => (i < 4 ? PAYMENT_STATUSES : (['succeeded'] as const)).map((status, j) => ({ amount: 10000 + i * 1000 + j * 100, at: `2026-11-${String(10 + i).padStart(2, '0')}T0${j}:00:00.000Z`, method, status })));
    const c = await makeContract(app.ctx, { payments });
    const { agent } = await signIn(app.app, c.number, c.password);
    const res = await agent.get('/cabinet/payments');
    expect(res.status).toBe(200);
    for (const m of ['Банковская карта', 'Автоплатёж', 'Касса в офисе', 'Через банк', 'Наличные в офисе', 'Карта в офисе']) expect(res.text).toContain(m);
    for (const s of ['В обработке', 'Зачислен', 'Отклонён', 'Возвращён']) expect(res.text).toContain(s);
    expect(res.text).not.toMatch(/method\.|paymentStatus\./);
  });

  it('the dashboard names every contract status', async () => {
    for (const [status, words] of [['active', 'Активен'], ['blocked', 'Заблокирован'], ['paused', 'Добровольная блокировка']] as const) {
      const c = await makeContract(app.ctx);
      await app.ctx.db('contracts').where({ id: c.id }).update({ status });
      const { agent } = await signIn(app.app, c.number, c.password);
      const res = await agent.get('/cabinet');
      expect(res.status).toBe(200);
      expect(res.text).toContain(`<strong class="status status--${status}">${words}</strong>`);
    }
  });

  it('every other family of built keys has a text for each value the code can give it', () => {
    const families: Record<string, readonly (string | number)[]> = {
      'status.': ['active', 'blocked', 'paused'],
      'method.': METHODS,
      'paymentStatus.': PAYMENT_STATUSES,
      'pay.state.': ['pending', 'succeeded', 'canceled', 'refunded'],
      'vat.': [1, 2, 3, 4, 5, 6],
      'sandbox.status.': ['pending', 'succeeded', 'canceled'],
      'autopay.charge.': ['pending', 'succeeded', 'failed', 'refused'],
      'vb.done.': ['scheduled', 'active', 'finished', 'cancelled'],
      'vb.status.': ['scheduled', 'active', 'finished', 'cancelled'],
      'vb.current.': ['scheduled', 'active'],
      'vb.reason.': ['subscriber', 'contract_blocked', 'contract_not_active'],
      'promised.status.': ['open', 'repaid', 'late'],
      'tariffChange.forecast.': ['exhausted', 'unlimited', 'beyond'],
      'prof.topic.': [...TOPICS, 'account'],
      'prof.channel.': CHANNELS,
      'statement.month.': ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'],
    };
    const missing = Object.entries(families).flatMap(([prefix, values]) =>
      values.filter((v) => {
        try {
          text(`${prefix}${v}` as MessageKey);
          return false;
        } catch {
          return true;
        }
      }).map((v) => `${prefix}${v}`),
    );
    expect(missing).toEqual([]);
  });
});

describe('texts outside the templates', () => {
  it('the reminders (src/reminders) take every Russian word from the catalogue', () => {
    const dir = path.join(__dirname, '..', '..', 'src', 'reminders');
    for (const file of fs.readdirSync(dir)) {
      const code = fs.readFileSync(path.join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect({ file, russian: code.match(/[А-Яа-яЁё][^'`"]*/g) ?? [] }).toEqual({ file, russian: [] });
    }
    expect(text('reminder.lowBalance.text', { date: '26.11.2026', amount: '680,00\u00a0₽' })).toBe('Денег хватит до 26.11.2026 включительно. Чтобы интернет не отключился, пополните счёт на 680,00\u00a0₽.');
  });
});

describe('a key the catalogue lacks', () => {
  it('throws in tests and development, so that a typo fails a test', () => {
    expect(() => text('no.such.key' as MessageKey)).toThrow(/no\.such\.key.*not in the catalogue/);
  });

  it('in production answers 200 with the key shown and logs it once', async () => {
    const logged: string[] = [];
    onMissingMessage({ strict: false, log: (key) => logged.push(key) }); // what catalogueMode sets when NODE_ENV=production
    const c = await makeContract(app.ctx, { payments: [{ amount: 50000, at: '2026-11-20T05:00:00.000Z', method: 'crypto' }] });
    const { agent } = await signIn(app.app, c.number, c.password);
    for (let i = 0; i < 2; i++) {
      const res = await agent.get('/cabinet/payments');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<td>method.crypto</td>');
    }
    expect(logged).toEqual(['method.crypto']);
  });

  it('production config makes t() lenient and logs through the app logger; test config keeps it strict', () => {
    const errors: unknown[] = [];
    const logger = { error: (o: unknown) => errors.push(o) } as unknown as typeof app.ctx.logger;
    catalogueMode({ config: { ...app.ctx.config, isProduction: true }, logger });
    expect(text('nope.prod' as MessageKey)).toBe('nope.prod');
    expect(errors).toEqual([{ key: 'nope.prod' }]);
    catalogueMode({ config: app.ctx.config, logger });
    expect(() => text('nope.test' as MessageKey)).toThrow();
  });
});

describe('Russian that reads naturally', () => {
  it('a floor of zero is «баланс уйдёт в минус», a credit limit is «минус превысит …», never «меньше 0,00 ₽»', () => {
    expect(belowFloor(0)).toBe('баланс уйдёт в минус');
    expect(belowFloor(-10000)).toBe('минус на балансе превысит 100,00\u00a0₽');
    expect(text('promised.rule.term', { term: '3 дня', belowFloor: belowFloor(0) })).toBe('Через 3 дня сумма спишется с баланса. Если после этого баланс уйдёт в минус, договор снова заблокируется.');
  });

  it('an empty period says only «За этот период платежей нет», not «Найдено 0 платежей» above it', async () => {
    const c = await makeContract(app.ctx, { payments: [{ amount: 50000, at: '2026-11-20T05:00:00.000Z' }] });
    const { agent } = await signIn(app.app, c.number, c.password);
    const empty = await agent.get('/cabinet/payments?from=2020-01-01&to=2020-01-31');
    expect(empty.text).toContain('За этот период платежей нет.');
    expect(empty.text).not.toContain('Найдено 0');
    expect(empty.text).not.toMatch(/Найден\S* 0/);
    const one = await agent.get('/cabinet/payments');
    expect(one.text).toContain('Найден 1 платёж');
    expect(one.text).not.toContain('За этот период платежей нет.');
    const statement = await agent.get('/cabinet/statement?from=2020-01-01&to=2020-01-31');
    expect(statement.text).toContain('За этот период операций нет.');
    expect(statement.text).not.toContain('0 операций');
  });

  it('«№ 100001» is one format everywhere: the sign, a no-break space, the number', async () => {
    const c = await makeContract(app.ctx, { number: '100777' });
    const { agent } = await signIn(app.app, c.number, c.password);
    expect((await agent.get('/cabinet')).text).toContain('Договор №\u00a0100777');
    expect(text('pay.gateway.description', { number: '100777' })).toBe('Оплата услуг связи по договору №\u00a0100777');
    expect(text('receipt.itemText', { number: '100777' })).toBe('Услуги связи по договору №\u00a0100777');
    // no text in the catalogue or the code writes the sign without it
    const { ru } = await import('../../src/web/messages.ru');
    const bad = Object.entries(ru).filter(([, v]) => /№(?!\u00a0)/.test(typeof v === 'string' ? v : Object.values(v).join(' ')));
    expect(bad).toEqual([]);
  });
});
