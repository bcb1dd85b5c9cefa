import { readFileSync, renameSync, writeFileSync } from 'node:fs';
/** A list the Cloudflare emulator keeps (DNS records, KV namespaces) in one JSON file, replaced atomically on every change. */
export function jsonFilePersistence<T>(path: string): { load(): T[]; save(items: T[]): void } {
  return {
    load: () => {
      try {
        return JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        return [];
      }
    },
    save: (items) => {
      writeFileSync(`${path}.tmp`, JSON.stringify(items));
      renameSync(`${path}.tmp`, path);
    },
  };
}
