import { createSocket } from 'node:dgram';

/**
 * A tiny authoritative-only DNS server on 127.0.0.1 for tests: answers A queries from `records`
 * (name → addresses; a missing name is NXDOMAIN). Hand-encoded RFC 1035 messages, nothing else.
 */
export async function startDnsResponder(
  records: Map<string, string[]>,
): Promise<{ port: number; queries: string[]; close(): Promise<void> }> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (query, peer) => {
    let offset = 12;
    const labels: string[] = [];
    while (query[offset]! > 0) {
      labels.push(query.subarray(offset + 1, offset + 1 + query[offset]!).toString('ascii'));
      offset += query[offset]! + 1;
    }
    const question = query.subarray(12, offset + 5); // name, its terminating zero, QTYPE, QCLASS
    const name = labels.join('.').toLowerCase();
    const qtype = query.readUInt16BE(offset + 1);
    queries.push(name);
    const addresses = qtype === 1 ? (records.get(name) ?? []) : [];
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2); // ID
    header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | (records.has(name) ? 0 : 3), 2); // QR AA RD, RCODE
    header.writeUInt16BE(1, 4); // QDCOUNT
    header.writeUInt16BE(addresses.length, 6); // ANCOUNT
    const answers = addresses.map((ip) => {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
      rr.writeUInt16BE(1, 2); // TYPE A
      rr.writeUInt16BE(1, 4); // CLASS IN
      rr.writeUInt32BE(60, 6); // TTL
      rr.writeUInt16BE(4, 10); // RDLENGTH
      ip.split('.').forEach((octet, i) => rr.writeUInt8(Number(octet), 12 + i));
      return rr;
    });
    socket.send(Buffer.concat([header, question, ...answers]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, queries, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}
