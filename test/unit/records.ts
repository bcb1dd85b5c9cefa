/** State records for unit tests: a finished node and an active deployment; each test passes what it changes. */
import type { Deployment, NodeRecord } from '../../src/state/schema.js';

export const nodeRecord = (name: string, extra: Partial<NodeRecord> = {}): NodeRecord => ({
  name,
  ip: '10.0.0.1',
  fqdn: `${name}.example.com`,
  createdAt: '2026-01-01T00:00:00.000Z',
  status: 'active',
  healthPath: '/',
  caddy: { domain: `${name}.example.com`, target: { service: 'placeholder', port: 8080 } },
  stepsDone: [],
  ...extra,
});

export const deploymentRecord = (node: string, project: string, extra: Partial<Deployment> = {}): Deployment => ({
  node,
  app: 'hello',
  project,
  composeHash: 'a'.repeat(64),
  entryService: 'web',
  entryPort: 8080,
  domain: `${node}.example.com`,
  status: 'active',
  createdAt: '2026-01-02T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  ...extra,
});
