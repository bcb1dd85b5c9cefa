import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DyniaError } from '../../src/errors.js';
import { formatHostKey, hostKeyFingerprint, sameHostKey } from '../../src/remote/host-key.js';
import { RecordingRemote } from '../../src/remote/recording.js';
import { SshSession } from '../../src/remote/ssh.js';

/** A throwaway sshd on 127.0.0.1:<free port>, root login by a generated key only. */
async function startSshd(dir: string): Promise<{ port: number; process: ChildProcess }> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  execFileSync('mkdir', ['-p', '/run/sshd']);
  for (const key of ['host_key', 'client_key', 'other_host_key']) {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, key)]);
  }
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  writeFileSync(
    join(dir, 'sshd_config'),
    `${[
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'Subsystem sftp internal-sftp',
    ].join('\n')}\n`,
  );
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true))).on('error', () => resolve(false));
    });
    if (up) return { port, process: child };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('sshd did not start');
}

const publicKeyOf = (dir: string, name: string) =>
  readFileSync(join(dir, `${name}.pub`), 'utf8')
    .trim()
    .split(' ')
    .slice(0, 2)
    .join(' ');

describe('SshSession against a real sshd', () => {
  let dir: string;
  let sshd: { port: number; process: ChildProcess };
  let session: SshSession;
  const connectWith = (extra: Partial<Parameters<typeof SshSession.connect>[0]> = {}) =>
    SshSession.connect({ host: '127.0.0.1', port: sshd.port, privateKeyPath: join(dir, 'client_key'), ...extra });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dynia-ssh-'));
    sshd = await startSshd(dir);
    let seen: string | undefined;
    session = await connectWith({ pinnedHostKey: publicKeyOf(dir, 'host_key'), onHostKey: (key) => (seen = key) });
    assert.equal(seen, publicKeyOf(dir, 'host_key'));
  });

  after(async () => {
    await session?.close();
    sshd?.process.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  test('exec returns stdout, stderr and exit code; arguments arrive verbatim', async () => {
    const tricky = `it's "quoted" $HOME; rm -rf / \n next`;
    const result = await session.exec(['printf', '%s', tricky]);
    assert.deepEqual(result, { code: 0, stdout: tricky, stderr: '' });
    const failed = await session.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'], { allowFailure: true });
    assert.deepEqual(failed, { code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  test('a script in a failed command is shown by its first line', async () => {
    const script = `echo one >&2\n${'true; '.repeat(30)}\nexit 4`;
    await assert.rejects(session.exec(['sh', '-c', script, 'sh', 'x'.repeat(100)]), (error: DyniaError) => {
      assert.equal(error.message, `on 127.0.0.1: \`sh -c 'echo one >&2…' sh '${'x'.repeat(80)}…'\` exited with code 4:\none`);
      return true;
    });
  });

  test('a non-zero exit throws a RemoteError with the command and the stderr tail', async () => {
    await assert.rejects(session.exec(['sh', '-c', 'echo boom >&2; exit 7']), (error: DyniaError) => {
      assert.equal(error.kind, 'remote');
      assert.equal(error.message, "on 127.0.0.1: `sh -c 'echo boom >&2; exit 7'` exited with code 7:\nboom");
      return true;
    });
  });

  test('stdin is fed to the command, then EOF', async () => {
    const result = await session.exec(['wc', '-c'], { stdin: Buffer.alloc(100_000, 'x') });
    assert.equal(result.stdout.trim(), '100000');
    assert.equal((await session.exec(['cat'])).stdout, '');
  });

  test('a command running past timeoutMs is stopped with a TimeoutError', async () => {
    const started = Date.now();
    await assert.rejects(session.exec(['sleep', '5'], { timeoutMs: 200 }), (error: DyniaError) => error.kind === 'timeout');
    assert.ok(Date.now() - started < 2000);
  });

  test('upload writes atomically with the mode, creating directories; readFile reads back or gives null', async () => {
    const path = join(dir, 'remote', 'deep', 'Caddyfile');
    await session.upload(path, 'first\n', 0o600);
    assert.equal(readFileSync(path, 'utf8'), 'first\n');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const inode = statSync(path).ino;
    await session.upload(path, 'second\n');
    assert.equal(await session.readFile(path), 'second\n');
    assert.notEqual(statSync(path).ino, inode, 'replaced by rename, not rewritten in place');
    assert.equal(statSync(path).mode & 0o777, 0o644);
    assert.deepEqual(execFileSync('ls', [join(dir, 'remote', 'deep')], { encoding: 'utf8' }).trim(), 'Caddyfile', 'no temp file left');
    assert.equal(await session.readFile(join(dir, 'missing.json')), null);
  });

  test('every call above went over the one connection', () => {
    assert.equal(session.stats.connections, 1);
    assert.equal(session.stats.commands, 9);
  });

  test('a different host key than the pinned one is refused, naming both fingerprints and the fix', async () => {
    const pinned = publicKeyOf(dir, 'other_host_key');
    await assert.rejects(connectWith({ pinnedHostKey: pinned, nodeName: 'web-1' }), (error: DyniaError) => {
      assert.equal(error.kind, 'remote');
      assert.equal(
        error.message,
        `the SSH host key of node web-1 127.0.0.1 does not match: expected ${hostKeyFingerprint(pinned)}, offered ${hostKeyFingerprint(publicKeyOf(dir, 'host_key'))}. Refusing to connect.`,
      );
      assert.match(error.hint ?? '', /dynia node:trust --name web-1/);
      return true;
    });
  });

  test('an unauthorized client key is reported as such', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'stranger')]);
    await assert.rejects(connectWith({ privateKeyPath: join(dir, 'stranger') }), /refused the SSH key/);
  });

  test('a missing key file is a config error', async () => {
    await assert.rejects(connectWith({ privateKeyPath: join(dir, 'nope') }), (error: DyniaError) => error.kind === 'config');
  });

  test('fingerprints match ssh-keygen -lf', () => {
    const expected = execFileSync('ssh-keygen', ['-lf', join(dir, 'host_key.pub')], { encoding: 'utf8' }).split(' ')[1];
    assert.equal(hostKeyFingerprint(publicKeyOf(dir, 'host_key')), expected);
    assert.ok(existsSync(join(dir, 'host_key.pub')));
  });
});

