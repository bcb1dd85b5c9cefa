/** Records for unit tests: state's node and deployment, node:create's input, a created firewall; each test passes what it changes. */
import type { NodeCreateInput } from '../../src/commands/node-create/workflow.js';
import type { Firewall, FirewallRequest } from '../../src/cloud/digitalocean.js';
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

/** node:create's input with timeouts that end at once: the fakes answer immediately, so a wait is a failure. */
export const nodeCreateInput = (name: string, extra: Partial<NodeCreateInput> = {}): NodeCreateInput => ({
  name,
  healthPath: '/healthz',
  region: 'nyc3',
  size: 's-1vcpu-1gb',
  image: 'debian-12-x64',
  sshKey: '41',
  dnsTimeoutMs: 1,
  httpsTimeoutMs: 1,
  dropletTimeoutMs: 1,
  ...extra,
});

/** The firewall DigitalOcean answers a create request with. */
export const firewallFrom = (id: string, req: FirewallRequest): Firewall => ({
  id,
  name: req.name,
  status: 'succeeded',
  created_at: '',
  inbound_rules: req.inboundRules,
  outbound_rules: req.outboundRules,
  droplet_ids: req.dropletIds,
  tags: [],
});
