import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { DnsPersistence } from '../emulators/cloudflare/dns-store.js';

/** The Cloudflare emulator's records in one JSON file, replaced atomically on every change. */
export function jsonFilePersistence(path: string): DnsPersistence {
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
