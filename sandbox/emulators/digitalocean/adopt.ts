/** Turns hosts that already exist into droplets, so the emulator survives its own restart. */
import type { HostDriver } from '../ports.js';
import { DEFAULT_IMAGE, DEFAULT_REGION, DEFAULT_SIZE, findImage, findRegion, findSize } from './catalog.js';
import { isoSeconds, type DropletStore } from './droplet-store.js';

export async function adoptExistingHosts(hosts: HostDriver, store: DropletStore): Promise<void> {
  for (const host of await hosts.list()) {
    const created = new Date(host.createdAt);
    store.add({
      id: host.dropletId,
      name: host.name,
      ip: host.ip,
      tags: [...host.tags],
      createdAt: Number.isNaN(created.getTime()) ? isoSeconds() : isoSeconds(created),
      // Slugs this catalog does not know fall back to its defaults, so every field stays well-formed.
      size: findSize(host.sizeSlug) ?? DEFAULT_SIZE,
      region: findRegion(host.region) ?? DEFAULT_REGION,
      image: findImage(host.image) ?? DEFAULT_IMAGE,
      features: ['private_networking'],
      // Readiness is asked lazily, like for new droplets.
      active: false,
    });
  }
}
