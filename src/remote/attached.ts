/**
 * Runs a command on a node attached to the local terminal or pipes (app:exec): stdin goes to the command,
 * its output comes back as it arrives, and the command's exit code is returned. With a terminal, the remote
 * side gets a pseudo-terminal of the same size (resized along) and local input is passed through raw.
 */
import type { ClientChannel } from 'ssh2';
import type { Argv } from './quote.js';

export interface AttachedIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export interface ChannelOpener {
  channel(argv: Argv, pty?: { term: string; cols: number; rows: number }): Promise<ClientChannel>;
}

/** Signals end a command with 128 + their number, as a shell reports them. */
const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, TERM: 15 };

export async function runAttached(session: ChannelOpener, argv: Argv, io: AttachedIo, tty: boolean): Promise<number> {
  const size = () => ({ cols: io.stdout.columns || 80, rows: io.stdout.rows || 24 });
  const channel = await session.channel(argv, tty ? { term: process.env.TERM || 'xterm-256color', ...size() } : undefined);
  const onData = (chunk: Buffer) => channel.write(chunk);
  const onEnd = () => channel.end();
  const onResize = () => channel.setWindow(size().rows, size().cols, 0, 0);
  if (tty) io.stdin.setRawMode(true);
  io.stdin.on('data', onData);
  io.stdin.on('end', onEnd);
  io.stdout.on('resize', onResize);
  io.stdin.resume();
  try {
    return await new Promise<number>((resolve) => {
      let exit: number | undefined;
      channel.on('exit', (code: number | null, signal?: string) => {
        exit = typeof code === 'number' ? code : 128 + (SIGNALS[signal ?? ''] ?? 0);
      });
      channel.on('data', (chunk: Buffer) => io.stdout.write(chunk));
      channel.stderr.on('data', (chunk: Buffer) => io.stderr.write(chunk));
      channel.on('close', () => resolve(exit ?? 255));
    });
  } finally {
    io.stdin.off('data', onData);
    io.stdin.off('end', onEnd);
    io.stdout.off('resize', onResize);
    if (tty) io.stdin.setRawMode(false);
    io.stdin.pause();
  }
}
