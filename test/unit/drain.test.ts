/**
 * Drain by evidence: the admin API parser, the exact command, the workflow's verdicts, and the real scripts run
 * by `sh` against stand-ins for `docker` and Caddy's admin API (a `wget` that plays back scripted answers).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DyniaError } from '../../src/errors.js';
import { describeUpstreams, parseUpstreams } from '../../src/node/caddy/caddy-upstreams.js';
import { drainThen, type DrainTarget } from '../../src/node/caddy/drain-commands.js';
import { RecordingRemote } from '../../src/remote/recording.js';
import { describeDrain, drainThenStop, drainVerdict, swapTarget } from '../../src/deploy/drain.js';

const target: DrainTarget = {
  next: { container: 'shop-green-web-1', port: 8080 },
  previous: { container: 'shop-blue-web-1', port: 8080 },
  timeoutSeconds: 10,
};

describe('Caddy upstream pool', () => {
  test('parses what Caddy 2.6 answers, empty pool included', () => {
    assert.deepEqual(parseUpstreams('[]\n'), []);
    assert.deepEqual(
      parseUpstreams(
        '[{"address":"172.18.0.4:8080","num_requests":3,"fails":0},{"address":"172.18.0.5:8080","num_requests":0,"fails":1}]\n',
      ),
      [
        { address: '172.18.0.4:8080', numRequests: 3, fails: 0 },
        { address: '172.18.0.5:8080', numRequests: 0, fails: 1 },
      ],
    );
  });

  test('anything else is refused with what came back', () => {
    assert.throws(
      () => parseUpstreams("wget: can't connect to remote host (127.0.0.1): Connection refused"),
      /did not answer JSON: wget: can't connect/,
    );
    assert.throws(() => parseUpstreams('{"error":"x"}'), /answered \{"error":"x"\}, not a list/);
    assert.throws(() => parseUpstreams('[{"address":"a"}]'), /entry 0 is \{"address":"a"\}; expected \{address, num_requests, fails\}/);
  });

  test('described for messages', () => {
    assert.equal(describeUpstreams([]), 'none');
    assert.equal(
      describeUpstreams([
        { address: '172.18.0.4:8080', numRequests: 3, fails: 0 },
        { address: '172.18.0.5:8080', numRequests: 0, fails: 2 },
      ]),
      '172.18.0.4:8080 (3 in flight), 172.18.0.5:8080 (0 in flight, 2 failed)',
    );
  });
});

describe('drain command', () => {
  test('constant scripts; containers, ports, timeout and the project to retire are arguments', () => {
    const argv = drainThen(target, 'shop-blue');
    assert.deepEqual([argv[0], argv[1], argv[3]], ['sh', '-c', 'sh']);
    assert.deepEqual(argv.slice(4, 11), ['edge', 'dynia-caddy', 'shop-green-web-1', '8080', 'shop-blue-web-1', '8080', '10']);
    assert.deepEqual(argv.slice(12), ['', '', 'shop-blue', '/run/dynia/retiring/shop-blue'], 'no alias to take; the project and its mark');
    assert.deepEqual(
      drainThen({ ...target, takeAlias: 'dynia-upstream-shop' }, 'shop-blue').slice(12, 14),
      [
        '{"Container":"shop-green-web-1","Force":false}',
        '{"Container":"shop-green-web-1","EndpointConfig":{"Aliases":["dynia-upstream-shop"]}}',
      ],
      "the alias move's Engine API bodies first",
    );
    for (const script of [argv[2]!, argv[11]!]) assert.doesNotMatch(script, /shop|8080|dynia-caddy/, 'no data in the scripts');
    assert.match(argv[11]!, /wget -q -O - http:\/\/127\.0\.0\.1:2019\/reverse_proxy\/upstreams/);
  });

  test("the target of a swap names the previous deployment's entry container", () => {
    assert.deepEqual(swapTarget('shop-green-web-1', 8080, { project: 'shop-blue', entryService: 'api', entryPort: 3000 }), {
      next: { container: 'shop-green-web-1', port: 8080 },
      previous: { container: 'shop-blue-api-1', port: 3000 },
      timeoutSeconds: 10,
    });
  });
});

describe('drainThenStop', () => {
  const clock = (...times: number[]) => ({ now: () => times.shift()! });
  const isDrain = (argv: readonly string[]) => argv[0] === 'sh';

  test('the two verdict lines are the evidence', () => {
    const idle = { evidence: 'new', polls: 3, old: 'idle', inFlight: 0 };
    assert.deepEqual(drainVerdict('drained new 3\nold idle 2\n'), { ...idle, stopping: false });
    assert.deepEqual(drainVerdict('drained new 3\ndoor shut\nold idle 2\n'), { ...idle, stopping: false });
    assert.deepEqual(drainVerdict('drained new 3\ndoor shut\nold idle 2\nstopping\n'), { ...idle, stopping: true });
    assert.deepEqual(drainVerdict(' Container shop-blue-web-1  Stopping\ndrained idle 5\nold gone\n'), {
      evidence: 'idle',
      polls: 5,
      old: 'gone',
      inFlight: 0,
      stopping: false,
    });
    assert.deepEqual(drainVerdict('drained new 1\nold busy 90 2\n'), {
      evidence: 'new',
      polls: 1,
      old: 'busy',
      inFlight: 2,
      stopping: false,
    });
    assert.deepEqual(drainVerdict('drained new 1\ndoor open\n'), { evidence: 'new', polls: 1, old: 'open', inFlight: 0, stopping: false });
    assert.equal(drainVerdict('drained new 1\n'), undefined, 'the old version not settled: no verdict');
    assert.equal(drainVerdict(''), undefined);
  });

  test('drained and stopped: one command, timed by the clock', async () => {
    const remote = new RecordingRemote().on(isDrain, { stdout: 'drained new 3\nold idle 1\n' });
    const drained = await drainThenStop(remote, target, 'shop-blue', clock(1000, 1180));
    assert.deepEqual(drained, { evidence: 'new', polls: 3, old: 'idle', inFlight: 0, stopping: false, ms: 180 });
    assert.equal(remote.calls.length, 1);
    assert.equal(
      describeDrain(drained),
      'old version drained and stopped in 180 ms (Caddy dials the new one; nothing left in flight at the old one)',
    );
  });

  test('the door shut: said while the command goes on, once, even when the line comes in pieces', async () => {
    const told: string[] = [];
    const remote = new RecordingRemote();
    remote.exec = async (_argv, options) => {
      for (const piece of ['drained new 3\ndoor', ' shut\n', 'old idle 1\n']) options?.onStdout?.(Buffer.from(piece));
      told.push('ended');
      return { code: 0, stdout: 'drained new 3\ndoor shut\nold idle 1\n', stderr: '' };
    };
    const drained = await drainThenStop(remote, target, 'shop-blue', clock(0, 10), () => told.push('door shut'));
    assert.deepEqual(told, ['door shut', 'ended']);
    assert.equal(drained.old, 'idle');
  });

  test('the door shut and the stop begun: said so (its process exits behind the command)', async () => {
    const remote = new RecordingRemote().on(isDrain, { stdout: 'drained new 3\ndoor shut\nold idle 1\nstopping\n' });
    const drained = await drainThenStop(remote, target, 'shop-blue', clock(1000, 1120));
    assert.equal(
      describeDrain(drained),
      'old version drained and its stop begun in 120 ms (Caddy dials the new one; nothing left in flight at the old one)',
    );
  });

  test('what the summary says of the old version in each case', () => {
    const d = { evidence: 'idle' as const, polls: 5, ms: 90.4, inFlight: 0, stopping: false };
    assert.equal(
      describeDrain({ ...d, old: 'busy', inFlight: 2 }),
      'old version drained and stopped in 90 ms (nothing in flight; 2 request(s) still in flight at the old one after 5 s were cut (long-lived: WebSockets, streams))',
    );
    assert.match(describeDrain({ ...d, old: 'busy', inFlight: Number.NaN }), /; requests still in flight at the old one after 5 s/);
    assert.match(
      describeDrain({ ...d, old: 'open' }),
      /; the old one's port could not be closed first \(is iptables installed on the node\?\)\)$/,
    );
    assert.match(describeDrain({ ...d, old: 'gone' }), /; the old one was not running\)$/);
  });

  test('never drained: the last pool in the error, nothing stopped', async () => {
    const remote = new RecordingRemote().on(isDrain, { code: 75, stderr: '[{"address":"172.18.0.4:8080","num_requests":7,"fails":0}]\n' });
    await assert.rejects(
      drainThenStop(remote, target, 'shop-blue', clock(0, 0)),
      (e: unknown) =>
        e instanceof DyniaError &&
        e.kind === 'health' &&
        e.message ===
          'Caddy on 203.0.113.10 did not send requests to shop-green-web-1 within 10 s; its upstreams in flight: 172.18.0.4:8080 (7 in flight). shop-blue-web-1 was not stopped.',
    );
  });

  test('the admin API unreachable or the new container without an address: said so', async () => {
    const remote = new RecordingRemote().on(isDrain, { code: 3, stderr: 'shop-green-web-1 has no address on the network\n' });
    await assert.rejects(
      drainThenStop(remote, target, 'shop-blue', clock(0, 0)),
      /could not watch Caddy's upstreams on 203\.0\.113\.10; its upstreams in flight: shop-green-web-1 has no address on the network\./,
    );
  });

  test('the alias could not be taken: said so, nothing waited for or stopped', async () => {
    const remote = new RecordingRemote().on(isDrain, {
      code: 4,
      stderr: 'Error response from daemon: No such container: shop-green-web-1\n',
    });
    await assert.rejects(
      drainThenStop(remote, { ...target, takeAlias: 'dynia-upstream-shop' }, 'shop-blue', clock(0, 0)),
      (e: unknown) =>
        e instanceof DyniaError &&
        e.kind === 'health' &&
        e.message ===
          'shop-green-web-1 could not take the alias dynia-upstream-shop on edge on 203.0.113.10: Error response from daemon: No such container: shop-green-web-1. shop-blue-web-1 was not stopped.',
    );
  });

  test('Caddy lost while the old version settles: said so, nothing stopped', async () => {
    const remote = new RecordingRemote().on(isDrain, {
      code: 1,
      stdout: 'drained new 1\n',
      stderr: 'nsenter: cannot open /proc/4242/ns/mnt\n',
    });
    await assert.rejects(
      drainThenStop(remote, target, 'shop-blue', clock(0, 0)),
      /could not watch Caddy's upstreams on 203\.0\.113\.10; its upstreams in flight: nsenter: cannot open \/proc\/4242\/ns\/mnt\. shop-blue-web-1 was not stopped\./,
    );
  });

  test("drained but the retire failed: which step, and Docker's own error", async () => {
    const remote = new RecordingRemote().on(isDrain, {
      code: 5,
      stdout: 'drained new 1\nold idle 1\n',
      stderr: 'Error response from daemon: boom\n',
    });
    await assert.rejects(
      drainThenStop(remote, target, 'shop-blue', clock(0, 0)),
      (e: unknown) =>
        e instanceof DyniaError &&
        e.kind === 'health' &&
        e.message === 'shop-blue-web-1 could not be stopped on 203.0.113.10: Error response from daemon: boom.',
    );
  });
});

/**
 * The real scripts under `sh`: the Engine API's inspect gives Caddy's pid and the containers' addresses (the old
 * container's process is a real `sleep`, ended by the Engine API stop of c1, which then takes 0.3 s more),
 * `nsenter -t 4242 -m -n sh -c ...` runs the poll here (`caddyEnters` times at most), `nsenter -t 4242 -n
 * iptables ...` (the door, in Caddy's namespace) is recorded and fails when `noIptables`, its listing prints
 * `rules`, `wget` plays back one scripted
 * pool per call (the last one repeats); with `fastClock`, every `date` is ten seconds after the one before.
 */
