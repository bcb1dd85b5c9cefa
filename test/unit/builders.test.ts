import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DyniaError } from '../../src/errors.js';
import { caddyReload, caddyValidate } from '../../src/node/caddy/caddy-commands.js';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  COMPOSE_PLUGIN,
  composeDown,
  composeLogs,
  composePsAll,
  composePull,
  composeStart,
  composeUp,
  RUN_COMPOSE,
} from '../../src/node/compose-commands.js';
import { plainCompose } from './workflow-fakes.js';
import { parseComposePs } from '../../src/node/compose-ps.js';
import { dockerReady, moveAliasCommand, networkCreate, networkInspect } from '../../src/node/docker-commands.js';
import { appComposePath, appDir, appOverridePath, composeContainerName, IN_CONTAINER, LAYOUT } from '../../src/node/layout.js';
import { parseManifest, renderManifest, type NodeManifest } from '../../src/node/manifest.js';
import { renderPlaceholderCompose } from '../../src/node/caddy/placeholder-compose.js';
import { waitHealthyInNetwork } from '../../src/node/health-commands.js';
import { renderProxyCompose } from '../../src/node/caddy/proxy-compose.js';
import { upstreamAlias } from '../../src/node/caddy/upstream-alias.js';

describe('layout', () => {
  test('everything lives under /opt/dynia', () => {
    assert.deepEqual(LAYOUT, {
      root: '/opt/dynia',
      proxyDir: '/opt/dynia/proxy',
      proxyCompose: '/opt/dynia/proxy/compose.yaml',
      caddyfile: '/opt/dynia/proxy/Caddyfile',
      caddyfileNext: '/opt/dynia/proxy/Caddyfile.next',
      acmeRoot: '/opt/dynia/proxy/acme-root.pem',
      placeholderDir: '/opt/dynia/placeholder',
      placeholderCompose: '/opt/dynia/placeholder/compose.yaml',
      appsDir: '/opt/dynia/apps',
      manifest: '/opt/dynia/node.json',
      auditLog: '/opt/dynia/audit.log',
    });
    assert.deepEqual(IN_CONTAINER, {
      caddyfile: '/etc/caddy/Caddyfile',
      caddyfileNext: '/etc/caddy/Caddyfile.next',
      acmeRoot: '/etc/caddy/acme-root.pem',
    });
    assert.equal(appDir('shop-blue'), '/opt/dynia/apps/shop-blue');
    assert.equal(appComposePath('shop-blue'), '/opt/dynia/apps/shop-blue/compose.yaml');
    assert.equal(appOverridePath('shop-blue'), '/opt/dynia/apps/shop-blue/dynia.override.yaml');
    assert.equal(composeContainerName('shop-blue', 'web'), 'shop-blue-web-1');
    assert.throws(
      () => appDir('../etc'),
      (error: DyniaError) => error.kind === 'input',
    );
  });
});

describe('docker commands', () => {
  test('network, readiness, directories', () => {
    assert.deepEqual(networkInspect(), ['docker', 'network', 'inspect', 'edge']);
    assert.deepEqual(networkCreate(), ['docker', 'network', 'create', 'edge']);
    const move = moveAliasCommand('shop-green-web-1', 'dynia-upstream-shop-example-com');
    assert.deepEqual(move.slice(3), [
      'sh',
      '{"Container":"shop-green-web-1","Force":false}',
      '{"Container":"shop-green-web-1","EndpointConfig":{"Aliases":["dynia-upstream-shop-example-com"]}}',
    ]);
    assert.match(move[2]!, /\ndocker_api_then \/networks\/edge\/disconnect "\$1" \/networks\/edge\/connect "\$2"$/);
    assert.doesNotMatch(move[2]!, /shop/, 'no data in the script');
    assert.deepEqual(dockerReady(), ['docker', 'info', '--format', '{{.ServerVersion}}']);
  });
});

