// Staff accounts and console sign-in for the tests of the operators' console (issue 11).
import type { Express } from 'express';
import request from 'supertest';
import type { AppContext } from '../../src/context';
import { createStaff, type StaffRole } from '../../src/staff/service';
import { csrfFrom } from './app';

let seq = 0;

/** A staff account of this role (login `<role><n>`, a generated password unless given). */
export async function makeStaff(ctx: AppContext, role: StaffRole, over: { login?: string; name?: string; password?: string } = {}) {
  const login = over.login ?? `${role}${++seq}`;
  const s = await createStaff(ctx, { login, role, name: over.name ?? `Сотрудник ${login}`, password: over.password });
  return { id: s.id, login: s.login, password: s.password, role };
}

export type StaffAgent = ReturnType<typeof request.agent>;

/** Signs in at /admin/login the way a person does; returns the agent with its console cookie. */
export async function staffSignIn(app: Express, login: string, password: string): Promise<StaffAgent> {
  const agent = request.agent(app);
  const page = await agent.get('/admin/login');
  const res = await agent.post('/admin/login').type('form').send({ _csrf: csrfFrom(page.text), login, password });
  if (res.status !== 303) throw new Error(`staff sign-in failed with ${res.status}`);
  return agent;
}

/** A new staff member of this role, signed in. */
export async function staffAgent(t: { app: Express; ctx: AppContext }, role: StaffRole, over: { login?: string; name?: string } = {}) {
  const staff = await makeStaff(t.ctx, role, over);
  return { agent: await staffSignIn(t.app, staff.login, staff.password), staff };
}

/** The csrf token of a console page (GET it first: the token is bound to the staff session). */
export async function staffCsrf(agent: StaffAgent, path = '/admin'): Promise<string> {
  const page = await agent.get(path);
  return csrfFrom(page.text);
}

/** POSTs a console form with a fresh token from `from` (the page the form is on). */
export async function staffPost(agent: StaffAgent, path: string, fields: Record<string, string>, from = '/admin') {
  return agent.post(path).type('form').send({ _csrf: await staffCsrf(agent, from), ...fields });
}