/** The Engine API's inspect of a container, as much of it as the scripts read (IPAMConfig's address must not count). */
const inspect = (pid: number, networks: Record<string, string>) =>
  JSON.stringify({
    Id: 'ffff',
    State: { Status: pid ? 'running' : 'exited', Running: pid > 0, Pid: pid, ExitCode: 0 },
    HostConfig: { PidMode: '' },
    NetworkSettings: {
      Networks: Object.fromEntries(
        Object.entries(networks).map(([n, ip]) => [n, { IPAMConfig: { IPv4Address: '10.9.9.9' }, Aliases: null, IPAddress: ip }]),
      ),
    },
  });

function runScripts(
  pools: string[],
  opts: {
    old?: string;
    caddyPid?: number;
    timeoutSeconds?: number;
    takeAlias?: string;
    noIptables?: boolean;
    noU32?: boolean;
    caddyEnters?: number;
    fastClock?: boolean;
    connectFails?: boolean;
    updateFails?: boolean;
    wgetFailsFrom?: number;
    rules?: string;
    liveMark?: string;
    /** The new container's address on edge as `ip` in its namespace shows it; null: no `ip` there. */
    newInNetns?: string | null;
  } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'dynia-drain-'));
  if (opts.liveMark) {
    mkdirSync(join(dir, 'retiring'));
    writeFileSync(join(dir, 'retiring', opts.liveMark), `${process.pid}\n`);
  }
  // The old process under a shell that reaps it at once when it is killed, as containerd's shim does.
  const oldProcess = spawn('sh', ['-c', `sleep 30 & echo $! > ${dir}/oldpid; wait`], { stdio: 'ignore' });
  while (!existsSync(join(dir, 'oldpid')) || !readFileSync(join(dir, 'oldpid'), 'utf8').endsWith('\n')) spawnSync('/bin/sleep', ['0.01']);
  const oldPid = Number(readFileSync(join(dir, 'oldpid'), 'utf8'));
  pools.forEach((pool, i) => writeFileSync(join(dir, `pool-${i}`), pool));
  const stub = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  // The Engine API: the path and body logged.
  stub(
    'curl',
    [
      // POSTs (docker_api, or docker_api_then's two separated by --next): each logged and answered, body then status;
      // with --fail-with-body a failing status ends the call (exit 22), as curl --fail-early does.
      `post() { echo "api $1 $2" >> ${dir}/ran; b= st=200; case $1 in`,
      ...(opts.connectFails
        ? [`  */connect) b='{"message":"endpoint with name shop-green-web-1 already exists in network edge"}' st=403 ;;`]
        : []),
      ...(opts.updateFails ? [`  */update) b='{"message":"Cannot update container c1"}' st=500 ;;`] : []),
      `  */c1/stop) kill ${oldPid}; /bin/sleep 0.3; st=204 ;;`,
      'esac; printf %s%s "$b" "$st"; [ -z "$fwb" ] || { echo; [ "$st" -lt 400 ] || exit 22; }; }',
      'url= urls= data= get= q= method= fwb=; while [ $# -gt 0 ]; do case $1 in --data-raw) data=$2; shift ;; --data-urlencode) q=$2; shift ;; -X) method=$2; shift ;; -w) shift ;; --fail-with-body) fwb=1 ;; -sSfG) get=1 ;; --next) [ "$method" != POST ] || post "$url" "$data"; method= data= ;; http://*) url=${1#http://docker}; urls="$urls $url" ;; esac; shift; done',
      // Reads: the retire's two listings (logged), each container's inspect (the new one on two networks).
      'answer() { case $1 in',
      `  /containers/json) echo "list \${q#filters=}" >> ${dir}/ran; case $q in *network*) printf '[{"Id":"c1"}]' ;; *) printf '[{"Id":"c1","Names":["/shop-blue-web-1"]},{"Id":"c2"}]' ;; esac ;;`,
      `  /containers/dynia-caddy/json) printf '%s' '${inspect(opts.caddyPid ?? 4242, { edge: '172.18.0.2' })}' ;;`,
      `  /containers/shop-green-web-1/json) printf '%s' '${inspect(901, { 'shop-blue_default': '172.19.0.3', edge: '172.18.0.5' })}' ;;`,
      `  /containers/shop-blue-web-1/json) printf '%s' '${opts.old === undefined ? inspect(oldPid, { edge: '172.18.0.4' }) : inspect(0, opts.old ? { edge: opts.old } : {})}' ;;`,
      '  *) return 1 ;;',
      'esac; }',
      'if [ -n "$get" ]; then answer "$url" || { echo \'curl: (22) The requested URL returned error: 404\' >&2; exit 22; }; exit 0; fi',
      // Several reads in one call (docker_each): each answer followed by its status, as curl's write-out prints it.
      `if [ -z "$method" ]; then for u in $urls; do if answer "$u"; then printf '\\n200\\n'; else printf '{"message":"No such container"}\\n404\\n'; fi; done; exit 0; fi`,
      'post "$url" "$data"',
    ].join('\n'),
  );
  stub(
    'nsenter',
    [
      'case "$1 $2 $3" in',
      `  "-t 4242 -m") n=$(cat ${dir}/entered 2>/dev/null || echo 0); echo $((n + 1)) > ${dir}/entered`,
      `    [ "$4" = -n ] && [ "$n" -lt ${opts.caddyEnters ?? 9} ] || exit 9; shift 4; exec "$@" ;;`,
      `  "-t 4242 -n") shift 3; [ "$*" != 'iptables -w -S OUTPUT' ] || { printf '%s' '${opts.rules ?? ''}'; exit 0; }`,
      `    echo "$*" >> ${dir}/ran; case "$*" in *u32*) exit ${opts.noIptables || opts.noU32 ? 1 : 0} ;; esac; exit ${opts.noIptables ? 1 : 0} ;;`,
      ...(opts.newInNetns === null
        ? []
        : [
            `  "-t 901 -n") [ "$4 $5 $6 $7 $8" = 'ip -4 -o addr show' ] || exit 9`,
            `    printf '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\\n7: eth0    inet 172.19.0.3/16 brd 172.19.255.255 scope global eth0\\n9: eth1    inet ${opts.newInNetns ?? '172.18.0.5'}/16 brd 172.18.255.255 scope global eth1\\n' ;;`,
          ]),
      '  *) exit 9 ;;',
      'esac',
    ].join('\n'),
  );
  if (opts.fastClock) stub('date', `n=$(cat ${dir}/clock 2>/dev/null || echo 1000); echo $((n + 10)) > ${dir}/clock; echo $n`);
  stub(
    'wget',
    `n=$(cat ${dir}/n 2>/dev/null || echo 0); [ "$n" -lt ${opts.wgetFailsFrom ?? 999} ] || { echo 'wget: server returned error' >&2; exit 1; }; f=${dir}/pool-$n; [ -f "$f" ] && echo $((n + 1)) > ${dir}/n || f=${dir}/pool-${pools.length - 1}; cat "$f"`,
  );
  stub('sleep', 'exit 0');
  const mark = join(dir, 'retiring', 'shop-blue');
  const argv = drainThen(
    { ...target, timeoutSeconds: opts.timeoutSeconds ?? 10, ...(opts.takeAlias ? { takeAlias: opts.takeAlias } : {}) },
    'shop-blue',
  ).map((word, i) => (i === 15 ? mark : word));
  const result = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    timeout: 10_000,
  });
  // The stops run side by side: their lines in a fixed order. The retire's first half runs beside the polls: its
  // lines are shown apart, in their own order, as `prepared`.
  const ran = () => {
    const lines = (existsSync(join(dir, 'ran')) ? readFileSync(join(dir, 'ran'), 'utf8') : '').split(/(?<=\n)/);
    const prepared = lines.filter((l) => /^list |\/update /.test(l)).join('');
    const rest = lines
      .filter((l) => !/^list |\/update /.test(l))
      .join('')
      .replace(/(?:api \/containers\/\w+\/stop \n)+/, (stops) =>
        stops
          .split(/(?<=\n)/)
          .sort()
          .join(''),
      );
    return prepared ? `${rest}+ ${prepared}` : rest;
  };
  const oldAlive = (() => {
    try {
      process.kill(oldPid, 0);
      return true;
    } catch {
      return false;
    }
  })();
  if (oldAlive) process.kill(oldPid);
  oldProcess.kill();
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    oldAlive,
    markLeft: existsSync(mark),
    /** What ran once the retire behind the command has ended (its mark gone), and whether it ended. */
    settled(): { ran: string; ended: boolean } {
      const until = Date.now() + 5000;
      while (existsSync(mark) && Date.now() < until) spawnSync('/bin/sleep', ['0.05']);
      return { ran: ran(), ended: !existsSync(mark) };
    },
  };
}

