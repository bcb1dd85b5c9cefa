/** Cloudflare emulator: Worker uploads (multipart) → runtime deploys, scripts, settings, subdomains and routes. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startCloudflareEmulator } from '../../sandbox/emulators/cloudflare/server.js';
import type { WorkerRuntime } from '../../sandbox/emulators/ports.js';
import { emulatorCall } from './emulator-call.js';

const TOKEN = 'cf-workers-test-token';
const ACCOUNT_ID = '01a7362d577a6c3019a474fd6f485823';
const ZONE = { id: '023e105f4ecef8ad9ca31a8372d0c353', name: 'dynia.test' };
const SCRIPTS = `/accounts/${ACCOUNT_ID}/workers/scripts`;
const ROUTES = `/zones/${ZONE.id}/workers/routes`;
const WORKER_SOURCE = 'export default { fetch(request, env) { return new Response(env.ORIGINS); } };';

/** Fields of workers_script-response that the emulator always fills. */
const SCRIPT_KEYS = ['created_on', 'etag', 'handlers', 'id', 'modified_on', 'usage_model'];

type Json = Record<string, any>;
type DeploySpec = Parameters<WorkerRuntime['deploy']>[0];

function uploadForm(metadata: unknown, modules: Array<{ name: string; content: string; type?: string }>): FormData {
  const form = new FormData();
  form.set('metadata', new Blob([JSON.stringify(metadata)], { type: 'application/json' }), 'metadata.json');
  for (const m of modules) form.set(m.name, new Blob([m.content], { type: m.type ?? 'application/javascript+module' }), m.name);
  return form;
}