describe('compose commands', () => {
  const app = { project: 'shop-blue', files: [appComposePath('shop-blue'), appOverridePath('shop-blue')] };
  const base = [
    'docker',
    'compose',
    '-p',
    'shop-blue',
    '-f',
    '/opt/dynia/apps/shop-blue/compose.yaml',
    '-f',
    '/opt/dynia/apps/shop-blue/dynia.override.yaml',
  ];
  test('one prefix, then the subcommand', () => {
    assert.deepEqual(plainCompose(composePull(app)), [...base, 'pull']);
    assert.deepEqual(plainCompose(composeUp(app)), [...base, 'up', '-d', '--remove-orphans']);
    assert.deepEqual(plainCompose(composeStart(app)), [...base, 'start']);
    assert.deepEqual(plainCompose(composeDown(app)), [...base, 'down']);
    assert.deepEqual(plainCompose(composePsAll(app)), [...base, 'ps', '--all', '--format', 'json']);
    assert.deepEqual(plainCompose(composeLogs(app, 'web', 20)), [...base, 'logs', '--tail', '20', 'web']);
    assert.deepEqual(composeUp({ project: 'dynia-proxy', files: [LAYOUT.proxyCompose] }), [
      'sh',
      '-c',
      '[ -x /usr/libexec/docker/cli-plugins/docker-compose ] && exec /usr/libexec/docker/cli-plugins/docker-compose "$@"; exec docker compose "$@"',
      'docker compose',
      '-p',
      'dynia-proxy',
      '-f',
      '/opt/dynia/proxy/compose.yaml',
      'up',
      '-d',
      '--remove-orphans',
    ]);
  });
  test('compose runs as its own program where it is installed, else through the docker CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynia-compose-'));
    writeFileSync(join(dir, 'docker'), '#!/bin/sh\necho "docker $*"\n');
    writeFileSync(join(dir, 'plugin'), '#!/bin/sh\necho "plugin $*"\n');
    chmodSync(join(dir, 'docker'), 0o755);
    chmodSync(join(dir, 'plugin'), 0o755);
    const run = (script: string) =>
      spawnSync('sh', ['-c', script, 'docker compose', '-p', 'a b', 'up'], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      }).stdout;
    assert.equal(run(RUN_COMPOSE.replaceAll(COMPOSE_PLUGIN, join(dir, 'plugin'))), 'plugin -p a b up\n');
    assert.equal(run(RUN_COMPOSE.replaceAll(COMPOSE_PLUGIN, join(dir, 'none'))), 'docker compose -p a b up\n');
  });

  test('ps output: JSON lines (compose ≥2.21) or one array', () => {
    const line = '{"ExitCode":0,"Health":"","Name":"shop-blue-web-1","Service":"web","State":"running","Status":"Up 2 seconds"}';
    const expected = [{ name: 'shop-blue-web-1', service: 'web', state: 'running', health: '', exitCode: 0 }];
    assert.deepEqual(parseComposePs(`${line}\n`), expected);
    assert.deepEqual(parseComposePs(`[${line}]`), expected);
    assert.deepEqual(parseComposePs(''), []);
    assert.throws(
      () => parseComposePs('no such service'),
      (error: DyniaError) => error.kind === 'remote',
    );
  });
});

describe('caddy and probe commands', () => {
  test('validate and reload run in the Caddy container', () => {
    assert.deepEqual(caddyValidate(IN_CONTAINER.caddyfileNext), [
      'docker',
      'exec',
      'dynia-caddy',
      'caddy',
      'validate',
      '--config',
      '/etc/caddy/Caddyfile.next',
      '--adapter',
      'caddyfile',
    ]);
    assert.deepEqual(caddyReload(), [
      'docker',
      'exec',
      'dynia-caddy',
      'caddy',
      'reload',
      '--config',
      '/etc/caddy/Caddyfile',
      '--adapter',
      'caddyfile',
    ]);
  });
  test('the in-network health wait is one command; the URL is an argument, never script text', () => {
    const argv = waitHealthyInNetwork('http://shop-green-web-1:8080/health?x=$(reboot)', 30);
    assert.deepEqual(argv.slice(0, 2), ['sh', '-c']);
    assert.match(argv[2]!, /^docker_get\(\) .*\npid=; inspect_container "\$1" && pid=\$cpid\n.*\nexec nsenter -t "\$pid" -m -n "\$@"$/s);
    assert.deepEqual(argv.slice(3, 7), ['sh', 'dynia-caddy', 'sh', '-c'], "in the Caddy container's namespaces");
    assert.deepEqual(argv.slice(8), ['sh', 'http://shop-green-web-1:8080/health?x=$(reboot)', '30']);
    assert.ok(!argv[2]!.includes('shop-green') && !argv[7]!.includes('shop-green'));
  });
});

