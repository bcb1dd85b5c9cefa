import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sshdDropins } from '../../sandbox/hosts/user-data-sshd.js';
import { NODE_USER_DATA, SSHD_DROPIN } from '../../src/commands/node-create/user-data.js';

test("the node hosts apply the user_data's sshd settings, nothing else", () => {
  assert.deepEqual(sshdDropins(NODE_USER_DATA), [
    { name: '10-dynia.conf', content: SSHD_DROPIN },
    { name: '50-cloud-init.conf', content: 'PasswordAuthentication no\n' },
  ]);
  const other =
    '#cloud-config\nwrite_files:\n  - path: /etc/ssh/sshd_config.d/../../passwd\n    content: x\n  - path: /etc/motd\n    content: hi\n  - path: /etc/ssh/sshd_config.d/b.conf\n    encoding: b64\n    content: eA==\n';
  assert.deepEqual(sshdDropins(other), []);
  assert.deepEqual(sshdDropins('#!/bin/sh\necho'), []);
  assert.deepEqual(sshdDropins('#cloud-config\n: [bad'), []);
  assert.deepEqual(sshdDropins(undefined), []);
});
