// The gateway the config names. Tests and the bench may pass their own.
import type { AppContext } from '../context';
import { createSandboxGateway } from './sandbox';
import type { Gateway } from './types';
import { createYooKassa } from './yookassa';

export function createGateway(ctx: AppContext): Gateway {
  return ctx.config.payments.gateway === 'yookassa' ? createYooKassa(ctx.config.payments) : createSandboxGateway(ctx);
}

export type { Gateway } from './types';
