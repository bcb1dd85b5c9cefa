import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CloudError } from '../../src/cloud/cloud-error.js';
import type { Zone } from '../../src/cloud/cloudflare.js';
import { renderReport, runDoctor } from '../../src/commands/doctor/doctor.js';
import type { DoctorPorts, DoctorSettings } from '../../src/commands/doctor/types.js';
import { ConfigError } from '../../src/errors.js';

const ZONE: Zone = {
  id: 'z'.repeat(32),
  name: 'example.com',
  account: { id: 'a'.repeat(32) },
  permissions: ['#dns_records:edit', '#zone:read'],
};
const LOCAL = { body: 'ssh-ed25519 AAAAkey', comment: 'ana@laptop' };
const RESOLVERS = [
  { host: '1.1.1.1', port: 53 },
  { host: '8.8.8.8', port: 53 },
];

const good = (): DoctorSettings => ({
  digitaloceanToken: { ok: true, value: true },
  cloudflareApiToken: { ok: true, value: true },
  domain: { ok: true, value: 'example.com', source: 'from the environment' },
  zoneId: { ok: true, value: undefined },
  accountId: { ok: true, value: undefined },
  sshKeyPath: { ok: true, value: '/home/ana/.ssh/id_ed25519' },
  resolvers: { ok: true, value: RESOLVERS },
  acme: { ok: true, value: { ca: 'https://acme.example/dir' } },
});

const cloudError = (service: string, method: string, path: string, status: number, apiMessage: string) =>
  new CloudError({ service, method, path, status, apiMessage });
const forbidden = (path: string) =>
  cloudError('DigitalOcean', 'GET', path, 403, 'forbidden: You are not authorized to perform this operation');

/** A world where every check passes; each test breaks one thing. */
function world(): DoctorPorts & {
  digitalocean: NonNullable<DoctorPorts['digitalocean']>;
  cloudflare: NonNullable<DoctorPorts['cloudflare']>;
} {
  return {
    digitalocean: {
      getAccount: async () => ({ email: 'ana@example.com', status: 'active', droplet_limit: 25, uuid: 'u' }),
      checkListable: async () => {},
      listSshKeys: async () => [{ id: 5, fingerprint: 'f', public_key: `${LOCAL.body} other-comment`, name: 'laptop' }],
    },
    cloudflare: {
      verifyToken: async () => ({ id: 't', status: 'active' }),
      getZone: async (id) => ({ ...ZONE, id }),
      findZoneByName: async (name) => (name === ZONE.name ? ZONE : null),
      listAccounts: async () => [{ id: ZONE.account!.id, name: 'Ana' }],
      checkDnsReadable: async () => {},
      checkWorkersReadable: async () => {},
    },
    readKey: () => LOCAL,
    queryDns: async () => ({ ips: ['192.0.2.1'] }),
    fetchAcmeDirectory: async () => ({ newNonce: 'n', newAccount: 'a', newOrder: 'o' }),
  };
}

const failed = async (settings: DoctorSettings, ports: DoctorPorts, unparsable: Array<{ message: string; fix: string }> = []) => {
  const report = await runDoctor(settings, ports, unparsable);
  return { report, ids: report.checks.filter((c) => c.status === 'fail').map((c) => c.id) };
};

