/**
 * Sessions opened ahead: only pinned nodes, one open per node, taken once by exactly the same node (name,
 * address, key), the rest closed at the end; a failed open fails the connect that takes it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SessionsAhead } from '../../src/cli/sessions-ahead.js';
import type { NodeAddress, NodeSession } from '../../src/lib/ports.js';

const web1 = { name: 'web-1', ip: '203.0.113.10', sshHostKey: 'ssh-ed25519 AAAA1' };
const web2 = { name: 'web-2', ip: '203.0.113.11', sshHostKey: 'ssh-ed25519 AAAA2' };

function opener(fails: string[] = []) {
  const opened: string[] = [];
  const closed: string[] = [];
  const open = (node: NodeAddress) => {
    opened.push(node.name);
    if (fails.includes(node.name)) return Promise.reject(new Error(`cannot connect to ${node.ip}`));
    return Promise.resolve({ host: node.ip, close: async () => void closed.push(node.name) } as unknown as NodeSession);
  };
  return { open, opened, closed };
}

describe('sessions opened ahead', () => {
  test('opens each pinned node once; unpinned ones are left to the connect under the lock', () => {
    const o = opener();
    new SessionsAhead(o.open, [web1, web1, web2, { name: 'new-1', ip: '203.0.113.12' }]);
    assert.deepEqual(o.opened, ['web-1', 'web-2']);
  });

  test('taken once by the same node; the untaken one is closed at the end, the taken one is not', async () => {
    const o = opener();
    const ahead = new SessionsAhead(o.open, [web1, web2]);
    assert.equal((await ahead.take(web1))?.host, '203.0.113.10');
    assert.equal(ahead.take(web1), undefined);
    await ahead.close();
    assert.deepEqual(o.closed, ['web-2']);
  });

  test('a node whose address or key changed since is not given the session opened for the old one', async () => {
    const o = opener();
    const ahead = new SessionsAhead(o.open, [web1]);
    assert.equal(ahead.take({ ...web1, ip: '203.0.113.99' }), undefined);
    assert.equal(ahead.take({ ...web1, sshHostKey: 'ssh-ed25519 OTHER' }), undefined);
    await ahead.close();
    assert.deepEqual(o.closed, ['web-1']);
  });

  test('an open that failed fails the connect that takes it; an untaken failure is silent', async () => {
    const o = opener(['web-1', 'web-2']);
    const ahead = new SessionsAhead(o.open, [web1, web2]);
    await assert.rejects(ahead.take(web1)!, /cannot connect to 203\.0\.113\.10/);
    await ahead.close();
    assert.deepEqual(o.closed, []);
  });
});
