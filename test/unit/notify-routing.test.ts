// notify() routes a notice by the contract's subscriptions: the cabinet, SMS to every phone, e-mail to its address.
import { notify } from '../../src/notifications/notify';
import { makeTestApp, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const outbox = (contractId: number) => t.ctx.db('outbox').where({ contract_id: contractId }).orderBy('id').select('channel', 'recipient', 'topic', 'subject', 'idempotency_key');

describe('notify routing', () => {
  it('sends by the default subscriptions, once per key, with the link as a full address', async () => {
    const c = await makeContract(t.ctx, { phones: ['+79131234567', '+79039876543'] });
    await t.ctx.db('contracts').where({ id: c.id }).update({ email: 'a@example.ru' });
    const n = { contractId: c.id, topic: 'maintenance' as const, title: 'Работы', text: 'Ночью', link: '/cabinet', key: 'm:1' };
    await notify(t.ctx, t.ctx.db, n);
    await notify(t.ctx, t.ctx.db, n);
    expect(await outbox(c.id)).toEqual([
      { channel: 'sms', recipient: '+79131234567', topic: 'maintenance', subject: null, idempotency_key: 'm:1:sms:+79131234567' },
      { channel: 'sms', recipient: '+79039876543', topic: 'maintenance', subject: null, idempotency_key: 'm:1:sms:+79039876543' },
      { channel: 'email', recipient: 'a@example.ru', topic: 'maintenance', subject: 'Работы', idempotency_key: 'm:1:email' },
    ]);
    expect((await t.ctx.db('outbox').first()).body).toBe('Работы. Ночью http://127.0.0.1:3000/cabinet');
    expect(await t.ctx.db('notifications').where({ contract_id: c.id })).toHaveLength(1);
  });

  it('keeps payments out of SMS by default, sends no e-mail without an address, and never SMS for offers until asked', async () => {
    const c = await makeContract(t.ctx, { phones: ['+79131234567'] });
    await notify(t.ctx, t.ctx.db, { contractId: c.id, topic: 'payments', title: 'Платёж', text: '500 ₽' });
    await notify(t.ctx, t.ctx.db, { contractId: c.id, topic: 'offers', title: 'Скидка', text: '10%' });
    expect(await outbox(c.id)).toEqual([]);
    expect(await t.ctx.db('notifications').where({ contract_id: c.id }).pluck('topic')).toEqual(['payments']);
  });

  it('sends account notices everywhere even when every channel of every topic is off', async () => {
    const c = await makeContract(t.ctx, { phones: ['+79131234567'] });
    await t.ctx.db('contracts').where({ id: c.id }).update({ email: 'a@example.ru' });
    for (const topic of ['maintenance', 'prices', 'news', 'low_balance', 'payments', 'offers']) {
      for (const channel of ['sms', 'email', 'cabinet']) await t.ctx.db('subscriptions').insert({ contract_id: c.id, topic, channel, enabled: false, updated_at: 'x' });
    }
    await notify(t.ctx, t.ctx.db, { contractId: c.id, topic: 'account', title: 'Пароль изменён', text: 'x' });
    expect((await outbox(c.id)).map((r) => r.channel)).toEqual(['sms', 'email']);
    expect(await t.ctx.db('notifications').where({ contract_id: c.id })).toHaveLength(1);
  });
});
