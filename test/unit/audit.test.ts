import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appendStdin, tailIfExists } from '../../src/node/audit-commands.js';
import { RecordingRemote } from '../../src/remote/recording.js';
import { appendAudit, auditOutcome, currentUser, parseAuditLines, renderAuditLine } from '../../src/lib/audit.js';
import type { Reporter } from '../../src/lib/steps.js';
import { FakeClock } from './workflow-fakes.js';

/** The ports appendAudit takes: the reporter, virtual time and the real local user. */
const silent = (warnings: string[] = []) => ({ reporter: reporter(warnings), clock: new FakeClock(), user: currentUser });

const reporter = (warnings: string[] = []): Reporter => ({
  stepStart() {},
  stepDone() {},
  stepSkipped() {},
  info() {},
  warn: (m) => warnings.push(m),
});

describe('audit lines', () => {
  test('one JSON line: time, user, command, args, result, reason', () => {
    assert.equal(
      renderAuditLine({
        time: '2026-01-02T03:04:05.678Z',
        user: 'ana',
        command: 'app:deploy',
        args: { node: 'web-1', app: 'hello', force: false, port: 8080 },
        result: 'failed',
        reason: '[Swap] boom\nsecond line',
      }),
      '{"time":"2026-01-02T03:04:05.678Z","user":"ana","command":"app:deploy","args":{"node":"web-1","app":"hello","force":false,"port":8080},"result":"failed","reason":"[Swap] boom"}\n',
    );
    assert.equal(
      renderAuditLine({ time: 't', user: 'u', command: 'node:destroy', args: { name: 'web-1' }, result: 'started' }),
      '{"time":"t","user":"u","command":"node:destroy","args":{"name":"web-1"},"result":"started"}\n',
    );
  });

  test('arguments named like secrets, and unset ones, never reach the line; reasons are cut', () => {
    const line = renderAuditLine({
      time: 't',
      user: 'u',
      command: 'node:create',
      result: 'ok',
      reason: 'x'.repeat(500),
      args: {
        name: 'web-1',
        apiToken: 'tok',
        cloudflareApiToken: 'tok',
        password: 'p',
        privateKeyPath: '/k',
        clientSecret: 's',
        apiKey: 'k',
        region: undefined,
      },
    });
    const parsed = JSON.parse(line);
    assert.deepEqual(parsed.args, { name: 'web-1' });
    assert.equal(parsed.reason.length, 300);
    assert.equal(line.includes('tok'), false);
  });

  test('parse: entries, and raw text for lines that are not', () => {
    const text = `${renderAuditLine({ time: 't1', user: 'u', command: 'app:deploy', args: {}, result: 'ok' })}not json\n{"time":"t2"}\n\n`;
    assert.deepEqual(parseAuditLines(text), [
      { time: 't1', user: 'u', command: 'app:deploy', args: {}, result: 'ok' },
      { raw: 'not json' },
      { raw: '{"time":"t2"}' },
    ]);
  });

  test('outcome from how the workflow ended', () => {
    assert.deepEqual(auditOutcome(undefined), { result: 'ok' });
    assert.deepEqual(auditOutcome(new Error('first\nsecond')), { result: 'failed', reason: 'first' });
    assert.equal(typeof currentUser(), 'string');
  });
});

describe('appendAudit', () => {
  test('one remote command: a constant script, the path as argument, the line on stdin', async () => {
    const remote = new RecordingRemote();
    await appendAudit(remote, silent(), { command: 'app:rollback', args: { node: 'web-1' }, result: 'ok' });
    assert.equal(remote.calls.length, 1);
    const call = remote.calls[0]!;
    assert.equal(call.kind, 'exec');
    if (call.kind !== 'exec') return;
    assert.deepEqual(call.argv, ['sh', '-c', 'cat >> "$1"', 'sh', '/opt/dynia/audit.log']);
    const entry = JSON.parse(call.stdin!);
    assert.deepEqual(
      { command: entry.command, args: entry.args, result: entry.result, user: entry.user },
      { command: 'app:rollback', args: { node: 'web-1' }, result: 'ok', user: currentUser() },
    );
    assert.match(entry.time, /^\d{4}-\d\d-\d\dT/);
    assert.ok(call.stdin!.endsWith('}\n'));
  });

  test('a failed append warns and does not throw; no session, nothing to do', async () => {
    const warnings: string[] = [];
    const remote = new RecordingRemote().on(['sh'], { code: 1, stderr: 'Read-only file system' });
    await appendAudit(remote, silent(warnings), { command: 'app:deploy', args: {}, result: 'ok' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^audit line not written on 203\.0\.113\.10: /);
    await appendAudit(undefined, silent(), { command: 'app:deploy', args: {}, result: 'ok' });
  });

  test('tail reads nothing (and succeeds) when there is no log yet', () => {
    assert.deepEqual(tailIfExists(20), ['sh', '-c', '[ -e "$1" ] || exit 0; exec tail -n "$2" "$1"', 'sh', '/opt/dynia/audit.log', '20']);
    assert.deepEqual(appendStdin('/tmp/x y'), ['sh', '-c', 'cat >> "$1"', 'sh', '/tmp/x y']);
  });
});

test('the append script, run by a real sh, writes the line verbatim (quotes, $, spaces in the path)', async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const path = join(mkdtempSync(join(tmpdir(), 'dynia audit ')), 'audit log');
  const line = renderAuditLine({ time: 't', user: 'u', command: 'x', args: { name: `a'b"c $(touch /tmp/pwned) \`id\`` }, result: 'ok' });
  const [program, ...args] = appendStdin(path);
  execFileSync(program!, args, { input: line });
  execFileSync(program!, args, { input: line });
  assert.equal(readFileSync(path, 'utf8'), line + line);
});
