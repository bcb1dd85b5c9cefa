import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Command } from 'commander';
import { COMMANDS } from '../../src/cli/command-table.js';
import { argument, defineCommand, flag, list, optional, required, variadic, withDefault } from '../../src/cli/define.js';
import { registerCommands } from '../../src/cli/register.js';
import type { CommandDefinition, GlobalOptions } from '../../src/cli/types.js';
import { InputError } from '../../src/errors.js';
import { parseDuration } from '../../src/validate/duration.js';
import { validateNodeName } from '../../src/validate/node-name.js';
import { collectNodes } from '../../src/deploy/node-selection.js';

const definitions = COMMANDS.flatMap((entry): CommandDefinition[] => ('subcommands' in entry ? [...entry.subcommands] : [entry]));

/** The root program as main.ts builds it (global flags, usage errors thrown instead of exiting). */
function program(): Command {
  return new Command('dynia')
    .option('--json', 'json', false)
    .option('-q, --quiet', 'quiet', false)
    .option('--state-dir <dir>', 'state dir')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
}

describe('the command table', () => {
  test('lists every command once, in the order --help shows them', () => {
    const root = program();
    registerCommands(root, COMMANDS);
    assert.deepEqual(
      root.commands.map((c) => c.name()),
      [
        'node:create',
        'node:list',
        'node:destroy',
        'node:harden',
        'node:trust',
        'app:deploy',
        'app:rollback',
        'app:logs',
        'app:list',
        'app:remove',
        'app:exec',
        'status',
        'audit',
        'state:rebuild',
        'slb:sync',
        'slb:status',
        'init',
        'doctor',
        'sandbox',
      ],
    );
    assert.deepEqual(
      root.commands.at(-1)!.commands.map((c) => c.name()),
      ['up', 'down', 'env', 'image', 'status'],
    );
  });

  test("each option is named as commander names it, so conflicts and run's args use one name", () => {
    for (const definition of definitions) {
      const command = new Command(definition.name);
      for (const [key, spec] of Object.entries(definition.options)) {
        assert.equal(command.createOption(spec.flags).attributeName(), key, `${definition.name} ${spec.flags}`);
        if (spec.conflicts) assert.ok(spec.conflicts in definition.options, `${definition.name}: conflicts with ${spec.conflicts}`);
      }
      for (const key of Object.keys(definition.arguments)) assert.ok(!(key in definition.options), `${definition.name}: ${key} twice`);
    }
  });
});

describe('registration: one action for every command', () => {
  let stderr: string[];
  let stdout: string[];
  const writes = { err: process.stderr.write, out: process.stdout.write };
  beforeEach(() => {
    stderr = [];
    stdout = [];
    process.stderr.write = ((chunk: string) => stderr.push(chunk) > 0) as typeof process.stderr.write;
    process.stdout.write = ((chunk: string) => stdout.push(chunk) > 0) as typeof process.stdout.write;
  });
  afterEach(() => {
    process.stderr.write = writes.err;
    process.stdout.write = writes.out;
    process.exitCode = undefined;
  });

  const received: Array<{ args: unknown; globals: GlobalOptions }> = [];
  const options = {
    name: required('--name <name>', 'node', validateNodeName),
    node: list('--node <name>', 'nodes', collectNodes),
    timeout: withDefault('--timeout <duration>', 'timeout', '60s', parseDuration),
    app: optional('--app <app>', 'app', (value) => value.toUpperCase(), { conflicts: 'domain' }),
    domain: optional('--domain <domain>', 'domain'),
    yes: flag('-y, --yes', 'yes', false),
    health: flag('--no-health', 'no probe'),
  };
  const positionals = { dir: argument('<dir>', 'dir'), rest: variadic('<rest...>', 'rest', (words) => words.join(' ')) };
  const demo = defineCommand({
    name: 'demo',
    description: 'demo',
    options,
    arguments: positionals,
    run: async (args, globals) => {
      received.push({ args, globals });
    },
  });
  const parse = async (...argv: string[]) => {
    received.length = 0;
    const root = program();
    registerCommands(root, [demo]);
    await root.parseAsync(argv, { from: 'user' });
  };

  test('run receives every value checked, converted and typed, defaults included', async () => {
    await parse('--state-dir', '/s', 'demo', '--name', 'web-1', '--node', 'a,b', '--node', 'c', 'd', 'x', 'y', '--no-health');
    assert.deepEqual(received, [
      {
        args: {
          name: 'web-1',
          node: ['a', 'b', 'c'],
          timeout: 60_000,
          app: undefined,
          domain: undefined,
          yes: false,
          health: false,
          dir: 'd',
          rest: 'x y',
        },
        globals: { json: false, quiet: false, stateDir: '/s' },
      },
    ]);
    await parse('--json', 'demo', '--name', 'web-1', '--timeout', '2m', '--app', 'shop', '-y', 'd', 'x');
    assert.deepEqual(received[0], {
      args: { name: 'web-1', node: [], timeout: 120_000, app: 'SHOP', domain: undefined, yes: true, health: true, dir: 'd', rest: 'x' },
      globals: { json: true, quiet: false },
    });
  });

  test('a bad value is reported like any error (exit 2, JSON with --json) and run does not start', async () => {
    await parse('demo', '--name', 'Web', '--timeout', 'soon', 'd', 'x');
    assert.deepEqual(received, []);
    assert.equal(process.exitCode, 2);
    // Checked in the order they are defined: --name before --timeout.
    assert.match(stderr.join(''), /^✗ --name "Web" contains uppercase letters/);
    assert.deepEqual(stdout, []);
    await parse('--json', 'demo', '--name', 'web', '--timeout', 'soon', 'd', 'x');
    assert.equal(JSON.parse(stdout.join('')).error.message, '--timeout "soon" is not a duration.');
  });

  test("run's own errors take the same way out", async () => {
    const failing = defineCommand({
      name: 'fail',
      description: 'fails',
      run: async () => {
        throw InputError('no such node.', 'See dynia node:list.');
      },
    });
    const root = program();
    registerCommands(root, [failing]);
    await root.parseAsync(['fail'], { from: 'user' });
    assert.equal(process.exitCode, 2);
    assert.equal(stderr.join(''), '✗ no such node.\n  See dynia node:list.\n');
  });

  test('usage errors stay commander errors (main.ts turns them into exit 2)', async () => {
    await assert.rejects(parse('demo', 'd', 'x'), { code: 'commander.missingMandatoryOptionValue' });
    await assert.rejects(parse('demo', '--name', 'a', '--app', 'x', '--domain', 'y', 'd', 'x'), { code: 'commander.conflictingOption' });
    assert.deepEqual(received, []);
  });
});
