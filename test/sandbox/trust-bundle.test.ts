import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { refreshTrustBundle, sandboxTrust } from '../../sandbox/trust-bundle.js';

describe('sandbox trust for the calling shell', () => {
  let dir: string;
  const saved = process.env.DYNIA_SANDBOX_DIR;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dynia-trust-'));
    process.env.DYNIA_SANDBOX_DIR = dir;
    writeFileSync(join(dir, 'ca-bundle.pem'), 'SANDBOX ROOTS\n');
    writeFileSync(join(dir, 'corp.pem'), 'CORP ROOT\n');
  });
  afterEach(() => (saved === undefined ? delete process.env.DYNIA_SANDBOX_DIR : (process.env.DYNIA_SANDBOX_DIR = saved)));

  test('a shell that trusts nothing extra gets the sandbox bundle itself', () => {
    assert.deepEqual(sandboxTrust({}), { NODE_EXTRA_CA_CERTS: join(dir, 'ca-bundle.pem') });
  });

  test('an existing NODE_EXTRA_CA_CERTS is kept: the sandbox roots are added to it', () => {
    const trust = sandboxTrust({ NODE_EXTRA_CA_CERTS: join(dir, 'corp.pem') });
    assert.deepEqual(trust, { NODE_EXTRA_CA_CERTS: join(dir, 'trust-bundle.pem'), DYNIA_SANDBOX_BASE_CA_CERTS: join(dir, 'corp.pem') });
    assert.equal(readFileSync(trust.NODE_EXTRA_CA_CERTS, 'utf8'), 'CORP ROOT\nSANDBOX ROOTS\n');
  });

  test('evaluating it again in the same shell keeps the original base (no nesting, nothing lost)', () => {
    const first = sandboxTrust({ NODE_EXTRA_CA_CERTS: join(dir, 'corp.pem') });
    const again = sandboxTrust({ ...first });
    assert.deepEqual(again, first);
    assert.equal(readFileSync(again.NODE_EXTRA_CA_CERTS, 'utf8'), 'CORP ROOT\nSANDBOX ROOTS\n');
  });

  test('new sandbox roots (pebble restarted) are carried into the combined bundle', () => {
    sandboxTrust({ NODE_EXTRA_CA_CERTS: join(dir, 'corp.pem') });
    writeFileSync(join(dir, 'ca-bundle.pem'), 'NEW ROOTS\n');
    refreshTrustBundle();
    assert.equal(readFileSync(join(dir, 'trust-bundle.pem'), 'utf8'), 'CORP ROOT\nNEW ROOTS\n');
  });

  test('a NODE_EXTRA_CA_CERTS that does not exist is not carried along', () => {
    assert.deepEqual(sandboxTrust({ NODE_EXTRA_CA_CERTS: join(dir, 'gone.pem') }), { NODE_EXTRA_CA_CERTS: join(dir, 'ca-bundle.pem') });
  });
});
