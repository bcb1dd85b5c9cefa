import type { Argv } from '../../remote/quote.js';
import { CADDY_CONTAINER, IN_CONTAINER } from '../layout.js';

const caddyfileArgs = (configPath: string): string[] => ['--config', configPath, '--adapter', 'caddyfile'];

/** Checks a Caddyfile with the running Caddy's own modules (pass IN_CONTAINER.caddyfileNext for a candidate). */
export const caddyValidate = (configPath: string = IN_CONTAINER.caddyfile, container = CADDY_CONTAINER): Argv => [
  'docker',
  'exec',
  container,
  'caddy',
  'validate',
  ...caddyfileArgs(configPath),
];

/** Graceful config swap through the admin endpoint on localhost:2019 inside the container. */
export const caddyReload = (configPath: string = IN_CONTAINER.caddyfile, container = CADDY_CONTAINER): Argv => [
  'docker',
  'exec',
  container,
  'caddy',
  'reload',
  ...caddyfileArgs(configPath),
];
