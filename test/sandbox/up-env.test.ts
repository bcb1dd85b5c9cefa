import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderExports, sandboxEnvVars } from '../../sandbox/env.js';
import { hubReference } from '../../sandbox/registry/hub-name.js';

describe('sandbox env', () => {
  test('export lines, quoted for a shell', () => {
    process.env.DYNIA_SANDBOX_DIR = '/tmp/sb dir';
    const vars = sandboxEnvVars({ digitaloceanToken: 'dop_v1_abc', cloudflareToken: 'cf-token' });
    assert.equal(
      renderExports(vars),
      [
        'export DIGITALOCEAN_TOKEN=dop_v1_abc',
        'export DIGITALOCEAN_API_URL=http://127.0.0.1:4780',
        'export CLOUDFLARE_API_TOKEN=cf-token',
        'export CLOUDFLARE_API_URL=http://127.0.0.1:4781/client/v4',
        'export CLOUDFLARE_ACCOUNT_ID=01a7362d577a6c3019a474fd6f485823',
        'export CLOUDFLARE_ZONE_ID=023e105f4ecef8ad9ca31a8372d0c353',
        'export DYNIA_DOMAIN=dynia.test',
        'export DYNIA_DNS_RESOLVERS=172.29.0.4,172.29.0.5',
        'export DYNIA_ACME_CA=https://pebble:14000/dir',
        "export DYNIA_ACME_CA_ROOT='/tmp/sb dir/acme-root.pem'",
        "export DYNIA_SSH_KEY='/tmp/sb dir/sandbox-key'",
        "export NODE_EXTRA_CA_CERTS='/tmp/sb dir/ca-bundle.pem'",
        'export DYNIA_SANDBOX_REGISTRY=127.0.0.1:5000',
        "export DYNIA_WORKERS_DEV_URL='http://{script}.{subdomain}.workers.localhost:4782'",
        "export DYNIA_SANDBOX_DIR='/tmp/sb dir'",
        '',
      ].join('\n'),
    );
  });
});

describe('Docker Hub names in the registry mirror', () => {
  test('official images live under library/, the tag defaults to latest', () => {
    assert.equal(hubReference('caddy:2'), 'library/caddy:2');
    assert.equal(hubReference('busybox'), 'library/busybox:latest');
    assert.equal(hubReference('myorg/app:1.2.3'), 'myorg/app:1.2.3');
  });

  test('anything else is refused', () => {
    for (const bad of ['Caddy:2', 'a/b/c:1', 'x:', '127.0.0.1:5000/x', '']) {
      assert.throws(() => hubReference(bad), /not a Docker Hub image name/);
    }
  });
});
