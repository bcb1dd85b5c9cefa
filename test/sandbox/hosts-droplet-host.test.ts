import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { containerName, decodeRecord, encodeRecord, hostnameFor, pickFreeIp } from '../../sandbox/hosts/droplet-host.js';
import type { DropletHostRecord } from '../../sandbox/emulators/ports.js';

describe('node host naming and addresses', () => {
  test('container name', () => {
    assert.equal(containerName(400000001), 'dynia-sb-droplet-400000001');
  });

  test('the lowest free address from .10 up', () => {
    assert.equal(pickFreeIp([]), '172.29.0.10');
    assert.equal(pickFreeIp(['172.29.0.10', '172.29.0.12']), '172.29.0.11');
    assert.equal(pickFreeIp(['172.29.0.2', '172.29.0.3']), '172.29.0.10');
  });

  test('no address left', () => {
    const all = Array.from({ length: 241 }, (_, i) => `172.29.0.${10 + i}`);
    assert.throws(() => pickFreeIp(all), /no free node-host address left in 172\.29\.0\.0\/24/);
  });

  test('the label round-trips; garbage decodes to null', () => {
    const record: DropletHostRecord = {
      dropletId: 7,
      name: 'web-1',
      ip: '172.29.0.10',
      tags: ['dynia', 'role:web'],
      createdAt: '2026-01-02T03:04:05.000Z',
      sizeSlug: 's-1vcpu-1gb',
      region: 'nyc3',
      image: 'ubuntu-24-04-x64',
    };
    assert.deepEqual(decodeRecord(encodeRecord(record)), record);
    assert.equal(decodeRecord('not json'), null);
    assert.equal(decodeRecord('{"name":"x"}'), null);
  });

  test('droplet names become hostnames only when valid', () => {
    assert.equal(hostnameFor('web-1'), 'web-1');
    assert.equal(hostnameFor('web-1.dynia.test'), 'web-1.dynia.test');
    assert.equal(hostnameFor('bad_name'), undefined);
    assert.equal(hostnameFor('-x'), undefined);
  });
});
