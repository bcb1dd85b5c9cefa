import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { DnsPublisher } from '../../sandbox/dns/publisher.js';

const record = (content: string) => ({ name: 'web-1.dynia.test', type: 'A', content, ttl: 60 });
const HEADER = '# zone dynia.test: written by the sandbox DNS publisher\n';

describe('DnsPublisher', () => {
  let root: string;
  let dirs: string[];
  const zoneFile = (i: number) => join(dirs[i], 'zone-dynia.test');
  const shown = (i: number) => (existsSync(zoneFile(i)) ? readFileSync(zoneFile(i), 'utf8') : null);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'dynia-dns-'));
    dirs = [join(root, 'a'), join(root, 'b')];
    mock.timers.enable({ apis: ['setTimeout'] });
  });
  afterEach(() => {
    mock.timers.reset();
    rmSync(root, { recursive: true, force: true });
  });

  test('each resolver shows a publish after its own delay, not before', () => {
    const dns = new DnsPublisher({ resolverDirs: dirs, delaysMs: [500, 1500] });
    dns.publish('dynia.test', [record('172.29.0.10')]);
    mock.timers.tick(499);
    assert.equal(shown(0), null);
    mock.timers.tick(1);
    assert.equal(shown(0), `${HEADER}172.29.0.10 web-1.dynia.test\n`);
    assert.equal(shown(1), null);
    mock.timers.tick(1000);
    assert.equal(shown(1), `${HEADER}172.29.0.10 web-1.dynia.test\n`);
    assert.deepEqual(readdirSync(dirs[0]), ['zone-dynia.test'], 'no temp file is left behind');
  });

  test('the latest publish wins even when an older one comes due later', () => {
    const dns = new DnsPublisher({ resolverDirs: dirs, delaysMs: [1000, 1000] });
    dns.publish('dynia.test', [record('172.29.0.10')]);
    dns.setDelays([100, 100]);
    dns.publish('dynia.test', [record('172.29.0.11')]);
    mock.timers.tick(100);
    assert.equal(shown(0), `${HEADER}172.29.0.11 web-1.dynia.test\n`);
    mock.timers.tick(900);
    assert.equal(shown(0), `${HEADER}172.29.0.11 web-1.dynia.test\n`);
    assert.equal(shown(1), `${HEADER}172.29.0.11 web-1.dynia.test\n`);
  });

  test('overlapping publishes with equal delays land in order', () => {
    const dns = new DnsPublisher({ resolverDirs: dirs, delaysMs: [200, 200] });
    dns.publish('dynia.test', [record('172.29.0.10')]);
    mock.timers.tick(100);
    dns.publish('dynia.test', [record('172.29.0.12')]);
    mock.timers.tick(100);
    assert.equal(shown(0), `${HEADER}172.29.0.10 web-1.dynia.test\n`);
    mock.timers.tick(100);
    assert.equal(shown(0), `${HEADER}172.29.0.12 web-1.dynia.test\n`);
  });

  test('delays are validated; close drops pending publishes', () => {
    const dns = new DnsPublisher({ resolverDirs: dirs, delaysMs: [0, 0] });
    assert.throws(() => dns.setDelays([1]), /2 whole numbers/);
    assert.throws(() => dns.setDelays([1, -1]), /2 whole numbers/);
    assert.throws(() => dns.setDelays([1, 0.5]), /2 whole numbers/);
    dns.setDelays([10, 20]);
    assert.deepEqual(dns.currentDelays(), [10, 20]);
    dns.publish('dynia.test', [record('172.29.0.10')]);
    dns.close();
    mock.timers.tick(100);
    assert.equal(shown(0), null);
  });

  test('an invalid zone name is refused at publish time', () => {
    const dns = new DnsPublisher({ resolverDirs: dirs, delaysMs: [0, 0] });
    assert.throws(() => dns.publish('../x', []), /invalid DNS zone name/);
  });
});
