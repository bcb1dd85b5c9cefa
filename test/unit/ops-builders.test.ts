import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { composeLogsCommand } from '../../src/node/log-commands.js';
import { containerNetworks, parseNetworkNames } from '../../src/node/rollback-commands.js';
import { composePsAll } from '../../src/node/compose-commands.js';
import { containerRunning } from '../../src/node/status-commands.js';
import { appTarget } from '../../src/deploy/deploy-shared.js';
import { plainCompose } from './workflow-fakes.js';

const target = appTarget('hello-blue');
const FILES = [
  '--project-directory',
  '/opt/dynia/apps/hello-blue/src',
  '--env-file',
  '/opt/dynia/apps/hello-blue/interpolation.env',
  '-f',
  '/opt/dynia/apps/hello-blue/compose.yaml',
  '-f',
  '/opt/dynia/apps/hello-blue/dynia.override.yaml',
];

/** `docker compose logs` of the project, before its options. */
const LOGS = ['docker', 'compose', '-p', 'hello-blue', ...FILES, 'logs'];

describe('app:logs command', () => {
  test('without --follow: plain compose logs', () => {
    assert.deepEqual(plainCompose(composeLogsCommand(target, { service: 'web', tail: 100, follow: false })), [
      ...LOGS,
      '--tail',
      '100',
      'web',
    ]);
    assert.deepEqual(plainCompose(composeLogsCommand(target, { follow: false })), LOGS);
  });

  test('with --follow: a constant wrapper script, the compose argv as its arguments', () => {
    const argv = composeLogsCommand(target, { service: 'web', tail: 5, follow: true });
    assert.deepEqual(argv.slice(0, 2), ['sh', '-c']);
    assert.deepEqual(plainCompose(argv.slice(3)), ['sh', ...LOGS, '--tail', '5', '--follow', 'web']);
    assert.doesNotMatch(argv[2]!, /hello|docker/, 'no data in the script');
  });

  test('the follow wrapper ends the whole command (children too) when stdin closes', async () => {
    const script = composeLogsCommand(target, { follow: true }).slice(0, 4);
    // A stand-in for `docker compose logs -f`: a parent that ignores TERM-less waiting, with a child of its own.
    const child = spawn(script[0]!, [...script.slice(1), 'sh', '-c', 'sleep 30 & sleep 30'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const t0 = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    assert.notEqual(code, 0);
  });
});

describe('app:rollback and status commands', () => {
  test('builders', () => {
    assert.deepEqual(plainCompose(composePsAll(target)), [
      'docker',
      'compose',
      '-p',
      'hello-blue',
      ...FILES,
      'ps',
      '--all',
      '--format',
      'json',
    ]);
    assert.deepEqual(containerNetworks('hello-blue-web-1'), [
      'docker',
      'inspect',
      '-f',
      '{{json .NetworkSettings.Networks}}',
      'hello-blue-web-1',
    ]);
    assert.deepEqual(containerRunning(), ['docker', 'inspect', '-f', '{{.State.Running}}', 'dynia-caddy']);
  });

  test('parseNetworkNames: aliases and DNS names on the network, [] when not on it', () => {
    const out = JSON.stringify({
      edge: { Aliases: ['dynia-upstream-web-1-example-com', 'abc123'], DNSNames: ['hello-blue-web-1', 'abc123'] },
      'hello-blue_default': { Aliases: ['web'], DNSNames: null },
    });
    assert.deepEqual(parseNetworkNames(out), ['dynia-upstream-web-1-example-com', 'abc123', 'hello-blue-web-1']);
    assert.deepEqual(parseNetworkNames(JSON.stringify({ edge: { Aliases: null } })), []);
    assert.deepEqual(parseNetworkNames('{}\n'), []);
    assert.deepEqual(parseNetworkNames('null'), []);
    assert.throws(() => parseNetworkNames('Error: No such object'), /unexpected output from docker inspect/);
  });
});
