import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WorkerModuleUpload, WorkerRoute, WorkerSettings } from '../../src/cloud/cloudflare.js';
import type { ProbeResult } from '../../src/health/probe.js';
import { State, type NodeRecord } from '../../src/state/schema.js';
import type { StateTx } from '../../src/state/store.js';
import { slbSync, type SlbCloudflare, type SlbSyncInput } from '../../src/commands/slb-sync/workflow.js';
import type { Reporter } from '../../src/lib/steps.js';
import { WORKER_COMPATIBILITY_DATE } from '../../worker/compatibility.js';
import { FakeClock } from './workflow-fakes.js';

const ACCOUNT = 'acc1';
const ZONE = 'zone1';

/** Cloudflare as slb:sync sees it: scripts with their bindings, routes, one subdomain; every call logged. */
class FakeCloudflare implements SlbCloudflare {
  scripts = new Map<string, { upload: WorkerModuleUpload; workersDev: boolean }>();
  routes: WorkerRoute[] = [];
  calls: string[] = [];

  async uploadWorkerModule(accountId: string, name: string, upload: WorkerModuleUpload) {
    this.calls.push(`upload ${accountId}/${name}`);
    this.scripts.set(name, { upload, workersDev: this.scripts.get(name)?.workersDev ?? false });
    return { id: name };
  }
  async getWorkerSettings(accountId: string, name: string): Promise<WorkerSettings | null> {
    this.calls.push(`settings ${accountId}/${name}`);
    const script = this.scripts.get(name);
    return script ? { bindings: script.upload.bindings, compatibility_date: script.upload.compatibilityDate } : null;
  }
  async getWorkersSubdomain(accountId: string) {
    this.calls.push(`subdomain ${accountId}`);
    return 'acme';
  }
  async enableWorkersDev(accountId: string, name: string) {
    this.calls.push(`workers.dev ${accountId}/${name}`);
    this.scripts.get(name)!.workersDev = true;
  }
  async listWorkerRoutes(zoneId: string) {
    this.calls.push(`routes ${zoneId}`);
    return this.routes;
  }
  async createWorkerRoute(zoneId: string, route: { pattern: string; script: string }) {
    this.calls.push(`create route ${zoneId} ${route.pattern}`);
    const created = { id: `r${this.routes.length + 1}`, ...route };
    this.routes.push(created);
    return created;
  }
  namespaces: Array<{ id: string; title: string }> = [];
  schedules = new Map<string, string[]>();
  async listKvNamespaces(accountId: string) {
    this.calls.push(`kv namespaces ${accountId}`);
    return this.namespaces;
  }
  async createKvNamespace(accountId: string, title: string) {
    this.calls.push(`create kv ${accountId} ${title}`);
    const ns = { id: `ns${this.namespaces.length + 1}`, title };
    this.namespaces.push(ns);
    return ns;
  }
  async getWorkerSchedules(accountId: string, name: string) {
    this.calls.push(`schedules ${accountId}/${name}`);
    return this.scripts.has(name) ? (this.schedules.get(name) ?? []) : null;
  }
  async putWorkerSchedules(accountId: string, name: string, crons: readonly string[]) {
    this.calls.push(`set schedules ${accountId}/${name} ${crons.join(',')}`);
    this.schedules.set(name, [...crons]);
  }
  /** The ORIGINS the fake has deployed under `name`. */
  origins(name: string): unknown {
    return this.scripts.get(name)?.upload.bindings.find((b) => b.name === 'ORIGINS');
  }
}

function memoryTx(initial: State): StateTx & { commits: number } {
  let current = State.parse(initial);
  const tx = {
    commits: 0,
    get state() {
      return current;
    },
    async commit(mutator: (draft: State) => void | State) {
      const draft = structuredClone(current);
      current = State.parse(mutator(draft) ?? draft);
      tx.commits++;
      return current;
    },
  };
  return tx;
}