describe('host keys', () => {
  test('formatHostKey reads the algorithm from the blob', () => {
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 2, 1, 2])]);
    assert.equal(formatHostKey(blob), `ssh-ed25519 ${blob.toString('base64')}`);
  });

  test('sameHostKey ignores comments and spacing', () => {
    assert.ok(sameHostKey('ssh-ed25519 AAAA root@x', ' ssh-ed25519  AAAA'));
    assert.ok(!sameHostKey('ssh-ed25519 AAAA', 'ssh-ed25519 AAAB'));
  });
});

describe('RecordingRemote', () => {
  test('records calls, answers from its script, fails like the real one', async () => {
    const remote = new RecordingRemote('10.0.0.1')
      .on(['docker', 'info'], { code: 1, stderr: 'Cannot connect to the Docker daemon' }, 2)
      .on(['docker', 'info'], { stdout: '24.0.7\n' })
      .on(/network inspect/, (argv) => ({ stdout: argv.at(-1) }));
    assert.equal((await remote.exec(['docker', 'info'], { allowFailure: true })).code, 1);
    await assert.rejects(remote.exec(['docker', 'info']), /`docker info` exited with code 1:\nCannot connect/);
    assert.equal((await remote.exec(['docker', 'info'])).stdout, '24.0.7\n');
    assert.equal((await remote.exec(['docker', 'network', 'inspect', 'edge'])).stdout, 'edge');
    await remote.upload('/opt/dynia/node.json', '{}', 0o600);
    assert.equal(await remote.readFile('/opt/dynia/node.json'), '{}');
    assert.equal(await remote.readFile('/nope'), null);
    await remote.exec(['sh', '-c', 'cat > x'], { stdin: 'secret' });
    assert.deepEqual(remote.commands, ['docker info', 'docker info', 'docker info', 'docker network inspect edge', "sh -c 'cat > x'"]);
    assert.deepEqual(remote.calls[4], { kind: 'upload', path: '/opt/dynia/node.json', content: '{}', mode: 0o600 });
    assert.deepEqual(remote.calls.at(-1), { kind: 'exec', argv: ['sh', '-c', 'cat > x'], stdin: 'secret' });
  });
});