describe('dynia doctor', () => {
  test('everything in order: every check passes, ids found from the domain are shown', async () => {
    const { report, ids } = await failed(good(), world());
    assert.deepEqual(ids, []);
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.checks.map((c) => c.id),
      [
        'settings',
        'do-token',
        'do-droplets',
        'do-firewalls',
        'cf-token',
        'cf-zone',
        'cf-dns',
        'cf-account',
        'cf-workers',
        'ssh-key-file',
        'ssh-key-account',
        'dns-resolver-1.1.1.1:53',
        'dns-resolver-8.8.8.8:53',
        'acme',
      ],
    );
    const zone = report.checks.find((c) => c.id === 'cf-zone')!;
    assert.equal(zone.detail, `zone example.com (${ZONE.id}), found from DYNIA_DOMAIN (commands cache it in config.json)`);
    assert.equal(report.checks.find((c) => c.id === 'cf-account')!.detail, `account Ana (${ZONE.account!.id}), the zone's account`);
  });

  // Each entry breaks exactly one thing; exactly that check fails (the ones depending on it are skipped).
  const cases: Array<[string, (s: DoctorSettings, w: ReturnType<typeof world>) => void, RegExp]> = [
    ['settings', () => {}, /DYNIA_ACME_EMAIL "x" from the environment is invalid/],
    [
      'do-token',
      (_s, w) =>
        (w.digitalocean.getAccount = async () => {
          throw cloudError('DigitalOcean', 'GET', '/v2/account', 401, 'unauthorized: Unable to authenticate you');
        }),
      /^DIGITALOCEAN_TOKEN is not accepted: .*HTTP 401/,
    ],
    [
      'do-droplets',
      (_s, w) =>
        (w.digitalocean.checkListable = async (path) => {
          if (path === '/v2/droplets') throw forbidden(path);
        }),
      /GET \/v2\/droplets failed \(HTTP 403\)/,
    ],
    [
      'do-firewalls',
      (_s, w) =>
        (w.digitalocean.checkListable = async (path) => {
          if (path === '/v2/firewalls') throw forbidden(path);
        }),
      /GET \/v2\/firewalls failed \(HTTP 403\)/,
    ],
    [
      'cf-token',
      (_s, w) =>
        (w.cloudflare.verifyToken = async () => {
          throw cloudError('Cloudflare', 'GET', '/user/tokens/verify', 401, '1000: Invalid API Token');
        }),
      /^CLOUDFLARE_API_TOKEN is not accepted: .*HTTP 401/,
    ],
    ['cf-zone', (s) => (s.domain = { ok: true, value: 'other.org' }), /CLOUDFLARE_API_TOKEN sees no zone named other.org \(DYNIA_DOMAIN\)/],
    [
      'cf-dns',
      (_s, w) => (w.cloudflare.findZoneByName = async () => ({ ...ZONE, permissions: ['#zone:read'] })),
      /may not edit DNS records of example.com/,
    ],
    [
      'cf-account',
      (s) => (s.accountId = { ok: true, value: 'b'.repeat(32), source: 'from the environment' }),
      /account b{32} \(CLOUDFLARE_ACCOUNT_ID from the environment\) is not among the accounts/,
    ],
    [
      'cf-workers',
      (_s, w) =>
        (w.cloudflare.checkWorkersReadable = async () => {
          throw cloudError('Cloudflare', 'GET', '/accounts/x/workers/scripts', 403, '10000: Authentication error');
        }),
      /workers\/scripts failed \(HTTP 403\)/,
    ],
    [
      'ssh-key-file',
      (_s, w) =>
        (w.readKey = () => {
          throw ConfigError('DYNIA_SSH_KEY /home/ana/.ssh/id_ed25519.pub is not a usable private key.');
        }),
      /is not a usable private key/,
    ],
    [
      'ssh-key-account',
      (_s, w) =>
        (w.digitalocean.listSshKeys = async () => {
          throw forbidden('/v2/account/keys');
        }),
      /account\/keys failed \(HTTP 403\)/,
    ],
    [
      'dns-resolver-8.8.8.8:53',
      (_s, w) => (w.queryDns = async (_n, r) => (r.host === '8.8.8.8' ? { error: 'TIMEOUT' } : { ips: [] })),
      /no usable answer for example.com: TIMEOUT/,
    ],
    [
      'acme',
      (_s, w) => (w.fetchAcmeDirectory = async () => ({ meta: {} })),
      /is not an ACME directory \(no newNonce, newAccount, newOrder\)/,
    ],
  ];
  for (const [id, breakIt, detail] of cases) {
    test(`${id} fails on its own, with its fix`, async () => {
      const settings = good();
      const ports = world();
      breakIt(settings, ports);
      const unparsable =
        id === 'settings' ? [{ message: 'DYNIA_ACME_EMAIL "x" from the environment is invalid: is not an email address.', fix: '' }] : [];
      const { report, ids } = await failed(settings, ports, unparsable);
      assert.deepEqual(ids, [id]);
      const check = report.checks.find((c) => c.id === id)!;
      assert.match(check.detail, detail);
      if (id !== 'settings') assert.ok(check.fix && check.fix.length > 10, `${id} has a fix`);
      assert.equal(report.ok, false);
    });
  }

  test('an API that cannot be reached is not called a rejected token', async () => {
    const ports = world();
    ports.cloudflare.verifyToken = async () => {
      throw new CloudError({
        service: 'Cloudflare',
        method: 'GET',
        path: '/user/tokens/verify',
        problem: 'network error (ECONNREFUSED)',
        attempts: 2,
      });
    };
    const { report, ids } = await failed(good(), ports);
    assert.deepEqual(ids, ['cf-token']);
    const check = report.checks.find((c) => c.id === 'cf-token')!;
    assert.equal(check.detail, 'Cloudflare GET /user/tokens/verify failed after 2 attempts: network error (ECONNREFUSED)');
    assert.equal(check.fix, 'Cloudflare did not answer properly; retry later.');
  });

  test('a missing token fails its check with how to set it, and skips what needs it', async () => {
    const settings = good();
    settings.cloudflareApiToken = { ok: false, message: 'CLOUDFLARE_API_TOKEN is not set.', fix: 'export CLOUDFLARE_API_TOKEN=...' };
    const ports = world();
    const { report, ids } = await failed(settings, { ...ports, cloudflare: undefined } as DoctorPorts);
    assert.deepEqual(ids, ['cf-token']);
    assert.deepEqual(
      report.checks.filter((c) => c.status === 'skip').map((c) => c.id),
      ['cf-zone', 'cf-dns', 'cf-account', 'cf-workers'],
    );
  });

  test('a given zone id of another domain is named, with where it came from', async () => {
    const settings = good();
    settings.zoneId = { ok: true, value: 'q'.repeat(32), source: 'from /work/.dynia/config.json' };
    const ports = world();
    ports.cloudflare.getZone = async (id) => ({ ...ZONE, id, name: 'old.example' });
    const { report, ids } = await failed(settings, ports);
    assert.deepEqual(ids, ['cf-zone']);
    assert.equal(
      report.checks.find((c) => c.id === 'cf-zone')!.detail,
      `CLOUDFLARE_ZONE_ID ${'q'.repeat(32)} (from /work/.dynia/config.json) is the zone old.example, not DYNIA_DOMAIN example.com.`,
    );
  });

  test('a key not yet in the account passes: node:create imports it', async () => {
    const ports = world();
    ports.digitalocean.listSshKeys = async () => [];
    const { report, ids } = await failed(good(), ports);
    assert.deepEqual(ids, []);
    assert.equal(report.checks.find((c) => c.id === 'ssh-key-account')!.detail, 'not in the account yet: node:create imports it');
  });

  test('NXDOMAIN is an answer; REFUSED is not', async () => {
    const ports = world();
    ports.queryDns = async (_n, r) => (r.host === '1.1.1.1' ? { error: 'NXDOMAIN' } : { error: 'REFUSED' });
    assert.deepEqual((await failed(good(), ports)).ids, ['dns-resolver-8.8.8.8:53']);
  });

  test('one line per check, the fix under a failure', async () => {
    const ports = world();
    ports.fetchAcmeDirectory = async () => {
      throw new Error('no answer from acme.example in time (timeout).');
    };
    const text = renderReport(await runDoctor(good(), ports));
    const lines = text.split('\n');
    assert.equal(lines[0], '✓ Other settings are well-formed: all parse');
    assert.deepEqual(lines.slice(-3), [
      '✗ ACME directory (DYNIA_ACME_CA) answers: no answer from acme.example in time (timeout).',
      "    fix: Check DYNIA_ACME_CA (default: Let's Encrypt) and, for a private CA, DYNIA_ACME_CA_ROOT (the PEM behind its HTTPS).",
      '1 check(s) failed.',
    ]);
  });
});