const OLD = '{"address":"172.18.0.4:8080","num_requests":4,"fails":0}';
const OLD_IDLE = '{"address":"172.18.0.4:8080","num_requests":0,"fails":1}';
const NEW = '{"address":"172.18.0.5:8080","num_requests":1,"fails":0}';
/** The door's two rules: new connections to the old address, and a GET or HEAD on one Caddy keeps alive. */
const door = (op: string, ip: string, port: number, project: string) =>
  [
    `iptables -w ${op} OUTPUT -d ${ip} -p tcp --syn --dport ${port} -m comment --comment dynia-door:${project} -j REJECT --reject-with tcp-reset`,
    `iptables -w ${op} OUTPUT -d ${ip} -p tcp --dport ${port} -m u32 --u32 0>>22&0x3C@12>>26&0x3C@0=0x47455420,0x48454144 -m comment --comment dynia-door:${project} -j REJECT --reject-with tcp-reset`,
    '',
  ].join('\n');
const CLOSE = door('-I', '172.18.0.4', 8080, 'shop-blue');
const REOPEN = door('-D', '172.18.0.4', 8080, 'shop-blue');
/** The retire's first half (the project's containers listed, restart policy `no`), run beside the polls. */
const PREPARED = [
  'list {"label":["com.docker.compose.project=shop-blue"]}',
  'list {"label":["com.docker.compose.project=shop-blue"],"network":["edge"]}',
  'api /containers/c1/update {"RestartPolicy":{"Name":"no"}}',
  'api /containers/c2/update {"RestartPolicy":{"Name":"no"}}',
  '',
].join('\n');
const RETIRED = ['api /containers/c1/stop ', 'api /containers/c2/stop ', 'api /networks/edge/disconnect {"Container":"c1"}', ''].join('\n');

