/** The node's user_data is checked by the real cloud-init (Debian's package, installed by install-deps.sh). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { NODE_USER_DATA, SSHD_DROPIN, SSHD_DROPIN_PATH } from '../../src/commands/node-create/user-data.js';

const dir = mkdtempSync(join(tmpdir(), 'dynia-cloud-init-'));
function schema(text: string) {
  const path = join(dir, `user-data-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  const result = spawnSync('cloud-init', ['schema', '--config-file', path], { encoding: 'utf8' });
  if (result.error) throw new Error(`cloud-init is not installed (${result.error.message}); run sandbox/scripts/install-deps.sh`);
  return result;
}

describe('node user_data', () => {
  test('cloud-init schema accepts it', () => {
    const result = schema(NODE_USER_DATA);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Valid cloud-config/);
  });

  test('the same check refuses a broken config (it is not a rubber stamp)', () => {
    const result = schema(NODE_USER_DATA.replace('ssh_pwauth: false', 'ssh_pwauth: [1]'));
    assert.notEqual(result.status, 0);
  });

  test('key-only SSH, unattended upgrades, Docker on its socket only', () => {
    const config = parse(NODE_USER_DATA) as {
      ssh_pwauth: boolean;
      packages: string[];
      write_files: Array<{ path: string; content: string }>;
    };
    assert.equal(config.ssh_pwauth, false);
    assert.ok(config.packages.includes('unattended-upgrades'));
    const files = new Map(config.write_files.map((f) => [f.path, f.content]));
    assert.equal(files.get(SSHD_DROPIN_PATH), SSHD_DROPIN);
    assert.match(SSHD_DROPIN, /^PasswordAuthentication no$/m);
    assert.match(SSHD_DROPIN, /^PermitRootLogin prohibit-password$/m);
    assert.match(files.get('/etc/apt/apt.conf.d/20auto-upgrades')!, /Unattended-Upgrade "1"/);
    assert.match(files.get('/etc/systemd/system/docker.service.d/10-dynia-socket-only.conf')!, /ExecStart=\/usr\/bin\/dockerd -H fd:\/\/ /);
    assert.doesNotMatch(NODE_USER_DATA, /tcp:\/\//);
  });
});
