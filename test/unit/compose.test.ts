import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { DyniaError } from '../../src/errors.js';
import { inferDomain, inferEntry, inferEntryPort, inferEntryService } from '../../src/compose/infer.js';
import { parseCompose } from '../../src/compose/parse.js';
import { containerPortOf } from '../../src/compose/ports.js';
import { appNetworks, renderOverride } from '../../src/compose/override.js';
import { appModel } from '../../src/compose/app-model.js';

const meta = {
  app: 'shop',
  project: 'shop-blue',
  node: 'web-1',
  entry: 'web',
  srcDir: '/opt/dynia/apps/shop-blue/src',
  dataDir: '/opt/dynia/data/shop',
  imageTags: new Map<string, string>(),
};
const overrideOf = (file: ReturnType<typeof parseCompose>) =>
  renderOverride(
    file,
    appModel(file, () => 'missing'),
    meta,
  );

const parse = (text: string) => parseCompose(text, 'app.yml');
const inputError = (message: RegExp | string) => (error: DyniaError) => {
  assert.equal(error.kind, 'input');
  if (typeof message === 'string') assert.equal(error.message, message);
  else assert.match(error.message, message);
  return true;
};

describe('parseCompose', () => {
  test('reads services, labels in both forms, networks, merge keys', () => {
    const file = parse(`x-base: &base
  image: shop:1
  labels:
    team: a
services:
  web:
    <<: *base
    ports: ["8080:80"]
    networks: [back]
  worker:
    build: .
    labels: ["dynia.entry=true", "flag", "x=a=b"]
    network_mode: host
    container_name: w
`);
    assert.deepEqual(
      file.services.map(({ raw, ...rest }) => rest),
      [
        { name: 'web', labels: { team: 'a' }, expose: [], ports: ['8080:80'], networks: ['back'], profiles: [] },
        {
          name: 'worker',
          labels: { 'dynia.entry': 'true', flag: '', x: 'a=b' },
          expose: [],
          ports: [],
          networks: null,
          networkMode: 'host',
          containerName: 'w',
          profiles: [],
        },
      ],
    );
    assert.equal(file.where(['services', 'worker', 'labels']), 'app.yml:12:13');
    assert.equal(file.where(['services', 'worker', 'nope']), 'app.yml:11:5');
  });

  test('YAML syntax errors carry file:line:col', () => {
    assert.throws(() => parse('services:\n  web:\n    image: [a\n'), inputError(/^app\.yml:4:1: /));
    assert.throws(() => parse('services:\n  web: {image: a}\n  web: {image: b}\n'), inputError(/^app\.yml:3:3: Map keys must be unique/));
  });

  test('structure errors point at the offending node', () => {
    assert.throws(() => parse('- a\n'), inputError('app.yml:1:1: a compose file must be a mapping with a `services` key'));
    assert.throws(() => parse('version: "3"\n'), inputError('app.yml:1:1: `services` must be a non-empty mapping of service names'));
    assert.throws(() => parse('services: {}\n'), inputError('app.yml:1:11: `services` must be a non-empty mapping of service names'));
    assert.throws(
      () => parse('services:\n  web:\n    command: x\n'),
      inputError('app.yml:3:5: service web has neither `image` nor `build`'),
    );
    assert.throws(() => parse('services:\n  web: nginx\n'), inputError('app.yml:2:8: service web must be a mapping'));
  });
});

describe('containerPortOf', () => {
  test('every ports/expose syntax', () => {
    const cases: Array<[unknown, string]> = [
      [8080, '8080'],
      ['8080', '8080'],
      ['80:8080', '8080'],
      ['127.0.0.1:80:8080/tcp', '8080'],
      ['[::1]:80:8080', '8080'],
      ['8000-8001:9000-9001', '9000'],
      ['3000/udp', '3000'],
      [{ target: 8080, published: 80 }, '8080'],
      ['0.0.0.0::5000', '5000'],
    ];
    for (const [entry, port] of cases) assert.equal(containerPortOf(entry), port, JSON.stringify(entry));
  });
});

