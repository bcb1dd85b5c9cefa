import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { DnsPersistence } from '../emulators/cloudflare/dns-store.js';

/** An emulator's records in one JSON file (Cloudflare DNS, DigitalOcean firewalls), replaced atomically on every change. */
export function jsonFilePersistence<T = Parameters<DnsPersistence['save']>[0][number]>(path: string): { load(): T[]; save(records: T[]): void } {
  return {
    load: () => {
      try {
        return JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        return [];
      }
    },
    save: (records) => {
      writeFileSync(`${path}.tmp`, JSON.stringify(records));
      renameSync(`${path}.tmp`, path);
    },
  };
}
