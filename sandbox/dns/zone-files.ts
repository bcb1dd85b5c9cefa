/** Zone files the publisher wrote into the resolvers' hosts dirs (the static sandbox file is not one). */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX } from '../layout.js';
import { files } from '../paths.js';

export function removeZoneFiles(): void {
  SANDBOX.resolverIps.forEach((_, i) => {
    const dir = files.resolverDir(i);
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) if (name.startsWith('zone-') || name.startsWith('.zone-')) rmSync(join(dir, name), { force: true });
  });
}
