import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import type { ProbeResult } from '../../src/health/probe.js';
import { checkOrigins, mapLimit } from '../../src/slb/health.js';
import { findBundledWorker, loadWorkerCode, workerCodeHash } from '../../src/commands/slb-sync/worker-code.js';
import { FakeClock } from './workflow-fakes.js';

const candidate = (name: string) => ({
  node: name,
  origin: `https://${name}.example.com`,
  healthUrl: `https://${name}.example.com/healthz`,
});
const fast = { concurrency: 4, attempts: 2, retryDelayMs: 0 };

describe('checkOrigins', () => {
  test('keeps the healthy ones in order and says why the others were dropped', async () => {
    const answers: Record<string, ProbeResult> = {
      'https://a.example.com/healthz': { ok: true, status: 200, ms: 1 },
      'https://b.example.com/healthz': { ok: false, error: 'connection to b.example.com refused (nothing listening on the port).', ms: 1 },
      'https://c.example.com/healthz': { ok: false, status: 503, error: 'https://c.example.com/healthz answered HTTP 503.', ms: 1 },
      'https://d.example.com/healthz': { ok: true, status: 302, ms: 1 },
    };
    const verdict = await checkOrigins(['a', 'b', 'c', 'd'].map(candidate), async (url) => answers[url]!, fast, new FakeClock());
    assert.deepEqual(verdict, {
      healthy: [candidate('a'), candidate('d')],
      dropped: [
        { origin: 'https://b.example.com', reason: 'connection to b.example.com refused (nothing listening on the port). (2 attempts)' },
        { origin: 'https://c.example.com', reason: 'https://c.example.com/healthz answered HTTP 503. (2 attempts)' },
      ],
    });
  });

  test('one retry: a node that fails once and then answers is kept; each origin is asked at most twice', async () => {
    const calls = new Map<string, number>();
    const probe = async (url: string): Promise<ProbeResult> => {
      const n = (calls.get(url) ?? 0) + 1;
      calls.set(url, n);
      if (url.startsWith('https://flaky.')) return n === 1 ? { ok: false, error: 'timeout', ms: 1 } : { ok: true, status: 200, ms: 1 };
      return url.startsWith('https://dead.') ? { ok: false, error: 'refused', ms: 1 } : { ok: true, status: 200, ms: 1 };
    };
    const verdict = await checkOrigins(['flaky', 'dead', 'fine'].map(candidate), probe, fast, new FakeClock());
    assert.deepEqual(
      verdict.healthy.map((c) => c.node),
      ['flaky', 'fine'],
    );
    assert.deepEqual([...calls.values()], [2, 2, 1]);
  });
});

describe('mapLimit', () => {
  test('never runs more than the limit at once and keeps the input order', async () => {
    let running = 0;
    let peak = 0;
    const items = Array.from({ length: 40 }, (_, i) => i);
    const out = await mapLimit(items, 16, async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, (i * 7) % 5));
      running--;
      return i * 2;
    });
    assert.equal(peak, 16);
    assert.deepEqual(
      out,
      items.map((i) => i * 2),
    );
    assert.deepEqual(await mapLimit([], 16, async () => 1), []);
  });
});

describe('the Worker code', () => {
  test('hash covers the code and the compatibility date', () => {
    const h = workerCodeHash('export default {}', '2025-06-01');
    assert.match(h, /^sha256:[0-9a-f]{64}$/);
    assert.equal(workerCodeHash('export default {}', '2025-06-01'), h);
    assert.notEqual(workerCodeHash('export default {};', '2025-06-01'), h);
    assert.notEqual(workerCodeHash('export default {}', '2025-06-02'), h);
  });

  test('dist/worker.js is found from dist/cli.js, from dist/chunks/, and from the package root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dynia-worker-code-'));
    try {
      mkdirSync(join(root, 'dist', 'chunks'), { recursive: true });
      writeFileSync(join(root, 'dist', 'worker.js'), 'export default { fetch() {} };\n');
      const expected = join(root, 'dist', 'worker.js');
      assert.equal(await findBundledWorker(join(root, 'dist')), expected);
      assert.equal(await findBundledWorker(join(root, 'dist', 'chunks')), expected);
      assert.equal(await findBundledWorker(root), expected);
      assert.equal(
        await loadWorkerCode(pathToFileURL(join(root, 'dist', 'chunks', 'slb-sync-X.js')).href),
        'export default { fetch() {} };\n',
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a missing bundle says how to build it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dynia-worker-code-'));
    try {
      await assert.rejects(loadWorkerCode(pathToFileURL(join(root, 'cli.js')).href), /dist\/worker\.js\) was not found/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('from the TypeScript sources it bundles worker/ on the fly', async () => {
    // The unit tier runs compiled JavaScript; the sources' dynamic import of worker/bundle.ts needs tsx, as in development.
    const unregister = (await import('tsx/esm/api')).register();
    const code = await loadWorkerCode().finally(unregister);
    assert.match(code, /ORIGINS/);
    assert.match(code, /export\s*\{[^}]*default/);
  });
});