describe('entry inference', () => {
  test('`web` by convention, else the labelled service; web can opt out', () => {
    assert.equal(inferEntryService(parse('services:\n  db: {image: pg}\n  web: {image: shop}\n')).name, 'web');
    const labelled = parse('services:\n  front: {image: a}\n  api:\n    image: b\n    labels: {dynia.entry: true}\n');
    assert.equal(inferEntryService(labelled).name, 'api');
    const optOut = parse(
      'services:\n  web: {image: a, labels: [dynia.entry=false]}\n  api:\n    image: b\n    labels: {dynia.entry: true}\n',
    );
    assert.equal(inferEntryService(optOut).name, 'api');
  });

  test('ambiguity and absence are explained', () => {
    const two = parse('services:\n  a: {image: a, labels: [dynia.entry=true]}\n  b: {image: b, labels: {dynia.entry: "true"}}\n');
    assert.throws(
      () => inferEntryService(two),
      (error: DyniaError) => {
        assert.equal(error.message, 'app.yml: more than one service could receive the traffic: a, b.');
        return true;
      },
    );
    const webAndLabel = parse('services:\n  web: {image: a}\n  api: {image: b, labels: [dynia.entry=true]}\n');
    assert.throws(() => inferEntryService(webAndLabel), inputError('app.yml: more than one service could receive the traffic: web, api.'));
    assert.throws(
      () => inferEntryService(parse('services:\n  api: {image: a}\n  db: {image: b}\n')),
      (error: DyniaError) => {
        assert.equal(error.message, 'app.yml: cannot tell which service receives the traffic (services: api, db).');
        assert.equal(
          error.hint,
          'Label the service that serves HTTP, e.g.:\n  services:\n    api:\n      labels:\n        dynia.entry: "true"',
        );
        return true;
      },
    );
    assert.throws(
      () => inferEntryService(parse('services:\n  web:\n    image: a\n    network_mode: host\n')),
      inputError(/^app\.yml:4:19: the entry service web uses network_mode host/),
    );
    assert.throws(
      () => inferEntryService(parse('services:\n  web:\n    image: a\n    profiles: [debug]\n')),
      inputError(/^app\.yml:4:15: the entry service web is only started under profile debug/),
    );
    assert.throws(
      () => inferEntryService(parse('services:\n  web:\n    image: a\n    networks:\n      back: {ipv4_address: 10.0.0.5}\n')),
      inputError(/^app\.yml:5:13: the entry service web has a fixed address on network back/),
    );
  });

  test('without a web or label: the only service, else the only one publishing a TCP port', () => {
    assert.equal(inferEntryService(parse('services:\n  app: {image: a}\n')).name, 'app');
    assert.equal(
      inferEntryService(
        parse('services:\n  app: {image: a, ports: ["80:8080"]}\n  db: {image: b}\n  dns: {image: c, ports: ["53:53/udp"]}\n'),
      ).name,
      'app',
    );
    assert.throws(
      () => inferEntryService(parse('services:\n  a: {image: a, ports: ["80:80"]}\n  b: {image: b, ports: ["81:81"]}\n')),
      inputError(/cannot tell which service/),
    );
  });

  test('port: label, else expose, else the container side of ports', () => {
    const port = (service: string) => {
      const file = parse(`services:\n  web:\n    image: a\n${service}`);
      return inferEntryPort(file, inferEntryService(file));
    };
    assert.equal(port('    labels: {dynia.port: 3000}\n    expose: ["4000"]\n'), 3000);
    assert.equal(port('    labels: ["dynia.port=3000"]\n'), 3000);
    assert.equal(port('    expose: ["4000/tcp", 5000]\n    ports: ["80:6000"]\n'), 6000);
    assert.equal(port('    expose: ["4000/tcp"]\n    ports: ["53:53/udp"]\n'), 4000);
    assert.equal(port('    ports: ["53:53/udp", {target: 9000, protocol: udp}, "8080:80"]\n'), 80);
    assert.equal(port('    ports: ["127.0.0.1:80:6000/tcp"]\n'), 6000);
    assert.equal(port('    ports:\n      - target: 7000\n        published: 80\n'), 7000);
    assert.throws(
      () => port('    labels:\n      dynia.port: http\n'),
      inputError('app.yml:5:7: label dynia.port on service web "http" is not a TCP port.'),
    );
    assert.throws(
      () => port('    ports: ["80:99999"]\n'),
      inputError('app.yml:4:13: ports entry on service web "99999" is not a TCP port.'),
    );
    assert.throws(
      () => port(''),
      (error: DyniaError) => {
        assert.equal(error.message, 'app.yml:3:5: cannot tell which port service web listens on.');
        assert.equal(error.hint, 'Add the port it serves HTTP on, e.g.:\n  services:\n    web:\n      labels:\n        dynia.port: "8080"');
        return true;
      },
    );
  });

  test('domain: label, else the node FQDN; both validated', () => {
    const file = parse('services:\n  web:\n    image: a\n    labels: {dynia.domain: Shop.Example.com, dynia.port: "80"}\n');
    assert.equal(inferDomain(file, file.services[0]!, 'web-1.example.com'), 'shop.example.com');
    assert.deepEqual(inferEntry(parse('services:\n  web: {image: a, expose: [80]}\n'), 'web-1.example.com'), {
      service: 'web',
      port: 80,
      domain: 'web-1.example.com',
    });
    const bad = parse('services:\n  web:\n    image: a\n    labels: ["dynia.domain=shop example.com"]\n');
    assert.throws(
      () => inferDomain(bad, bad.services[0]!, 'x.example.com'),
      inputError(/^app\.yml:4:13: label dynia\.domain on service web "shop example\.com" has the label/),
    );
  });
});

