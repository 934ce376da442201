import { notify } from '../../src/notifications/notify';
import { makeTestApp } from '../support/app';
import { makeContract } from '../support/factories';

describe('notify', () => {
  it('keeps a notice in the cabinet once per key', async () => {
    const t = await makeTestApp();
    const c = await makeContract(t.ctx);
    const n = { contractId: c.id, topic: 'payments' as const, title: 'Платёж зачислен', text: '500,00 ₽', key: 'pay:1' };
    await notify(t.ctx, t.ctx.db, n);
    await notify(t.ctx, t.ctx.db, n);
    await notify(t.ctx, t.ctx.db, { ...n, key: undefined });
    const rows = await t.ctx.db('notifications').where({ contract_id: c.id });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ topic: 'payments', title: 'Платёж зачислен', body: '500,00 ₽', read_at: null });
    await t.close();
  });
});