const node = (name: string, status: NodeRecord['status'] = 'active'): NodeRecord => ({
  name,
  ip: '172.29.0.10',
  fqdn: `${name}.example.com`,
  createdAt: '2026-01-01T00:00:00.000Z',
  status,
  healthPath: '/healthz',
  caddy: { domain: `${name}.example.com`, target: { service: 'placeholder', port: 8080 } },
  stepsDone: [],
});

function recorder(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    stepStart: () => undefined,
    stepDone: (title, _ms, detail) => lines.push(`done ${title}${detail ? `: ${detail}` : ''}`),
    stepSkipped: (title, reason) => lines.push(`skip ${title}: ${reason}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
  };
}

/** Probes answer from a set of down hosts; every probed URL is recorded. */
function fakeProbe(down: string[] = []) {
  const probed: string[] = [];
  const probe = async (url: string): Promise<ProbeResult> => {
    probed.push(url);
    const host = new URL(url).hostname;
    return down.includes(host)
      ? { ok: false, error: `connection to ${host} refused (nothing listening on the port).`, ms: 1 }
      : { ok: true, status: 200, ms: 1 };
  };
  return { probe, probed };
}

const input = (over: Partial<SlbSyncInput> = {}): SlbSyncInput => ({
  name: 'dynia-slb',
  accountId: ACCOUNT,
  health: true,
  workersDevUrlTemplate: 'https://{script}.{subdomain}.workers.dev',
  dryRun: false,
  allowEmpty: false,
  ...over,
});

function setup(nodes: NodeRecord[], down: string[] = []) {
  const cloudflare = new FakeCloudflare();
  const tx = memoryTx({ version: 1, nodes, deployments: [] });
  const reporter = recorder();
  const { probe, probed } = fakeProbe(down);
  const clock = new FakeClock(Date.parse('2026-02-03T04:05:06.000Z'));
  const deps = { tx, cloudflare, reporter, settings: { zoneId: ZONE }, probe, clock };
  let code = 'export default { fetch() {} };';
  const seams = {
    loadWorkerCode: async () => code,
    health: { concurrency: 16, attempts: 2, retryDelayMs: 0 },
  };
  return { cloudflare, tx, reporter, probed, deps, seams, setCode: (c: string) => (code = c) };
}

describe('slbSync', () => {
  test('publishes the healthy active nodes, drops the others with a reason, serves on workers.dev and records it', async () => {
    const s = setup([node('web-1'), node('web-2'), node('web-3', 'creating'), node('web-4')], ['web-2.example.com']);
    const result = await slbSync(input(), s.deps, s.seams);

    assert.equal(result.url, 'https://dynia-slb.acme.workers.dev');
    assert.deepEqual(result.origins, ['https://web-1.example.com', 'https://web-4.example.com']);
    assert.deepEqual(result.dropped, [
      {
        origin: 'https://web-2.example.com',
        reason: 'connection to web-2.example.com refused (nothing listening on the port). (2 attempts)',
      },
    ]);
    assert.equal(result.current, null);
    assert.equal(result.uploaded, true);
    assert.deepEqual(s.probed.sort(), [
      'https://web-1.example.com/healthz',
      'https://web-2.example.com/healthz',
      'https://web-2.example.com/healthz',
      'https://web-4.example.com/healthz',
    ]);
    assert.deepEqual(s.cloudflare.calls, [
      'settings acc1/dynia-slb',
      'kv namespaces acc1',
      'create kv acc1 dynia-slb-health',
      'upload acc1/dynia-slb',
      'schedules acc1/dynia-slb',
      'set schedules acc1/dynia-slb * * * * *',
      'workers.dev acc1/dynia-slb',
      'subdomain acc1',
    ]);
    const uploaded = s.cloudflare.scripts.get('dynia-slb')!.upload;
    assert.deepEqual(
      { ...uploaded, code: undefined },
      {
        mainModule: 'worker.js',
        code: undefined,
        compatibilityDate: WORKER_COMPATIBILITY_DATE,
        bindings: [
          { type: 'json', name: 'ORIGINS', json: ['https://web-1.example.com', 'https://web-4.example.com'] },
          {
            type: 'json',
            name: 'HEALTH_PATHS',
            json: { 'https://web-1.example.com': '/healthz', 'https://web-4.example.com': '/healthz' },
          },
          { type: 'kv_namespace', name: 'HEALTH', namespace_id: 'ns1' },
        ],
      },
    );
    assert.deepEqual(s.tx.state.slb, {
      name: 'dynia-slb',
      url: 'https://dynia-slb.acme.workers.dev',
      origins: ['https://web-1.example.com', 'https://web-4.example.com'],
      publishedAt: '2026-02-03T04:05:06.000Z',
      codeHash: s.tx.state.slb!.codeHash,
    });
    assert.match(s.tx.state.slb!.codeHash!, /^sha256:/);
    assert.ok(
      s.reporter.lines.includes(
        'warn dropped https://web-2.example.com: connection to web-2.example.com refused (nothing listening on the port). (2 attempts)',
      ),
    );
    assert.ok(s.reporter.lines.includes('info skipping node web-3: it is creating, not active'));
  });

  test('a second sync with the same origins and code skips the upload and says so', async () => {
    const s = setup([node('web-1')]);
    await slbSync(input(), s.deps, s.seams);
    const commits = s.tx.commits;
    s.cloudflare.calls = [];
    const again = await slbSync(input(), { ...s.deps, clock: new FakeClock(Date.parse('2030-01-01T00:00:00.000Z')) }, s.seams);
    assert.equal(again.uploaded, false);
    assert.equal(again.unchanged, true);
    assert.deepEqual(again.current, ['https://web-1.example.com']);
    assert.ok(!s.cloudflare.calls.some((c) => c.startsWith('upload') || c.startsWith('create kv') || c.startsWith('set schedules')));
    assert.ok(
      s.reporter.lines.includes(
        'skip Upload Worker dynia-slb with 1 origin(s): ORIGINS, health bindings and Worker code unchanged: nothing to upload',
      ),
    );
    assert.equal(s.tx.commits, commits, 'nothing to record either');
    assert.equal(s.tx.state.slb!.publishedAt, '2026-02-03T04:05:06.000Z');
  });

  test('same origins but new Worker code: uploaded again', async () => {
    const s = setup([node('web-1')]);
    await slbSync(input(), s.deps, s.seams);
    const before = s.tx.state.slb!.codeHash;
    s.setCode('export default { fetch() { return new Response("v2"); } };');
    const again = await slbSync(input(), s.deps, s.seams);
    assert.equal(again.uploaded, true);
    assert.equal(again.unchanged, true);
    assert.notEqual(s.tx.state.slb!.codeHash, before);
    assert.ok(
      s.reporter.lines.includes('done Upload Worker dynia-slb with 1 origin(s): ORIGINS unchanged; new Worker code or health bindings'),
    );
  });

  test('a Worker whose ORIGINS were changed elsewhere is re-uploaded even with the same code', async () => {
    const s = setup([node('web-1')]);
    await slbSync(input(), s.deps, s.seams);
    s.cloudflare.scripts.get('dynia-slb')!.upload.bindings = [{ type: 'plain_text', name: 'ORIGINS', text: 'https://other.example.com' }];
    const again = await slbSync(input(), s.deps, s.seams);
    assert.deepEqual(again.current, ['https://other.example.com']);
    assert.equal(again.uploaded, true);
    assert.deepEqual(s.cloudflare.origins('dynia-slb'), { type: 'json', name: 'ORIGINS', json: ['https://web-1.example.com'] });
  });

  test('--dry-run reads the current ORIGINS and changes nothing', async () => {
    const s = setup([node('web-1'), node('web-2')]);
    await slbSync(input(), s.deps, s.seams);
    const slbBefore = structuredClone(s.tx.state.slb);
    const commits = s.tx.commits;
    s.cloudflare.calls = [];
    const result = await slbSync(input({ dryRun: true }), { ...s.deps, probe: fakeProbe(['web-2.example.com']).probe }, s.seams);
    assert.deepEqual(result.current, ['https://web-1.example.com', 'https://web-2.example.com']);
    assert.deepEqual(result.origins, ['https://web-1.example.com']);
    assert.equal(result.url, 'https://dynia-slb.acme.workers.dev');
    assert.equal(result.dryRun, true);
    assert.equal(result.unchanged, false);
    assert.deepEqual(s.cloudflare.calls, ['settings acc1/dynia-slb']);
    assert.equal(s.tx.commits, commits);
    assert.deepEqual(s.tx.state.slb, slbBefore);
  });

  test('an empty list is refused before anything is uploaded, naming --allow-empty', async () => {
    const s = setup([node('web-1'), node('web-2')], ['web-1.example.com', 'web-2.example.com']);
    await assert.rejects(slbSync(input(), s.deps, s.seams), (error: Error & { kind?: string; hint?: string }) => {
      assert.equal(error.kind, 'input');
      assert.match(
        error.message,
        /^no origin to publish: all 2 active node\(s\) failed the health check \(https:\/\/web-1\.example\.com: connection to web-1\.example\.com refused/,
      );
      assert.match(error.hint!, /--allow-empty/);
      return true;
    });
    assert.ok(!s.cloudflare.calls.some((c) => c.startsWith('upload')));
    assert.equal(s.tx.state.slb, undefined);

    const none = setup([]);
    await assert.rejects(slbSync(input(), none.deps, none.seams), /no origin to publish: there is no active node in state/);
  });

  test('--allow-empty publishes an empty list, with a warning', async () => {
    const s = setup([]);
    const result = await slbSync(input({ allowEmpty: true }), s.deps, s.seams);
    assert.deepEqual(result.origins, []);
    assert.deepEqual(s.cloudflare.origins('dynia-slb'), { type: 'json', name: 'ORIGINS', json: [] });
    assert.ok(s.reporter.lines.includes('warn publishing an empty ORIGINS list: the Worker will answer 500 to every request'));
    assert.ok(s.reporter.lines.includes('skip Check https://<fqdn><health path> of 0 node(s), 16 at a time: no active node'));
  });

  test('--no-health publishes every active node without probing', async () => {
    const s = setup([node('web-1'), node('web-2')], ['web-2.example.com']);
    const result = await slbSync(input({ health: false }), s.deps, s.seams);
    assert.deepEqual(result.origins, ['https://web-1.example.com', 'https://web-2.example.com']);
    assert.deepEqual(result.dropped, []);
    assert.deepEqual(s.probed, []);
  });

  test('--route creates the zone route once, and refuses a route that serves another Worker', async () => {
    const s = setup([node('web-1')]);
    const result = await slbSync(input({ route: 'app.example.com/*' }), s.deps, s.seams);
    assert.equal(result.url, 'https://app.example.com/');
    assert.deepEqual(s.cloudflare.routes, [{ id: 'r1', pattern: 'app.example.com/*', script: 'dynia-slb' }]);
    assert.ok(!s.cloudflare.calls.some((c) => c.startsWith('workers.dev')));
    await slbSync(input({ route: 'app.example.com/*' }), s.deps, s.seams);
    assert.equal(s.cloudflare.routes.length, 1);
    assert.ok(
      s.reporter.lines.includes('done Route app.example.com/* to Worker dynia-slb: route already in place; https://app.example.com/'),
    );

    s.cloudflare.routes.push({ id: 'r2', pattern: 'shop.example.com/*', script: 'other' });
    await assert.rejects(
      slbSync(input({ route: 'shop.example.com/*' }), s.deps, s.seams),
      /route shop\.example\.com\/\* already sends its traffic to Worker other/,
    );
  });
});
