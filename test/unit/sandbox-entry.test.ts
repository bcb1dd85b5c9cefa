import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadSandboxCommands } from '../../src/cli/sandbox-entry.js';
import type { DyniaError } from '../../src/errors.js';

const notFound = (what: string) =>
  Object.assign(new Error(`Cannot find module '/usr/lib/node_modules/dynia/dist/${what}' imported from cli.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });

describe("the CLI's one way into the sandbox", () => {
  test('from sources it loads the sandbox commands', async () => {
    assert.equal(typeof (await loadSandboxCommands()).sandboxEnvCommand, 'function');
  });

  test('an installed package (no sandbox-cli.js) says it needs a checkout', async () => {
    await assert.rejects(
      loadSandboxCommands(async () => {
        throw notFound('sandbox-cli.js');
      }),
      (error: DyniaError) => {
        assert.equal(error.kind, 'config');
        assert.match(error.message, /^dynia sandbox needs a repository checkout/);
        assert.match(error.hint!, /npm ci && npm run build/);
        return true;
      },
    );
  });

  test('any other failure inside the sandbox code is not disguised', async () => {
    await assert.rejects(
      loadSandboxCommands(async () => {
        throw notFound('miniflare');
      }),
      /Cannot find module .*miniflare/,
    );
  });
});
