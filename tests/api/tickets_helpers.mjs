// Helpers shared by the ticket API tests: a demo server with a bearer
// token per demo login, and ids of demo records by name.
import { startServer } from './lib.mjs';

export const LOGINS = ['admin', 'zhangwei', 'lina', 'wangqiang', 'liuyang', 'chenjing', 'huanglei',
  'zhaomin', 'hd_sun', 'hd_zhou', 'xn_li'];

export async function demoServer(opts = {}) {
  const srv = await startServer({ demo: true, ...opts });
  const tok = {};
  for (const l of LOGINS) tok[l] = srv.token(l);
  const id = {};
  for (const u of srv.sql('SELECT id, login FROM users')) id[u.login] = u.id;
  for (const g of srv.sql('SELECT id, name FROM groups')) id[g.name] = g.id;
  for (const c of srv.sql('SELECT id, name FROM categories')) id[c.name] = c.id;
  for (const o of srv.sql('SELECT id, name FROM organizations')) id[o.name] = o.id;
  return { srv, tok, id };
}

// Opens a ticket and asserts it worked; returns the JSON.
export async function open(srv, token, body) {
  const r = await srv.post('/api/v1/tickets', body, { token });
  if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
  return r.json;
}

export async function move(srv, token, id, body) {
  return srv.post(`/api/v1/tickets/${id}/transitions`, body, { token });
}
