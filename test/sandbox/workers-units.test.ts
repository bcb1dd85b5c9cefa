/** Pure parts of the Worker runtime: Host routing, Miniflare options, startup errors, instance swapping. */
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { describe, it } from 'node:test';
import { scriptNameFromHost } from '../../sandbox/workers/host-routing.js';
import { startupFailureMessage } from '../../sandbox/workers/runtime-errors.js';
import { ScriptInstances, type Instance } from '../../sandbox/workers/script-instances.js';
import { miniflareWorkerOptions } from '../../sandbox/workers/worker-options.js';

describe('scriptNameFromHost', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    ['slb.sandbox.workers.localhost:4782', 'slb'],
    ['SLB.sandbox.workers.dev', 'slb'],
    ['api', 'api'],
    ['127.0.0.1:4782', '127'],
    ['[::1]:4782', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [host, name] of cases) it(`${String(host)} → ${String(name)}`, () => assert.equal(scriptNameFromHost(host), name));
});

describe('miniflareWorkerOptions', () => {
  const base = {
    name: 'slb',
    mainModule: 'main.mjs',
    modules: [
      { name: 'util.js', content: 'module.exports = 1', type: 'commonjs' as const },
      { name: 'main.mjs', content: 'export default {}', type: 'esm' as const },
      { name: 'a.txt', content: 'text', type: 'text' as const },
      { name: 'c.json', content: '{ "x": [1, 2] }', type: 'json' as const },
    ],
    bindings: { ORIGINS: 'a,b' },
    compatibilityDate: '2024-09-23',
  };

  it('puts the main module first and maps module types (JSON as an ES module)', () => {
    assert.deepEqual(miniflareWorkerOptions({ spec: base, newestSupportedDate: '2026-04-26' }), {
      name: 'slb',
      modules: [
        { type: 'ESModule', path: 'main.mjs', contents: 'export default {}' },
        { type: 'CommonJS', path: 'util.js', contents: 'module.exports = 1' },
        { type: 'Text', path: 'a.txt', contents: 'text' },
        { type: 'ESModule', path: 'c.json', contents: 'export default {"x":[1,2]};' },
      ],
      bindings: { ORIGINS: 'a,b' },
      compatibilityDate: '2024-09-23',
    });
  });

  it('lowers a too-new or missing compatibility date to the newest supported one', () => {
    const newest = '2026-04-26';
    assert.equal(
      miniflareWorkerOptions({ spec: { ...base, compatibilityDate: '2026-11-27' }, newestSupportedDate: newest }).compatibilityDate,
      newest,
    );
    const { compatibilityDate: _omitted, ...undated } = base;
    assert.equal(miniflareWorkerOptions({ spec: undated, newestSupportedDate: newest }).compatibilityDate, newest);
  });

  it('refuses a main module that was not uploaded', () => {
    assert.throws(() => miniflareWorkerOptions({ spec: { ...base, mainModule: 'x.mjs' }, newestSupportedDate: '2026-04-26' }), /x\.mjs/);
  });
});

describe('startupFailureMessage', () => {
  it('keeps the Uncaught line and its location, without the service prefix', () => {
    const stderr = 'service core:user:slb: Uncaught SyntaxError: Unexpected end of input\n  at file:///tmp/main.mjs:3\n';
    assert.equal(startupFailureMessage(stderr), 'Uncaught SyntaxError: Unexpected end of input\n  at file:///tmp/main.mjs:3');
  });

  it('is undefined when workerd said nothing useful', () => {
    assert.equal(startupFailureMessage('some warning\n'), undefined);
  });
});

describe('ScriptInstances', () => {
  function fakeInstance(port: number, disposed: number[]): Instance {
    return { port, agent: new Agent(), dispose: async () => void disposed.push(port), scheduled: async () => 'ok' };
  }

  it('switches to the new instance at once and disposes the old one after its last request', async () => {
    const disposed: number[] = [];
    const instances = new ScriptInstances();
    await instances.deploy('slb', async () => fakeInstance(1, disposed));
    const inFlight = instances.acquire('slb')!;
    await instances.deploy('slb', async () => fakeInstance(2, disposed));
    assert.equal(instances.acquire('slb')!.instance.port, 2);
    assert.deepEqual(disposed, [], 'the old instance still serves a request');
    inFlight.release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(disposed, [1]);
    await instances.closeAll();
    assert.deepEqual(disposed, [1, 2]);
  });

  it('runs deploys of one script in order and keeps the old one when a deploy fails', async () => {
    const disposed: number[] = [];
    const instances = new ScriptInstances();
    const slow = instances.deploy('slb', () => new Promise((resolve) => setTimeout(() => resolve(fakeInstance(1, disposed)), 20)));
    const fast = instances.deploy('slb', async () => fakeInstance(2, disposed));
    await Promise.all([slow, fast]);
    assert.equal(instances.acquire('slb')!.instance.port, 2, 'the last requested deploy serves');
    await assert.rejects(
      instances.deploy('slb', async () => Promise.reject(new Error('bad script'))),
      /bad script/,
    );
    assert.equal(instances.acquire('slb')!.instance.port, 2);
    await instances.remove('slb');
    assert.equal(instances.acquire('slb'), undefined);
    await instances.closeAll();
  });
});
