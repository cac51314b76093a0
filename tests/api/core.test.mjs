import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); srv.cleanup(); });

test('health answers without auth', async () => {
  const r = await srv.get('/api/v1/health');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
});

test('unknown endpoint is a JSON 404, wrong method a 405', async () => {
  let r = await srv.get('/api/v1/nope');
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
  r = await srv.post('/api/v1/health', {});
  assert.equal(r.status, 405);
  assert.equal(r.json.error.code, 'method_not_allowed');
});

test('SIGTERM stops the server cleanly', async () => {
  const s2 = await startServer();
  const code = await s2.stop('SIGTERM');
  assert.equal(code, 0);
  assert.match(s2.getLog(), /stopped/);
  s2.cleanup();
});