describe('renderOverride', () => {
  test('only the entry joins edge; app networks shared by name; ports and container names stripped; labels', () => {
    const file = parse(`services:
  web:
    image: shop:1
    container_name: shop
    ports: ["8080:80", {target: 443, published: 8443}]
  db:
    image: pg
    networks: [back, edge]
  side:
    image: x
    network_mode: "service:web"
    restart: "no"
  worker:
    image: w
networks:
  back: {}
`);
    const override = overrideOf(file);
    assert.equal(
      override.yaml,
      `services:
  web:
    container_name: !reset null
    ports: !reset []
    networks:
      default:
        aliases:
          - shop
      edge: {}
    restart: unless-stopped
    labels:
      dev.dynia.project: shop-blue
      dev.dynia.node: web-1
      dev.dynia.restart: unless-stopped
  db:
    restart: unless-stopped
    labels:
      dev.dynia.project: shop-blue
      dev.dynia.node: web-1
      dev.dynia.restart: unless-stopped
  side:
    labels:
      dev.dynia.project: shop-blue
      dev.dynia.node: web-1
      dev.dynia.restart: no
  worker:
    restart: unless-stopped
    labels:
      dev.dynia.project: shop-blue
      dev.dynia.node: web-1
      dev.dynia.restart: unless-stopped
networks:
  edge:
    name: edge
    external: true
  back:
    name: shop_back
    external: true
  default:
    name: shop_default
    external: true
`,
    );
    assert.deepEqual(override.strippedPorts, [{ service: 'web', ports: ['8080:80', '{"target":443,"published":8443}'] }]);
  });
  test("a job another service waits to complete keeps compose's restart `no` (once done it stays done); its own policy is kept", () => {
    const file = parse(
      'services:\n  web:\n    image: a\n    depends_on:\n      migrate: {condition: service_completed_successfully}\n      seed: {condition: service_completed_successfully}\n  migrate:\n    image: a\n  seed:\n    image: a\n    restart: on-failure\n',
    );
    const yaml = parseYaml(overrideOf(file).yaml);
    assert.equal(yaml.services.web.restart, 'unless-stopped');
    assert.equal(yaml.services.migrate.restart, 'no');
    assert.equal(yaml.services.migrate.labels['dev.dynia.restart'], 'no');
    assert.equal(yaml.services.seed.restart, undefined);
    assert.equal(yaml.services.seed.labels['dev.dynia.restart'], 'on-failure');
  });
  test('an entry alone on the default network joins edge only, and default is neither declared nor created', () => {
    const file = parse('services:\n  web:\n    image: shop:1\n    container_name: shop\n  db:\n    image: pg\n    networks: [back]\n');
    const model = appModel(file, () => 'missing');
    assert.deepEqual(model.networks, [
      { key: 'back', internal: false, services: ['db'] },
      { key: 'default', internal: false, services: ['web'] },
    ]);
    assert.deepEqual(appNetworks(model, 'web'), [{ key: 'back', internal: false, services: ['db'] }]);
    const yaml = parseYaml(renderOverride(file, model, meta).yaml);
    assert.deepEqual(yaml.services.web.networks, { edge: {} });
    assert.deepEqual(Object.keys(yaml.networks), ['edge', 'back']);
  });
  test('an entry keeps default when another service is on it, or when the file names default as an external network', () => {
    const shared = parse('services:\n  web:\n    image: a\n  worker:\n    image: w\n');
    assert.deepEqual(
      appNetworks(
        appModel(shared, () => 'missing'),
        'web',
      ),
      [{ key: 'default', internal: false, services: ['web', 'worker'] }],
    );
    const external = parse('services:\n  web:\n    image: a\nnetworks:\n  default:\n    name: shared\n    external: true\n');
    const yaml = parseYaml(overrideOf(external).yaml);
    assert.deepEqual(yaml.services.web.networks, { default: {}, edge: {} });
    assert.equal(yaml.networks.default, undefined);
  });
});

