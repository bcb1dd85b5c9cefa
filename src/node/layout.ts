import { validateProjectName } from '../validate/project-name.js';

/** Where Dynia keeps everything on a node; one directory, so `node.json` + these files can rebuild local state. */
const NODE_ROOT = '/opt/dynia';

export const LAYOUT = {
  root: NODE_ROOT,
  proxyDir: `${NODE_ROOT}/proxy`,
  proxyCompose: `${NODE_ROOT}/proxy/compose.yaml`,
  caddyfile: `${NODE_ROOT}/proxy/Caddyfile`,
  /** A candidate Caddyfile is uploaded here and validated before it replaces the live one. */
  caddyfileNext: `${NODE_ROOT}/proxy/Caddyfile.next`,
  /** The private ACME CA's root (sandbox/staging only); inside the proxy dir, so the directory mount carries it. */
  acmeRoot: `${NODE_ROOT}/proxy/acme-root.pem`,
  placeholderDir: `${NODE_ROOT}/placeholder`,
  placeholderCompose: `${NODE_ROOT}/placeholder/compose.yaml`,
  appsDir: `${NODE_ROOT}/apps`,
  manifest: `${NODE_ROOT}/node.json`,
  auditLog: `${NODE_ROOT}/audit.log`,
} as const;

/** The proxy directory as the Caddy container sees it (a directory mount, so atomic renames show up). */
export const CADDY_DIR_IN_CONTAINER = '/etc/caddy';
export const IN_CONTAINER = {
  caddyfile: `${CADDY_DIR_IN_CONTAINER}/Caddyfile`,
  caddyfileNext: `${CADDY_DIR_IN_CONTAINER}/Caddyfile.next`,
  acmeRoot: `${CADDY_DIR_IN_CONTAINER}/acme-root.pem`,
} as const;

/** Marks of retires still going on (retire-commands.ts); on tmpfs, so none survives a reboot. */
export const RETIRING_DIR = '/run/dynia/retiring';

export const EDGE_NETWORK = 'edge';
export const PROXY_PROJECT = 'dynia-proxy';
export const CADDY_CONTAINER = 'dynia-caddy';
export const PLACEHOLDER_PROJECT = 'dynia-placeholder';
export const PLACEHOLDER_CONTAINER = 'dynia-placeholder';
export const PLACEHOLDER_PORT = 8080;
export const DEFAULT_CADDY_IMAGE = 'caddy:2';

/** One directory per compose project (blue/green deploys of an app are separate projects). */
export const appDir = (project: string): string => `${LAYOUT.appsDir}/${validateProjectName(project, 'compose project')}`;
export const appComposePath = (project: string): string => `${appDir(project)}/compose.yaml`;
export const appOverridePath = (project: string): string => `${appDir(project)}/dynia.override.yaml`;
/** The project's copy of the app directory (compose's project directory: relative paths resolve here). */
export const appSrcDir = (project: string): string => `${appDir(project)}/src`;
/** The variables compose interpolates with (the app's `.env` or `--env-file`s), root-only. */
export const appEnvPath = (project: string): string => `${appDir(project)}/interpolation.env`;
/** What was uploaded into the project: the deploy hash and every file's hash (the base of the next upload). */
export const appFilesPath = (project: string): string => `${appDir(project)}/files.json`;
/** The app's data services run once, in this project, updated in place. */
export const dataProject = (app: string): string => `${app}-data`;
/** The app's writable bind-mounted directories: kept across deploys and rollbacks, never overwritten. */
export const appDataDir = (app: string): string => `${NODE_ROOT}/data/${validateProjectName(app, 'app')}`;

/** Name compose gives a service's container (`<project>-<service>-<n>`); reachable by that name on `edge`. */
export const composeContainerName = (project: string, service: string, index = 1): string => `${project}-${service}-${index}`;