describe('cloudflare emulator: workers', () => {
  let url = '';
  let close: () => Promise<void>;
  let deployed: DeploySpec[] = [];
  let removed: string[] = [];
  let failNextDeploy: string | undefined;

  const call = (method: string, path: string, body?: unknown) => emulatorCall(url, method, path, { token: TOKEN, body });

  async function upload(name: string, form: FormData | string, contentType?: string) {
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
    if (contentType) headers['content-type'] = contentType;
    const res = await fetch(`${url}${SCRIPTS}/${name}`, { method: 'PUT', headers, body: form });
    return { status: res.status, body: (await res.json()) as Json };
  }

  const standardUpload = (origins: string) =>
    uploadForm(
      {
        main_module: 'worker.mjs',
        compatibility_date: '2024-09-23',
        bindings: [
          { type: 'plain_text', name: 'ORIGINS', text: origins },
          { type: 'secret_text', name: 'API_KEY', text: 's3cr3t' },
          { type: 'json', name: 'CONFIG', json: { retries: 2 } },
        ],
      },
      [
        { name: 'worker.mjs', content: WORKER_SOURCE },
        { name: 'lib.js', content: 'module.exports = 1;', type: 'application/javascript' },
        { name: 'banner.txt', content: 'hello', type: 'text/plain' },
        { name: 'data.json', content: '{"a":1}', type: 'application/json' },
        { name: 'worker.mjs.map', content: '{}', type: 'application/source-map' },
      ],
    );

  before(async () => {
    const emulator = await startCloudflareEmulator({
      port: 0,
      token: TOKEN,
      accountId: ACCOUNT_ID,
      zones: [ZONE],
      workersSubdomain: 'sandbox',
      dns: { publish: () => undefined },
      workers: {
        deploy: async (spec) => {
          if (failNextDeploy) {
            const message = failNextDeploy;
            failNextDeploy = undefined;
            throw new Error(message);
          }
          deployed.push(spec);
        },
        remove: async (name) => void removed.push(name),
      },
    });
    url = emulator.url;
    close = emulator.close;
  });
  beforeEach(async () => {
    for (const script of (await call('GET', SCRIPTS)).body.result) await call('DELETE', `${SCRIPTS}/${script.id}`);
    for (const route of (await call('GET', ROUTES)).body.result) await call('DELETE', `${ROUTES}/${route.id}`);
    deployed = [];
    removed = [];
  });
  after(() => close());

  it('deploys a multipart module upload with its modules and string bindings', async () => {
    const { status, body } = await upload('slb', standardUpload('http://10.0.0.1,http://10.0.0.2'));
    assert.equal(status, 200);
    assert.equal(body.success, true);
    for (const key of SCRIPT_KEYS) assert.ok(key in body.result, `script.${key}`);
    assert.equal(body.result.id, 'slb');
    assert.match(body.result.etag, /^[0-9a-f]{64}$/);
    assert.deepEqual(body.result.handlers, ['fetch']);
    assert.match(body.result.usage_model, /^(bundled|unbound)$/);
    assert.equal(typeof body.result.startup_time_ms, 'number');
    assert.deepEqual(deployed, [
      {
        name: 'slb',
        mainModule: 'worker.mjs',
        modules: [
          { name: 'worker.mjs', content: WORKER_SOURCE, type: 'esm' },
          { name: 'lib.js', content: 'module.exports = 1;', type: 'commonjs' },
          { name: 'banner.txt', content: 'hello', type: 'text' },
          { name: 'data.json', content: '{"a":1}', type: 'json' },
        ],
        bindings: { ORIGINS: 'http://10.0.0.1,http://10.0.0.2', API_KEY: 's3cr3t', CONFIG: '{"retries":2}' },
        compatibilityDate: '2024-09-23',
      },
    ]);
  });

  it('lists scripts, keeps created_on across redeploys and changes the etag', async () => {
    const first = (await upload('slb', standardUpload('a'))).body.result;
    const second = (await upload('slb', standardUpload('b'))).body.result;
    assert.equal(second.created_on, first.created_on);
    assert.notEqual(second.etag, first.etag);
    const list = await call('GET', SCRIPTS);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.result.map((s: Json) => s.id),
      ['slb'],
    );
    assert.equal(list.body.result[0].etag, second.etag);
  });

  it('shows the current bindings in settings, hiding secret values', async () => {
    await upload('slb', standardUpload('http://10.0.0.1'));
    const { status, body } = await call('GET', `${SCRIPTS}/slb/settings`);
    assert.equal(status, 200);
    assert.deepEqual(body.result.bindings, [
      { type: 'plain_text', name: 'ORIGINS', text: 'http://10.0.0.1' },
      { type: 'secret_text', name: 'API_KEY' },
      { type: 'json', name: 'CONFIG', json: { retries: 2 } },
    ]);
    assert.equal(body.result.compatibility_date, '2024-09-23');
    assert.ok(!JSON.stringify(body).includes('s3cr3t'));
  });

  it('downloads the uploaded modules as multipart', async () => {
    await upload('slb', standardUpload('x'));
    const res = await fetch(`${url}${SCRIPTS}/slb`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    const form = await res.formData();
    const main = form.get('worker.mjs') as File;
    assert.equal(await main.text(), WORKER_SOURCE);
    assert.equal(main.type, 'application/javascript+module');
  });

  it('deletes a script from the runtime; unknown scripts are 10007', async () => {
    await upload('slb', standardUpload('x'));
    const deleted = await call('DELETE', `${SCRIPTS}/slb`);
    assert.equal(deleted.status, 200);
    assert.deepEqual(removed, ['slb']);
    assert.deepEqual((await call('GET', SCRIPTS)).body.result, []);
    const missing = await call('DELETE', `${SCRIPTS}/slb`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body.errors, [{ code: 10007, message: 'This Worker does not exist on your account.' }]);
    assert.equal((await call('GET', `${SCRIPTS}/slb/settings`)).status, 404);
  });

  describe('upload validation', () => {
    it('rejects a main_module that names no part (10021) without deploying', async () => {
      const form = uploadForm({ main_module: 'missing.mjs' }, [{ name: 'worker.mjs', content: WORKER_SOURCE }]);
      const { status, body } = await upload('slb', form);
      assert.equal(status, 400);
      assert.equal(body.success, false);
      assert.equal(body.errors[0].code, 10021);
      assert.match(body.errors[0].message, /missing\.mjs/);
      assert.deepEqual(deployed, []);
    });

    it('rejects uploads without metadata, without main_module, or with a bad binding (10021)', async () => {
      const noMetadata = new FormData();
      noMetadata.set('worker.mjs', new Blob([WORKER_SOURCE], { type: 'application/javascript+module' }), 'worker.mjs');
      const noMain = uploadForm({ body_part: 'worker.js' }, [{ name: 'worker.js', content: WORKER_SOURCE }]);
      const kvBinding = uploadForm({ main_module: 'w.mjs', bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: 'x' }] }, [
        { name: 'w.mjs', content: WORKER_SOURCE },
      ]);
      const duplicate = uploadForm(
        {
          main_module: 'w.mjs',
          bindings: [
            { type: 'plain_text', name: 'A', text: '1' },
            { type: 'plain_text', name: 'A', text: '2' },
          ],
        },
        [{ name: 'w.mjs', content: WORKER_SOURCE }],
      );
      for (const form of [noMetadata, noMain, kvBinding, duplicate]) {
        const { status, body } = await upload('slb', form);
        assert.equal(status, 400);
        assert.equal(body.errors[0].code, 10021);
      }
      assert.deepEqual(deployed, []);
    });

    it('rejects a non-multipart body (10001) and an invalid script name', async () => {
      const raw = await upload('slb', WORKER_SOURCE, 'application/javascript');
      assert.equal(raw.status, 400);
      assert.equal(raw.body.errors[0].code, 10001);
      const badName = await upload('Bad.Name', standardUpload('x'));
      assert.equal(badName.status, 400);
      assert.equal(badName.body.success, false);
    });

    it('reports a runtime start failure as 10021 with its first line, keeping the old version', async () => {
      await upload('slb', standardUpload('v1'));
      failNextDeploy = 'Uncaught SyntaxError: Unexpected end of input\n  at worker.mjs:3';
      const { status, body } = await upload('slb', standardUpload('v2'));
      assert.equal(status, 400);
      assert.deepEqual(body.errors, [{ code: 10021, message: 'Uncaught SyntaxError: Unexpected end of input' }]);
      const settings = await call('GET', `${SCRIPTS}/slb/settings`);
      assert.equal(settings.body.result.bindings[0].text, 'v1');
    });

    it('answers 403 (10000) for another account', async () => {
      const other = await fetch(`${url}/accounts/${'f'.repeat(32)}/workers/scripts`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(other.status, 403);
      assert.equal(((await other.json()) as Json).errors[0].code, 10000);
    });
  });

  describe('subdomains', () => {
    it('reads and changes the account workers.dev subdomain', async () => {
      const path = `/accounts/${ACCOUNT_ID}/workers/subdomain`;
      assert.deepEqual((await call('GET', path)).body.result, { subdomain: 'sandbox' });
      assert.deepEqual((await call('PUT', path, { subdomain: 'edge' })).body.result, { subdomain: 'edge' });
      assert.deepEqual((await call('GET', path)).body.result, { subdomain: 'edge' });
      assert.equal((await call('PUT', path, { subdomain: 'Not Valid' })).status, 400);
      await call('PUT', path, { subdomain: 'sandbox' });
    });

    it('enables a script on workers.dev and keeps that across redeploys', async () => {
      await upload('slb', standardUpload('x'));
      const path = `${SCRIPTS}/slb/subdomain`;
      assert.deepEqual((await call('GET', path)).body.result, { enabled: false, previews_enabled: false });
      const enabled = await call('POST', path, { enabled: true });
      assert.equal(enabled.status, 200);
      assert.deepEqual(enabled.body.result, { enabled: true, previews_enabled: true });
      await upload('slb', standardUpload('y'));
      assert.deepEqual((await call('GET', path)).body.result, { enabled: true, previews_enabled: true });
      assert.equal((await call('POST', path, { enabled: 'yes' })).status, 400);
      assert.equal((await call('POST', `${SCRIPTS}/nope/subdomain`, { enabled: true })).status, 404);
    });
  });

  describe('zone routes', () => {
    it('creates, lists, gets, updates and deletes routes', async () => {
      const created = await call('POST', ROUTES, { pattern: 'app.dynia.test/*', script: 'slb' });
      assert.equal(created.status, 200);
      const route = created.body.result;
      assert.match(route.id, /^[0-9a-f]{32}$/);
      assert.deepEqual(route, { id: route.id, pattern: 'app.dynia.test/*', script: 'slb' });
      assert.deepEqual((await call('GET', ROUTES)).body.result, [route]);
      assert.deepEqual((await call('GET', `${ROUTES}/${route.id}`)).body.result, route);
      const updated = await call('PUT', `${ROUTES}/${route.id}`, { pattern: '*.dynia.test/*', script: 'slb' });
      assert.equal(updated.body.result.pattern, '*.dynia.test/*');
      assert.deepEqual((await call('DELETE', `${ROUTES}/${route.id}`)).body.result, { id: route.id });
      assert.deepEqual((await call('GET', ROUTES)).body.result, []);
      assert.equal((await call('DELETE', `${ROUTES}/${route.id}`)).status, 404);
    });

    it('rejects duplicates (409), patterns outside the zone and a missing pattern', async () => {
      await call('POST', ROUTES, { pattern: 'app.dynia.test/*', script: 'slb' });
      const duplicate = await call('POST', ROUTES, { pattern: 'app.dynia.test/*', script: 'other' });
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.body.errors[0].code, 10020);
      assert.equal((await call('POST', ROUTES, { pattern: 'example.com/*', script: 'slb' })).status, 400);
      assert.equal((await call('POST', ROUTES, { script: 'slb' })).status, 400);
    });
  });
});
