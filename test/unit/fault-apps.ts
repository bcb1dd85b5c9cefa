/**
 * The app side of a fault-world host: the containers of compose colour projects (running or not, on `edge` or
 * not, their aliases there), changed by the commands app:deploy and app:rollback run. Only what those
 * workflows need: one entry service `web` per colour project.
 */
import type { Argv } from '../../src/remote/quote.js';
import type { ExecResult } from '../../src/remote/remote.js';
import { drainAlias, inspectLine, isDrain, isHealthWait, isRetire, movedAlias } from './workflow-fakes.js';

export interface FakeContainer {
  name: string;
  project: string;
  running: boolean;
  /** Aliases on `edge`; undefined: not on edge. */
  edge?: string[];
}

export interface AppHost {
  readonly files: Map<string, string>;
  readonly containers: Map<string, FakeContainer>;
}

const inProject = (host: AppHost, project: string) => [...host.containers.values()].filter((c) => c.project === project);

/** The effect of an app command on the host, or undefined when the command is not one of them. */
export function simulateApp(host: AppHost, argv: Argv, stdin?: string): Partial<ExecResult> | undefined {
  if (isDrain(argv)) {
    // drain-commands.ts: the alias taken first when asked; the new container must have an address on edge; Caddy then dials it at once.
    const next = host.containers.get(argv[6]!);
    const alias = drainAlias(argv);
    if (alias) {
      if (!next?.edge) return { code: 4, stderr: `Error response from daemon: container ${argv[6]} is not connected to network edge` };
      next.edge = [alias];
    }
    if (!next?.running || !next.edge) return { code: 3, stderr: `${argv[6]} has no address on the network` };
    // The old project retired once drained (its clean-up goes on behind a mark, over when the next command reads).
    for (const c of inProject(host, argv[14]!)) {
      c.running = false;
      delete c.edge;
    }
    return { stdout: 'drained new 1\nold idle 1\n' };
  }
  const text = argv.join(' ');
  if (argv[0] === 'sh' && argv[2]?.includes('--- caddyfile')) {
    const app = argv[4]!;
    const lines = [...host.containers.values()]
      .filter((c) => c.project === `${app}-blue` || c.project === `${app}-green`)
      .map((c) => inspectLine({ ...c, service: 'web' }));
    const file = argv[7] ? (host.files.get(argv[7]) ?? '(none)\n') : '';
    return {
      stdout: `${lines.join('')}--- caddyfile\n${host.files.get(argv[5]!) ?? ''}--- manifest\n${host.files.get(argv[6]!) ?? ''}--- file\n${file}`,
    };
  }
  if (argv[0] === 'sh' && argv[2]?.startsWith('set -euf')) {
    const record = /\{"hash":"[0-9a-f]+","files":\[[^\0]*?\]\}/.exec(stdin ?? '');
    if (record) host.files.set(`${argv[4]}/files.json`, record[0]);
    return {};
  }
  const started = /docker compose -p ([\w-]+)[^&]*? up -d --no-deps --force-recreate --remove-orphans/.exec(text);
  if (started) {
    const project = started[1]!;
    for (const c of inProject(host, project)) host.containers.delete(c.name);
    host.containers.set(`${project}-web-1`, { name: `${project}-web-1`, project, running: true, edge: [] });
    return {};
  }
  if (isHealthWait(argv)) {
    const url = argv.find((a) => a.startsWith('http://'))!;
    const c = host.containers.get(new URL(url).hostname);
    return c?.running && c.edge ? {} : { code: 1, stderr: `wget: bad address '${new URL(url).host}'` };
  }
  const moved = movedAlias(argv);
  if (moved) {
    const c = host.containers.get(moved.container);
    if (!c?.edge) return { code: 1, stderr: `Error response from daemon: container ${moved.container} is not connected to network edge` };
    c.edge = [moved.alias];
    return {};
  }
  if (text.includes('dev.dynia.restart')) {
    const project = /docker compose -p (\S+) .*start/s.exec(text)![1]!;
    const mine = inProject(host, project);
    if (mine.length === 0) return { code: 1, stderr: `no container found for project "${project}"` };
    for (const c of mine) Object.assign(c, { running: true, edge: [] });
    return {};
  }
  if (isRetire(argv)) {
    const projects = argv[3] === 'sh' ? [argv.at(-1)] : [...text.matchAll(/' sh ([a-z0-9-]+-(?:blue|green))\b/g)].map((m) => m[1]);
    for (const project of projects) {
      for (const c of inProject(host, project!)) {
        c.running = false;
        delete c.edge;
      }
    }
    return {};
  }
  if (argv[0] === 'docker' && argv[1] === 'inspect' && argv[3] === '{{json .NetworkSettings.Networks}}') {
    const c = host.containers.get(argv[4]!);
    if (!c) return { code: 1, stderr: `Error: No such object: ${argv[4]}` };
    return { stdout: `${JSON.stringify(c.edge ? { edge: { Aliases: c.edge } } : {})}\n` };
  }
  if (argv[0] === 'docker' && argv[1] === 'compose' && argv.includes('ps')) {
    const lines = inProject(host, argv[3]!).map(
      (c) => `${JSON.stringify({ Name: c.name, Service: 'web', State: c.running ? 'running' : 'exited', Health: '', ExitCode: 0 })}\n`,
    );
    return { stdout: lines.join('') };
  }
  if (argv[0] === 'docker' && argv[1] === 'compose' && argv.at(-1) === 'down') {
    for (const c of inProject(host, argv[3]!)) host.containers.delete(c.name);
    return {};
  }
  return undefined;
}
