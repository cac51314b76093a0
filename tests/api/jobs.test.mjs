// Background jobs (src/jobs/jobs.h): two servers on one database run
// each job once. The first holds the jobs' leases (job_leases); the
// second skips their turns, its at-start search flush included, until the
// first stops and gives them up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib.mjs';

async function waitFor(fn, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const PERIODIC = ['search-flush', 'upload-sweep', 'wal-checkpoint'];
const FAST = ['search-flush', 'wal-checkpoint'];   // five turns a second: the sweep's next turn is a minute away

// the periodic jobs' leases process pid holds (one given up expires at 0)
const heldBy = (s, pid) => s.sql(`SELECT name FROM job_leases WHERE holder LIKE '%:${pid}:%'
  AND expires_at > 0 ORDER BY name`)
  .map((r) => r.name).filter((n) => PERIODIC.includes(n));

test('two servers on one database: the jobs run on one, and move when it stops', async () => {
  const a = await startServer({ demo: true });
  let b;
  try {
    await waitFor(() => heldBy(a, a.proc.pid).length === PERIODIC.length);
    b = await startServer({ dir: a.dir });
    // b serves; its at-start flush found the lease a's and skipped
    assert.equal((await b.get('/api/v1/health')).status, 200);
    assert.deepEqual(heldBy(a, a.proc.pid), PERIODIC);
    assert.deepEqual(heldBy(a, b.proc.pid), []);
    assert.equal(await a.stop(), 0);
    assert.match(a.getLog(), /stopped/);
    await waitFor(() => FAST.every((n) => heldBy(b, b.proc.pid).includes(n)));
    assert.deepEqual(heldBy(b, a.proc.pid), []);
  } finally {
    if (b) await b.stop();
    await a.stop();
    a.cleanup();
  }
});