describe('upstreamAlias', () => {
  test('one stable DNS label per domain', () => {
    assert.equal(upstreamAlias('shop.example.com'), 'dynia-upstream-shop-example-com');
    assert.equal(upstreamAlias('Shop.Example.com'), 'dynia-upstream-shop-example-com');
    const long = upstreamAlias(`${'a'.repeat(40)}.${'b'.repeat(40)}.com`);
    assert.equal(long.length, 63);
    assert.match(long, /^dynia-upstream-a{39}-[0-9a-f]{8}$/);
    assert.notEqual(long, upstreamAlias(`${'a'.repeat(40)}.${'c'.repeat(40)}.com`));
  });
});

describe('proxy and placeholder compose files', () => {
  test('proxy: caddy with its directory mounted, ports 80/443, on edge', () => {
    assert.equal(
      renderProxyCompose(),
      `services:
  caddy:
    image: caddy:2
    container_name: dynia-caddy
    restart: unless-stopped
    ports:
      - 80:80
      - 443:443
    volumes:
      - ./:/etc/caddy:ro
      - caddy_data:/data
      - caddy_config:/config
    networks:
      - edge
volumes:
  caddy_data: {}
  caddy_config: {}
networks:
  edge:
    external: true
`,
    );
    assert.match(renderProxyCompose('dynia-test/caddy:local'), /image: dynia-test\/caddy:local\n/);
  });
  test('placeholder: caddy respond on :8080 naming the node', () => {
    assert.equal(
      renderPlaceholderCompose('web-1'),
      `services:
  placeholder:
    image: caddy:2
    container_name: dynia-placeholder
    restart: unless-stopped
    command:
      - caddy
      - respond
      - --listen
      - :8080
      - --status
      - "200"
      - --body
      - |
        Dynia node web-1 is ready; no app is deployed on this domain yet.
    networks:
      - edge
networks:
  edge:
    external: true
`,
    );
    assert.throws(
      () => renderPlaceholderCompose('{{.Port}}'),
      (error: DyniaError) => error.kind === 'input',
    );
  });
});

describe('node manifest', () => {
  const manifest: NodeManifest = {
    version: 1,
    name: 'web-1',
    fqdn: 'web-1.example.com',
    healthPath: '/health',
    bindings: [
      { domain: 'web-1.example.com', upstream: { alias: 'dynia-placeholder', port: 8080 } },
      { domain: 'shop.example.com', upstream: { alias: 'dynia-upstream-shop-example-com', port: 3000 }, project: 'shop-blue' },
    ],
    deployments: [
      {
        node: 'web-1',
        app: 'shop',
        project: 'shop-blue',
        composeHash: 'ab'.repeat(32),
        entryService: 'web',
        entryPort: 3000,
        domain: 'shop.example.com',
        status: 'active',
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      },
    ],
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
  test('renders deterministic JSON (bindings sorted) and parses it back', () => {
    const text = renderManifest(manifest);
    assert.ok(text.endsWith('}\n'));
    const bindings = text.slice(text.indexOf('"bindings"'));
    assert.ok(bindings.indexOf('"shop.example.com"') < bindings.indexOf('"web-1.example.com"'));
    assert.equal(renderManifest(parseManifest(text)), text);
    assert.deepEqual(
      parseManifest(text).bindings.map((b) => b.domain),
      ['shop.example.com', 'web-1.example.com'],
    );
  });
  test('a broken manifest is a state error naming the field', () => {
    assert.throws(
      () => parseManifest('{', '/opt/dynia/node.json'),
      (error: DyniaError) => error.kind === 'state' && error.message.startsWith('/opt/dynia/node.json is not valid JSON'),
    );
    assert.throws(
      () => parseManifest(JSON.stringify({ ...manifest, healthPath: 'health' })),
      (error: DyniaError) => {
        assert.equal(error.kind, 'state');
        assert.match(error.message, /^node\.json: healthPath: /);
        return true;
      },
    );
  });
});