const hasCompose = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;

test('docker compose (when installed) applies the override as intended', {
  skip: !hasCompose && 'no docker compose v2 (set DOCKER_CONFIG to its plugin dir)',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dynia-compose-'));
  try {
    const app = `services:
  web:
    image: shop:1
    container_name: shop
    ports: ["8080:80", "127.0.0.1:9000:9000/tcp"]
    labels: ["dynia.port=80"]
  db:
    image: pg
    networks:
      back: {ipv4_address: 10.99.0.5}
    ports: [{target: 5432, published: 5432}]
    volumes: ["data:/var/lib/pg", "./conf:/etc/pg:ro"]
networks:
  back: {}
  edge: {}
volumes:
  data: {}
`;
    writeFileSync(join(dir, 'app.yml'), app);
    writeFileSync(join(dir, 'override.yml'), overrideOf(parse(app)).yaml);
    const merged = parseYaml(
      execFileSync('docker', ['compose', '-p', 'shop-blue', '-f', join(dir, 'app.yml'), '-f', join(dir, 'override.yml'), 'config'], {
        encoding: 'utf8',
      }),
    );
    assert.equal(merged.services.web.ports, undefined);
    assert.equal(merged.services.web.container_name, undefined);
    // web is alone on default: edge is its only network, and default is not used at all
    assert.deepEqual(merged.services.web.networks, { edge: {} });
    assert.equal(merged.networks.default, undefined);
    assert.deepEqual(merged.services.web.labels, {
      'dev.dynia.node': 'web-1',
      'dev.dynia.project': 'shop-blue',
      'dev.dynia.restart': 'unless-stopped',
      'dynia.port': '80',
    });
    assert.equal(merged.services.db.ports, undefined);
    assert.equal(merged.services.web.restart, 'unless-stopped');
    assert.deepEqual(merged.services.db.networks, { back: { ipv4_address: '10.99.0.5' } });
    assert.deepEqual(merged.networks.edge, { name: 'edge', external: true });
    assert.deepEqual(merged.networks.back, { name: 'shop_back', external: true });
    assert.deepEqual(merged.volumes.data, { name: 'shop_data' });
    assert.deepEqual(merged.services.db.volumes, [
      { type: 'volume', source: 'data', target: '/var/lib/pg' },
      { type: 'bind', source: '/opt/dynia/apps/shop-blue/src/conf', target: '/etc/pg', read_only: true },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
