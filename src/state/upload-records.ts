/**
 * What this machine last uploaded to each node's compose project: the text of the project's `files.json` there
 * (paths, content hashes, modes; a secret's hash is keyed, see app-files.ts). Knowing the running version's tree
 * without reading it lets a deploy's upload go out beside the reconcile's read of the node; the node compares
 * the record's hash with its own file first (another machine may have deployed since) and refuses a stale one.
 * A cache, kept under the state directory: lost or stale, the upload waits for the read, as without it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UploadRecords } from '../lib/ports.js';

export function uploadRecords(stateDir: string): UploadRecords {
  const path = (node: string, project: string) => join(stateDir, 'uploads', node, `${project}.json`);
  return {
    read: (node, project) => readFile(path(node, project), 'utf8').catch(() => null),
    async write(node, project, text) {
      const file = path(node, project);
      const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        await mkdir(join(stateDir, 'uploads', node), { recursive: true, mode: 0o700 });
        await writeFile(temp, text, { mode: 0o600 });
        await rename(temp, file);
      } catch {
        await unlink(temp).catch(() => undefined); // only a cache: the next deploy reads the node instead
      }
    },
  };
}