describe('drain scripts under sh', () => {
  test('waits while only the old address is in flight; once the new one shows, closes the old door, waits for it to empty, retires it', () => {
    const r = runScripts([`[${OLD}]`, '[]', `[${OLD}]`, `[${OLD},${NEW}]`, `[${OLD},${NEW}]`, `[${OLD_IDLE},${NEW}]`]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'drained new 4\ndoor shut\nold idle 2\nstopping\n', '']);
    assert.deepEqual(r.settled(), { ran: `${CLOSE}${RETIRED}${REOPEN}+ ${PREPARED}`, ended: true });
  });

  test("the door shut: returns once the stop has begun; the stop and Docker's clean-up go on behind its mark", () => {
    const r = runScripts([`[${NEW}]`]);
    assert.deepEqual([r.code, r.stdout, r.markLeft], [0, 'drained new 1\ndoor shut\nold idle 1\nstopping\n', true]);
    assert.deepEqual(r.settled(), { ran: `${CLOSE}${RETIRED}${REOPEN}+ ${PREPARED}`, ended: true });
  });

  test('an idle site: five empty polls in a row are enough, and nothing is in flight at the old one', () => {
    const r = runScripts(['[]', '[]', `[${OLD}]`, '[]']);
    assert.deepEqual([r.code, r.stdout], [0, 'drained idle 8\ndoor shut\nold idle 1\nstopping\n']);
    assert.deepEqual(r.settled(), { ran: `${CLOSE}${RETIRED}${REOPEN}+ ${PREPARED}`, ended: true });
  });

  test('other sites in the pool do not count as this one', () => {
    const r = runScripts(['[{"address":"172.18.0.9:3000","num_requests":2,"fails":0}]']);
    assert.deepEqual([r.code, r.stdout], [0, 'drained idle 5\ndoor shut\nold idle 1\nstopping\n']);
  });

  test('the old version already gone: only the new address counts, no door to close, the retire waited for', () => {
    const r = runScripts(['[]'], { old: '' });
    assert.deepEqual([r.code, r.stdout, r.markLeft], [0, 'drained idle 5\nold gone\n', false]);
    assert.deepEqual(r.settled(), { ran: `${RETIRED}+ ${PREPARED}`, ended: true });
  });

  test('the swap in the same command: the alias first, then the wait, the door, the retire', () => {
    const r = runScripts([`[${OLD},${NEW}]`, `[${NEW}]`], { takeAlias: 'dynia-upstream-shop' });
    assert.deepEqual([r.code, r.stdout], [0, 'drained new 1\ndoor shut\nold idle 1\nstopping\n']);
    assert.deepEqual(r.settled(), {
      ran: `api /networks/edge/disconnect {"Container":"shop-green-web-1","Force":false}\napi /networks/edge/connect {"Container":"shop-green-web-1","EndpointConfig":{"Aliases":["dynia-upstream-shop"]}}\n${CLOSE}${RETIRED}${REOPEN}+ ${PREPARED}`,
      ended: true,
    });
  });

  test("the new address as the new container's own namespace shows it (Docker's inspect lags right after the move)", () => {
    const r = runScripts([`[${OLD},{"address":"172.18.0.8:8080","num_requests":1,"fails":0}]`, '[]'], {
      takeAlias: 'dynia-upstream-shop',
      newInNetns: '172.18.0.8',
    });
    assert.deepEqual([r.code, r.stdout], [0, 'drained new 1\ndoor shut\nold idle 1\nstopping\n']);
  });

  test("no `ip` in the new container's namespace: its address from Docker's inspect", () => {
    const r = runScripts([`[${OLD},${NEW}]`, `[${NEW}]`], { takeAlias: 'dynia-upstream-shop', newInNetns: null });
    assert.deepEqual([r.code, r.stdout], [0, 'drained new 1\ndoor shut\nold idle 1\nstopping\n']);
  });

  test("the alias move refused by Docker: exit 4 with Docker's message, nothing waited for or stopped", () => {
    const r = runScripts([`[${OLD},${NEW}]`], { takeAlias: 'dynia-upstream-shop', connectFails: true });
    assert.deepEqual(
      [r.code, r.stdout, r.stderr, r.oldAlive],
      [4, '', 'Error response from daemon: endpoint with name shop-green-web-1 already exists in network edge\n', true],
    );
    assert.doesNotMatch(r.settled().ran, /iptables|^list |\/stop/m);
  });

  test('requests still in flight at the old one past the bound (a WebSocket): retired anyway, and said', () => {
    const r = runScripts([`[${OLD},${NEW}]`], { fastClock: true });
    assert.deepEqual([r.code, r.stdout], [0, 'drained new 1\ndoor shut\nold busy 1 4\nstopping\n']);
  });

  test("Caddy's admin API lost while the old one settles, past the bound: retired anyway, its count unknown", () => {
    const r = runScripts([`[${NEW}]`, `[${OLD},${NEW}]`], { fastClock: true, wgetFailsFrom: 1 });
    assert.deepEqual([r.code, r.stdout], [0, 'drained new 1\ndoor shut\nold busy 1 ?\nstopping\n']);
    assert.deepEqual(drainVerdict(r.stdout), { evidence: 'new', polls: 1, old: 'busy', inFlight: Number.NaN, stopping: true });
  });

  test('no u32 match in the kernel: the first rule alone, no `door shut`; returns once the old process has exited', () => {
    const r = runScripts([`[${NEW}]`], { noU32: true });
    assert.deepEqual([r.code, r.stdout, r.oldAlive], [0, 'drained new 1\nold idle 1\n', false]);
    assert.deepEqual(r.settled(), { ran: `${CLOSE}${RETIRED}${REOPEN}+ ${PREPARED}`, ended: true });
  });

  test('no iptables on the node: the door stays open, the retire goes ahead as before', () => {
    const r = runScripts([`[${NEW}]`], { noIptables: true });
    assert.deepEqual([r.code, r.stdout, r.oldAlive], [0, 'drained new 1\ndoor open\n', false]);
    assert.deepEqual(r.settled(), { ran: `${CLOSE}${RETIRED}+ ${PREPARED}`, ended: true });
  });

  test("the retire refused before the old process ended: exit 5 with Docker's message, the old one still runs", () => {
    const r = runScripts([`[${NEW}]`], { updateFails: true });
    assert.deepEqual(
      [r.code, r.stdout, r.stderr, r.oldAlive],
      [5, 'drained new 1\ndoor shut\nold idle 1\n', 'Error response from daemon: Cannot update container c1\n', true],
    );
    assert.equal(
      r.settled().ran,
      `${CLOSE}${REOPEN}+ ${PREPARED.split('\n').slice(0, 3).join('\n')}\n`,
      'its door open again for the rollback',
    );
  });

  test("a door whose retire was killed is opened by the next drain, once for its two rules; a live retire's door is left shut", () => {
    // As `iptables -S` lists the two rules of a door.
    const rules = (ip: string, port: number, project: string) => [
      `-A OUTPUT -d ${ip}/32 -p tcp -m tcp --dport ${port} -m u32 --u32 "0x0>>0x16&0x3c@0xc>>0x1a&0x3c@0x0=0x47455420,0x48454144" -m comment --comment "dynia-door:${project}" -j REJECT --reject-with tcp-reset`,
      `-A OUTPUT -d ${ip}/32 -p tcp -m tcp --dport ${port} --tcp-flags FIN,SYN,RST,ACK SYN -m comment --comment "dynia-door:${project}" -j REJECT --reject-with tcp-reset`,
    ];
    const listed = ['-P OUTPUT ACCEPT', ...rules('172.18.0.9', 3000, 'other-green'), ...rules('172.18.0.7', 80, 'live-blue'), ''].join(
      '\n',
    );
    const r = runScripts([`[${NEW}]`], { rules: listed, liveMark: 'live-blue' });
    assert.deepEqual([r.code, r.stdout], [0, 'drained new 1\ndoor shut\nold idle 1\nstopping\n']);
    assert.deepEqual(r.settled(), {
      ran: `${door('-D', '172.18.0.9', 3000, 'other-green')}${CLOSE}${RETIRED}${REOPEN}+ ${PREPARED}`,
      ended: true,
    });
  });

  test('Caddy lost while the old one settles: its door opens again, nothing stopped', () => {
    const r = runScripts([`[${OLD},${NEW}]`], { caddyEnters: 1 });
    assert.deepEqual([r.code, r.stdout, r.oldAlive], [9, 'drained new 1\ndoor shut\n', true]);
    assert.equal(
      r.settled().ran,
      `${CLOSE}${REOPEN}+ ${PREPARED}`,
      'restart policy `no` already set: the rollback that starts it again puts it back',
    );
  });

  test('Caddy not running: said so, nothing waited for or stopped', () => {
    const r = runScripts(['[]'], { caddyPid: 0 });
    assert.deepEqual([r.code, r.stdout, r.stderr, r.settled().ran], [3, '', 'dynia-caddy is not running\n', '']);
  });

  test('Caddy never moves on: exit 75 with the last pool, no door closed, nothing stopped', () => {
    const r = runScripts([`[${OLD}]`], { timeoutSeconds: 0 });
    assert.deepEqual([r.code, r.stdout, r.stderr, r.settled().ran], [75, '', `[${OLD}]\n`, `+ ${PREPARED}`]);
  });
});
