/** Reads an SSH server's identification line ("SSH-2.0-OpenSSH_9.2p1 ..."), or null when none comes in time. */
import { connect } from 'node:net';

export function readSshBanner(host: string, port = 22, timeoutMs = 1000): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = '';
    const done = (banner: string | null) => {
      socket.destroy();
      resolve(banner);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.on('error', () => done(null));
    socket.on('close', () => done(null));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const line = data.split('\n').find((l) => l.startsWith('SSH-'));
      if (line !== undefined) done(line.trim());
      else if (data.length > 4096) done(null);
    });
  });
}
