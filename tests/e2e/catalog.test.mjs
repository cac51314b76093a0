// The message catalogues: both languages have the same keys, and every
// literal key the code asks for exists. No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const web = new URL('../../web/', import.meta.url).pathname;
const zh = JSON.parse(readFileSync(join(web, 'i18n/zh-CN.json'), 'utf8'));
const en = JSON.parse(readFileSync(join(web, 'i18n/en.json'), 'utf8'));

function jsFiles(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? jsFiles(p) : p.endsWith('.js') ? [p] : [];
  });
}

test('zh-CN and en have the same keys, none empty but the separator', () => {
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  for (const [k, v] of Object.entries(zh)) if (k !== 'unit.sep') assert.ok(v.length, k);
});

test('every key the code names is in the catalogues', () => {
  const missing = [];
  for (const f of jsFiles(join(web, 'js'))) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/\b(?:t|tOr)\('([a-z][\w.-]*[a-z0-9])'/g)) if (!(m[1] in zh)) missing.push(`${f}: ${m[1]}`);
    for (const m of src.matchAll(/(?:key|head|label): '([a-z]+\.[\w.-]+)'/g)) if (!(m[1] in zh)) missing.push(`${f}: ${m[1]}`);
  }
  assert.deepEqual(missing, []);
});

test('no inline script or style in index.html (the CSP forbids them)', () => {
  const html = readFileSync(join(web, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /\sstyle=|<style|\son\w+=/);
});

test('the code never writes server data as HTML', () => {
  for (const f of jsFiles(join(web, 'js'))) {
    const src = readFileSync(f, 'utf8');
    assert.doesNotMatch(src, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, f);
  }
});
