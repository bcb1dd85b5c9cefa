import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { DyniaError } from '../../src/errors.js';
import { findJsonSyntaxError } from '../../src/state/json-position.js';
import { STATE_VERSION, emptyState, type State } from '../../src/state/schema.js';
import { StateStore, formatPath } from '../../src/state/store.js';
import { childModule } from './child-module.js';
import { nodeRecord } from './records.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'dynia-state-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(scratch, `s${++dirs}`);

const node = (name: string) => nodeRecord(name, { ip: '203.0.113.10' });

async function stateError(promise: Promise<unknown>): Promise<DyniaError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DyniaError && error.kind === 'state', String(error));
    return error;
  }
  assert.fail('expected a StateError');
}

describe('findJsonSyntaxError', () => {
  it('points at the first error by line and column', () => {
    assert.deepEqual(findJsonSyntaxError('{\n  "a": 1,\n}'), {
      line: 3,
      column: 1,
      reason: 'expected a property name in double quotes but found "}"',
    });
    assert.deepEqual(findJsonSyntaxError('{"a": tru}'), { line: 1, column: 7, reason: 'unexpected "t"' });
    assert.deepEqual(findJsonSyntaxError('{"a": [1 2]}'), { line: 1, column: 10, reason: 'expected "," or "]" but found "2"' });
    assert.deepEqual(findJsonSyntaxError('{"a": "x'), { line: 1, column: 9, reason: 'unterminated string' });
    assert.deepEqual(findJsonSyntaxError(''), { line: 1, column: 1, reason: 'unexpected end of input' });
    assert.deepEqual(findJsonSyntaxError('{} x'), { line: 1, column: 4, reason: 'unexpected "x" after the end of the value' });
    assert.equal(findJsonSyntaxError('{"a": [1, -2.5e3, true, null, "\\u00e9\\n"], "b": {}}'), undefined);
  });
});

describe('formatPath', () => {
  it('renders zod paths like code', () => {
    assert.equal(formatPath(['nodes', 1, 'healthPath']), 'nodes[1].healthPath');
    assert.equal(formatPath(['version']), 'version');
    assert.equal(formatPath([]), '(root)');
  });
});

