import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { Client, type ClientChannel, type ServerHostKeyAlgorithm, type SFTPWrapper } from 'ssh2';
import { ConfigError, RemoteError, TimeoutError } from '../errors.js';
import { formatHostKey, hostKeyFingerprint, negotiationAlgorithms, sameHostKey } from './host-key.js';
import { shellQuote, type Argv } from './quote.js';
import { commandFailed, type ExecOptions, type ExecResult, type Remote } from './remote.js';

export interface SshConnectOptions {
  host: string;
  port?: number;
  username?: string;
  privateKeyPath: string;
  /** `<algorithm> <base64>`; when set, any other key is refused. */
  pinnedHostKey?: string;
  /** Called with the accepted host key (to pin it on first contact). */
  onHostKey?(key: string): void;
  /** Node name, for the message when the host key changed. */
  nodeName?: string;
  readyTimeoutMs?: number;
}

/** How the user re-trusts a rebuilt node; shown when its host key no longer matches. */
const trustCommand = (node: string): string => `dynia node:trust --name ${node}`;

/** SFTP status code for a missing file. */
const NO_SUCH_FILE = 2;

/**
 * One SSH connection reused for a whole CLI command. Commands are argv arrays, quoted here and only here.
 */
export class SshSession implements Remote {
  /** `commands` counts exec and upload calls. */
  readonly stats = { connections: 1, commands: 0 };
  private sftpChannel?: Promise<SFTPWrapper>;
  private lost?: Error;
  /** Directories this session already created: one `mkdir -p` per directory, not per upload. */
  private readonly madeDirs = new Set<string>();

  private constructor(
    private readonly client: Client,
    readonly host: string,
    /** The key the server presented, `<algorithm> <base64>`. */
    readonly hostKey: string,
  ) {
    client.on('error', (error) => (this.lost = error));
    client.on('close', () => (this.lost ??= new Error('connection closed')));
  }

