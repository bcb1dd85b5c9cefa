/**
 * SSH sessions opened while a command takes its lock and makes its plan, so the handshake (a tenth of a second
 * and more on a busy node) overlaps that work instead of following it. Only nodes whose host key state already
 * pins are opened ahead (first contact pins under the lock); the command's connect to the same node, address and
 * key takes the session, and whatever was not taken is closed at the end. A session that failed to open fails
 * the connect that takes it, with the error a fresh connect would give.
 */
import type { NodeAddress, NodeSession } from '../lib/ports.js';

const keyOf = (node: NodeAddress) => `${node.name} ${node.ip} ${node.sshHostKey ?? ''}`;

export class SessionsAhead {
  private readonly opened = new Map<string, Promise<NodeSession>>();

  constructor(open: (node: NodeAddress) => Promise<NodeSession>, nodes: readonly NodeAddress[]) {
    for (const node of nodes) {
      if (!node.sshHostKey || this.opened.has(keyOf(node))) continue;
      const session = open(node);
      session.catch(() => undefined); // reported by the connect that takes it, if any
      this.opened.set(keyOf(node), session);
    }
  }

  /** The session opened for exactly this node, once. */
  take(node: NodeAddress): Promise<NodeSession> | undefined {
    const session = this.opened.get(keyOf(node));
    this.opened.delete(keyOf(node));
    return session;
  }

  /** Closes the sessions nobody took. */
  async close(): Promise<void> {
    const left = [...this.opened.values()];
    this.opened.clear();
    await Promise.all(
      left.map((session) =>
        session.then(
          (s) => s.close(),
          () => undefined,
        ),
      ),
    );
  }
}