describe('StateStore load/save', () => {
  it('loads a missing file as the empty state', async () => {
    assert.deepEqual(await new StateStore(freshDir()).load(), emptyState());
  });

  it('saves atomically and loads back, leaving no temp file', async () => {
    const dir = freshDir();
    const store = new StateStore(dir);
    const state: State = { ...emptyState(), nodes: [node('web-1')] };
    await store.save(state);
    assert.deepEqual(await store.load(), state);
    assert.deepEqual(readdirSync(dir), ['state.json']);
    assert.ok(readFileSync(store.path, 'utf8').endsWith('}\n'));
  });

  it('is not confused by a temp file left by a crash mid-save', async () => {
    const dir = freshDir();
    const store = new StateStore(dir);
    await store.save({ ...emptyState(), nodes: [node('web-1')] });
    writeFileSync(`${store.path}.tmp-99999-deadbeef`, '{"version": 1, "nodes": [{"name": "half-writ');
    assert.deepEqual(
      (await store.load()).nodes.map((n) => n.name),
      ['web-1'],
    );
    await store.save({ ...emptyState(), nodes: [node('web-2')] });
    assert.deepEqual(
      (await store.load()).nodes.map((n) => n.name),
      ['web-2'],
    );
  });

  it('reports invalid JSON with line and column', async () => {
    const store = new StateStore(freshDir());
    await store.save(emptyState());
    writeFileSync(store.path, '{\n  "version": 1,\n  "nodes": [],\n  "deployments": [,]\n}\n');
    const error = await stateError(store.load());
    assert.equal(error.message, `${store.path} is not valid JSON at line 4, column 19: unexpected ",".`);
  });

  it('names the path of a schema violation', async () => {
    const store = new StateStore(freshDir());
    const bad = { ...emptyState(), nodes: [node('a'), { ...node('b'), healthPath: 'health' }] };
    await store.save(emptyState());
    writeFileSync(store.path, JSON.stringify(bad));
    const error = await stateError(store.load());
    assert.match(error.message, /does not match the state format: nodes\[1\]\.healthPath: /);
    assert.match(
      (await stateError(store.save(bad as State))).message,
      /^The state to save does not match the state format: nodes\[1\]\.healthPath: /,
    );
  });

  it('refuses a state file from a newer Dynia and never overwrites it', async () => {
    const dir = freshDir();
    const store = new StateStore(dir);
    await store.save(emptyState());
    const newer = JSON.stringify({ version: STATE_VERSION + 1, nodes: [], deployments: [], future: true });
    writeFileSync(store.path, newer);
    const error = await stateError(store.load());
    assert.match(error.message, /was written by a newer Dynia \(state version 2; this Dynia understands up to 1\)/);
    assert.match(error.hint ?? '', /Upgrade Dynia/);
    await stateError(store.save(emptyState()));
    await stateError(store.withLock('test', async () => undefined));
    assert.equal(readFileSync(store.path, 'utf8'), newer);
    assert.ok(!existsSync(store.lockPath), 'the lock is released after the refusal');
  });

  it('backs up the current file', async () => {
    const store = new StateStore(freshDir());
    assert.equal(await store.backup(), null);
    await store.save({ ...emptyState(), nodes: [node('web-1')] });
    const copy = await store.backup();
    assert.match(copy ?? '', /state\.json\.bak-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    assert.equal(readFileSync(copy!, 'utf8'), readFileSync(store.path, 'utf8'));
  });
});

describe('StateStore.withLock', () => {
  it('commits each step to disk at once and releases the lock, also on failure', async () => {
    const store = new StateStore(freshDir());
    await assert.rejects(
      store.withLock('node:create web-1', async (tx) => {
        const holder = JSON.parse(readFileSync(store.lockPath, 'utf8'));
        assert.equal(holder.pid, process.pid);
        assert.equal(holder.host, hostname());
        assert.equal(holder.command, 'node:create web-1');
        assert.ok(!Number.isNaN(Date.parse(holder.startedAt)));
        await tx.commit((draft) => {
          draft.nodes.push(node('web-1'));
        });
        assert.deepEqual(
          (await store.load()).nodes.map((n) => n.name),
          ['web-1'],
        );
        assert.deepEqual(
          tx.state.nodes.map((n) => n.name),
          ['web-1'],
        );
        await tx.commit((draft) => ({ ...draft, nodes: [...draft.nodes, node('web-2')] }));
        throw new Error('step 3 failed');
      }),
      /step 3 failed/,
    );
    assert.ok(!existsSync(store.lockPath));
    assert.deepEqual(
      (await store.load()).nodes.map((n) => n.name),
      ['web-1', 'web-2'],
    );
  });

  it('leaves state untouched when a commit is invalid', async () => {
    const store = new StateStore(freshDir());
    await store.withLock('test', async (tx) => {
      await tx.commit((draft) => void draft.nodes.push(node('ok')));
      await stateError(tx.commit((draft) => void draft.nodes.push({ ...node('bad'), status: 'weird' as 'active' })));
      assert.deepEqual(
        tx.state.nodes.map((n) => n.name),
        ['ok'],
      );
    });
    assert.deepEqual(
      (await store.load()).nodes.map((n) => n.name),
      ['ok'],
    );
  });

  it('fails after waiting, naming the holder', async () => {
    const dir = freshDir();
    const child = await startChild(dir, 'hold', '10000');
    const started = Date.now();
    const error = await stateError(new StateStore(dir, { lockWaitMs: 300, lockPollMs: 20 }).withLock('app:deploy', async () => undefined));
    assert.ok(Date.now() - started >= 300);
    assert.match(
      error.message,
      new RegExp(`^The state is locked by pid ${child.pid} on ${hostname()} running "hold test" since \\d{4}-.*, which is still running`),
    );
    assert.match(error.hint ?? '', /state\.lock/);
    child.stop();
    await child.done;
  });

  it('waits for a short holder and then proceeds', async () => {
    const dir = freshDir();
    const child = await startChild(dir, 'hold', '300');
    const ran = await new StateStore(dir, { lockWaitMs: 5000, lockPollMs: 20 }).withLock('second', async () => 'ran');
    assert.equal(ran, 'ran');
    await child.done;
  });

  it('takes over a stale lock of a dead process on this host', async () => {
    const dir = freshDir();
    const dead = spawn(process.execPath, ['-e', '']);
    await once(dead, 'exit');
    const store = new StateStore(dir, { lockWaitMs: 200 });
    await store.save(emptyState());
    writeFileSync(
      store.lockPath,
      JSON.stringify({ pid: dead.pid, host: hostname(), command: 'crashed', startedAt: new Date().toISOString() }),
    );
    assert.equal(await store.withLock('after crash', async () => 'ok'), 'ok');
    assert.ok(!existsSync(store.lockPath));
    assert.deepEqual(readdirSync(dir).sort(), ['state.json']);
  });

  it('does not take over a lock from another host', async () => {
    const store = new StateStore(freshDir(), { lockWaitMs: 100, lockPollMs: 20 });
    await store.save(emptyState());
    writeFileSync(
      store.lockPath,
      JSON.stringify({ pid: 1, host: 'elsewhere', command: 'slb:sync', startedAt: '2026-01-01T00:00:00.000Z' }),
    );
    const error = await stateError(store.withLock('x', async () => undefined));
    assert.equal(
      error.message,
      'The state is locked by pid 1 on elsewhere running "slb:sync" since 2026-01-01T00:00:00.000Z; it runs on another machine (elsewhere), so whether it still runs cannot be checked from here.',
    );
  });

  it('takes over an old lock file whose holder never wrote its name', async () => {
    const store = new StateStore(freshDir(), { lockWaitMs: 100, lockPollMs: 20 });
    await store.save(emptyState());
    writeFileSync(store.lockPath, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(store.lockPath, old, old);
    assert.equal(await store.withLock('x', async () => 'ok'), 'ok');
  });

  it('serialises two processes racing for the lock (no lost updates)', async () => {
    const dir = freshDir();
    const perChild = 15;
    const children = await Promise.all([
      startChild(dir, 'append', `a:${perChild}`, false),
      startChild(dir, 'append', `b:${perChild}`, false),
    ]);
    const codes = await Promise.all(children.map((child) => child.done));
    assert.deepEqual(codes, [0, 0]);
    const names = (await new StateStore(dir).load()).nodes.map((n) => n.name);
    assert.equal(names.length, 2 * perChild);
    assert.equal(new Set(names).size, 2 * perChild);
    // Each critical section was entered and left without the other one inside.
    const log = readFileSync(join(dir, 'sections.log'), 'utf8').trim().split('\n');
    for (let i = 0; i < log.length; i += 2) {
      assert.equal(log[i]!.replace('enter', 'leave'), log[i + 1], `interleaved at line ${i}`);
    }
    assert.ok(!existsSync(join(dir, 'state.lock')));
  });
});

/** A second process using the store: `hold <ms>` keeps the lock; `append <tag>:<n>` adds n nodes, one per lock. */
const CHILD_SOURCE = `
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateStore } from './src/state/store.ts';
const [dir, mode, arg] = process.argv.slice(2);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const store = new StateStore(dir, { lockWaitMs: 30000, lockPollMs: 2 });
if (mode === 'hold') {
  await store.withLock('hold test', async () => { process.stdout.write('locked\\n'); await sleep(Number(arg)); });
} else {
  const [tag, count] = arg.split(':');
  process.stdout.write('locked\\n');
  for (let i = 0; i < Number(count); i++) {
    await store.withLock('append ' + tag, async (tx) => {
      appendFileSync(join(dir, 'sections.log'), 'enter ' + tag + i + '\\n');
      const seen = tx.state.nodes.length;
      await sleep(Math.random() * 4);
      await tx.commit((draft) => {
        if (draft.nodes.length !== seen) throw new Error('state changed under the lock');
        draft.nodes.push({ name: tag + i, ip: '203.0.113.1', fqdn: tag + i + '.example.com', createdAt: 'x', status: 'active',
          healthPath: '/', caddy: { domain: 'd', target: { service: 's', port: 80 } }, stepsDone: [] });
      });
      appendFileSync(join(dir, 'sections.log'), 'leave ' + tag + i + '\\n');
    });
  }
}
`;

let childFile: Promise<string> | undefined;

/** Starts a child and resolves once it holds the lock (or, for `append`, has started). */
async function startChild(dir: string, mode: 'hold' | 'append', arg: string, waitForLock = true) {
  childFile ??= childModule(CHILD_SOURCE, repoRoot, join(scratch, 'child.mjs'));
  const child = spawn(process.execPath, [fileURLToPath(await childFile), dir, mode, arg], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const done = once(child, 'exit').then(([code]) => code as number);
  if (waitForLock) {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
      child.once('exit', () => reject(new Error('child exited before locking')));
    });
  }
  return { pid: child.pid!, done, stop: () => child.kill() };
}