  static async connect(options: SshConnectOptions): Promise<SshSession> {
    const { host, port = 22, username = 'root', pinnedHostKey } = options;
    let privateKey: Buffer;
    try {
      privateKey = readFileSync(options.privateKeyPath);
    } catch (error) {
      throw ConfigError(
        `cannot read the SSH private key ${options.privateKeyPath}: ${(error as Error).message}`,
        'Point the SSH key setting at an existing, unencrypted private key.',
      );
    }
    const client = new Client();
    let offered: string | undefined;
    const algorithms = pinnedHostKey && (negotiationAlgorithms(pinnedHostKey) as ServerHostKeyAlgorithm[]);
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('ready', () => resolve());
        client.once('error', reject);
        client.connect({
          host,
          port,
          username,
          privateKey,
          readyTimeout: options.readyTimeoutMs ?? 20_000,
          keepaliveInterval: 10_000,
          ...(algorithms ? { algorithms: { serverHostKey: { remove: algorithms, prepend: algorithms, append: [] } } } : {}),
          hostVerifier: (blob: Buffer) => {
            offered = formatHostKey(blob);
            return pinnedHostKey === undefined || sameHostKey(pinnedHostKey, offered);
          },
        });
        // Each command is a few small packets each way: with Nagle's algorithm every one after the first waited ~40 ms
        // for the server's delayed ACK.
        client.setNoDelay(true);
      });
    } catch (error) {
      client.end();
      throw connectError(options, port, username, pinnedHostKey, offered, error as Error & { level?: string; code?: string });
    }
    options.onHostKey?.(offered!);
    return new SshSession(client, host, offered!);
  }

  async exec(argv: Argv, options: ExecOptions = {}): Promise<ExecResult> {
    this.count();
    return this.run(argv, options);
  }

  /**
   * Runs a command and hands over its output as it arrives (e.g. `logs --follow`); resolves with the exit
   * code. stdin stays open until `signal` aborts: then EOF is sent (a command may watch for it to end), and
   * the channel is closed if the command has not ended a moment later.
   */
  async stream(argv: Argv, sinks: { stdout(chunk: Buffer): void; stderr(chunk: Buffer): void }, signal?: AbortSignal): Promise<number> {
    this.count();
    this.assertOpen();
    const command = shellQuote(argv);
    return new Promise<number>((resolve, reject) => {
      this.client.exec(command, (error: Error | undefined, channel: ClientChannel) => {
        if (error) return reject(RemoteError(`on ${this.host}: cannot start \`${command}\`: ${error.message}`, undefined, error));
        const stop = () => {
          channel.end();
          setTimeout(() => channel.close(), 2000).unref();
        };
        channel.on('data', (chunk: Buffer) => sinks.stdout(chunk));
        channel.stderr.on('data', (chunk: Buffer) => sinks.stderr(chunk));
        channel.on('close', (code: number | null | undefined) => {
          signal?.removeEventListener('abort', stop);
          resolve(code ?? 255);
        });
        if (signal?.aborted) stop();
        else signal?.addEventListener('abort', stop, { once: true });
      });
    });
  }

  /** A raw channel for an interactive command (app:exec): with a pseudo-terminal when `pty` is given. */
  async channel(argv: Argv, pty?: { term: string; cols: number; rows: number }): Promise<ClientChannel> {
    this.count();
    this.assertOpen();
    const command = shellQuote(argv);
    return new Promise<ClientChannel>((resolve, reject) =>
      this.client.exec(command, pty ? { pty } : {}, (error: Error | undefined, channel: ClientChannel) =>
        error ? reject(RemoteError(`on ${this.host}: cannot start \`${command}\`: ${error.message}`, undefined, error)) : resolve(channel),
      ),
    );
  }

  async upload(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
    this.count();
    const dir = posix.dirname(path);
    if (!this.madeDirs.has(dir)) {
      await this.run(['mkdir', '-p', dir], {});
      this.madeDirs.add(dir);
    }
    const sftp = await this.sftp();
    const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await sftpCall<void>((done) => sftp.writeFile(temp, content, { mode }, done));
      await sftpCall<void>((done) => sftp.chmod(temp, mode, done)); // the open mode is subject to the server's umask
      await sftpCall<void>((done) => sftp.ext_openssh_rename(temp, path, done)); // POSIX rename: replaces atomically
    } catch (error) {
      sftp.unlink(temp, () => undefined);
      throw RemoteError(`on ${this.host}: cannot write ${path}: ${(error as Error).message}`, undefined, error);
    }
  }

  async readFile(path: string): Promise<string | null> {
    const sftp = await this.sftp();
    try {
      const data = await sftpCall<Buffer>((done) => sftp.readFile(path, done));
      return data.toString('utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === NO_SUCH_FILE) return null;
      throw RemoteError(`on ${this.host}: cannot read ${path}: ${(error as Error).message}`, undefined, error);
    }
  }

  async close(): Promise<void> {
    if (this.lost) return;
    await new Promise<void>((resolve) => {
      this.client.once('close', () => resolve());
      this.client.end();
    });
  }

  private count(): void {
    this.stats.commands++;
  }

  private assertOpen(): void {
    if (this.lost) {
      throw RemoteError(
        `the SSH connection to ${this.host} was lost: ${this.lost.message}`,
        'Check the node is up and re-run: the command is safe to repeat.',
        this.lost,
      );
    }
  }

  private run(argv: Argv, { stdin, timeoutMs, allowFailure, onStdout }: ExecOptions): Promise<ExecResult> {
    this.assertOpen();
    const command = shellQuote(argv);
    return new Promise<ExecResult>((resolve, reject) => {
      this.client.exec(command, (error: Error | undefined, stream: ClientChannel) => {
        if (error) {
          reject(RemoteError(`on ${this.host}: cannot start \`${command}\`: ${error.message}`, undefined, error));
          return;
        }
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let timedOut = false;
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                // sshd ignores signal requests for commands without a tty; closing the channel is the best we can do.
                timedOut = true;
                stream.close();
                reject(TimeoutError(`on ${this.host}: \`${command}\` did not finish within ${timeoutMs} ms.`));
              }, timeoutMs);
        stream.on('data', (chunk: Buffer) => {
          stdout.push(chunk);
          onStdout?.(chunk);
        });
        stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        stream.on('close', (code: number | null | undefined) => {
          clearTimeout(timer);
          if (timedOut) return;
          // No exit status: killed by a signal or the connection dropped (ssh(1) reports 255 too).
          const result = {
            code: code ?? 255,
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
          };
          if (result.code !== 0 && !allowFailure) reject(commandFailed(this.host, argv, result));
          else resolve(result);
        });
        stream.end(stdin);
      });
    });
  }

  private sftp(): Promise<SFTPWrapper> {
    this.assertOpen();
    this.sftpChannel ??= new Promise<SFTPWrapper>((resolve, reject) =>
      this.client.sftp((error, sftp) =>
        error ? reject(RemoteError(`on ${this.host}: cannot open SFTP: ${error.message}`, undefined, error)) : resolve(sftp),
      ),
    );
    return this.sftpChannel;
  }
}

function sftpCall<T>(start: (done: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value as T))));
}

function connectError(
  options: SshConnectOptions,
  port: number,
  username: string,
  pinned: string | undefined,
  offered: string | undefined,
  error: Error & { level?: string; code?: string },
) {
  const where = `${username}@${options.host}:${port}`;
  if (pinned !== undefined && offered !== undefined && !sameHostKey(pinned, offered)) {
    const node = options.nodeName ?? '<node>';
    return RemoteError(
      `the SSH host key of ${options.nodeName ? `node ${options.nodeName} ` : ''}${options.host} does not match: expected ${hostKeyFingerprint(pinned)}, offered ${hostKeyFingerprint(offered)}. Refusing to connect.`,
      `If the node was rebuilt, trust its new key with \`${trustCommand(node)}\`; otherwise someone may be intercepting the connection.`,
    );
  }
  if (error.level === 'client-authentication') {
    return RemoteError(
      `${where} refused the SSH key ${options.privateKeyPath}.`,
      'Make sure this key is authorized on the node (the droplet was created with its public key).',
      error,
    );
  }
  return RemoteError(`cannot connect to ${where}: ${error.message}`, 'Check that the node is running and reachable on that port.', error);
}
