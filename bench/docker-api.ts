/**
 * The Docker calls of a swap through the docker CLI and through the Engine API with curl (what the swap uses,
 * docker-commands.ts), alternating on one node under keep-alive HTTPS load, each at nice 10 as Dynia runs them.
 *
 *   dynia sandbox up && eval "$(dynia sandbox env)" && node --import tsx bench/docker-api.ts [rounds] [connections]
 *
 * Prints the median and range per call and the CLI / API ratio: the difference is the CLI's own start-up.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX } from '../sandbox/layout.js';
import { dynia, percentile, requireSandbox, startLoad, watchLoad } from './lib.js';

requireSandbox();
const rounds = Number(process.argv[2] ?? 8);
const connections = Number(process.argv[3] ?? 32);
const stateDir = mkdtempSync(join(tmpdir(), 'dynia-bench-api-'));
const node = 'bench-api';
const IDLE = 'dynia-bench-idle';
const must = <R extends { code: number; stderr: string }>(r: R): R => {
  if (r.code !== 0) throw new Error(r.stderr);
  return r;
};

/** One round: each call by the CLI, then the same by the API; prints `<ms> <call> <cli|api>` lines. */
const ROUND = [
  'renice -n 10 -p $$ >/dev/null',
  't() { s=$EPOCHREALTIME; "$@" >/dev/null 2>&1 || echo "failed: $*" >&2; e=$EPOCHREALTIME; echo "$(( (${e/./} - ${s/./}) / 1000 )) $CALL $SIDE"; }',
  'api() { curl -sS --unix-socket /var/run/docker.sock -X POST -H "Content-Type: application/json" --data-raw "$2" "http://docker$1"; }',
  'c=$1 alias=$2',
  'CALL=inspect SIDE=cli t docker inspect -f "{{.State.Pid}}" "$c"',
  'CALL=inspect SIDE=api t curl -sS --unix-socket /var/run/docker.sock "http://docker/containers/$c/json"',
  'CALL=update SIDE=cli t docker update --restart=unless-stopped "$c"',
  `CALL=update SIDE=api t api "/containers/$c/update" '{"RestartPolicy":{"Name":"unless-stopped"}}'`,
  'CALL=disconnect SIDE=cli t docker network disconnect edge "$c"',
  'CALL=connect SIDE=cli t docker network connect --alias "$alias" edge "$c"',
  `CALL=disconnect SIDE=api t api /networks/edge/disconnect "{\\"Container\\":\\"$c\\"}"`,
  `CALL=connect SIDE=api t api /networks/edge/connect "{\\"Container\\":\\"$c\\",\\"EndpointConfig\\":{\\"Aliases\\":[\\"$alias\\"]}}"`,
].join('\n');

must(await dynia(['node:create', '--name', node], stateDir));
const load = watchLoad();
try {
  must(await dynia(['app:deploy', '--node', node, '--compose', 'examples/hello/compose.yaml'], stateDir));
  const record = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')).nodes.find((n: { name: string }) => n.name === node);
  const host = `${SANDBOX.dropletPrefix}${record.dropletId}`;
  // The calls act on an idle container of the app's image on edge, not on the one serving the load.
  await new Promise<void>((resolve, reject) =>
    execFile(
      'docker',
      [
        'exec',
        host,
        'sh',
        '-c',
        'docker run -d --name "$1" --network edge "$(docker inspect -f "{{.Config.Image}}" "$2")" sleep 3600 >/dev/null',
        'sh',
        IDLE,
        'hello-blue-web-1',
      ],
      (error, _stdout, stderr) => (error ? reject(new Error(stderr)) : resolve()),
    ),
  );
  const stop = startLoad({ url: `https://${record.fqdn}/`, ip: record.ip, connections });
  await new Promise((r) => setTimeout(r, 2000));
  const lines: string[] = [];
  for (let i = 0; i < rounds; i++) {
    const out = await new Promise<string>((resolve, reject) =>
      execFile('docker', ['exec', host, 'bash', '-c', ROUND, 'bash', IDLE, 'dynia-bench-alias'], (error, stdout, stderr) =>
        error || stderr ? reject(new Error(stderr || String(error))) : resolve(stdout),
      ),
    );
    lines.push(...out.trim().split('\n'));
  }
  const failed = (await stop()).filter((s) => !s.ok).length;
  const ms = new Map<string, number[]>();
  for (const line of lines) {
    const [value, call, side] = line.split(' ');
    ms.set(`${call} ${side}`, [...(ms.get(`${call} ${side}`) ?? []), Number(value)]);
  }
  const median = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    );
  console.log(`\n${rounds} rounds under ${connections} keep-alive HTTPS connections (${load()}; ${failed} failed requests)\n`);
  console.log('| call | docker CLI median (range) | Engine API median (range) | CLI / API |');
  console.log('|---|---|---|---|');
  for (const call of ['inspect', 'update', 'disconnect', 'connect']) {
    const cli = ms.get(`${call} cli`)!;
    const api = ms.get(`${call} api`)!;
    const cell = (xs: number[]) => `${median(xs)} ms (${Math.min(...xs)}–${Math.max(...xs)})`;
    console.log(`| ${call} | ${cell(cli)} | ${cell(api)} | ${(median(cli) / median(api)).toFixed(2)} |`);
  }
} finally {
  await dynia(['node:destroy', '--name', node, '--yes'], stateDir);
}
