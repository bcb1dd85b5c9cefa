import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureCaddyRuns } from '../../src/deploy/caddy-converge.js';
import { RecordingRemote } from '../../src/remote/recording.js';

test('ensureCaddyRuns: a new text goes through validate, reload, mv; a text already in place is reloaded anyway', async () => {
  const remote = new RecordingRemote();
  assert.equal(await ensureCaddyRuns(remote, 'new'), 'reloaded');
  assert.deepEqual(remote.commands, [
    'docker exec dynia-caddy caddy validate --config /etc/caddy/Caddyfile.next --adapter caddyfile',
    'docker exec dynia-caddy caddy reload --config /etc/caddy/Caddyfile.next --adapter caddyfile',
    'mv /opt/dynia/proxy/Caddyfile.next /opt/dynia/proxy/Caddyfile',
  ]);
  // A run killed after the mv: the file is right, Caddy may still run the old one.
  const resumed = new RecordingRemote();
  await resumed.upload('/opt/dynia/proxy/Caddyfile', 'new');
  assert.match(await ensureCaddyRuns(resumed, 'new'), /already in place; reloaded/);
  assert.deepEqual(resumed.commands, ['docker exec dynia-caddy caddy reload --config /etc/caddy/Caddyfile --adapter caddyfile']);
});
