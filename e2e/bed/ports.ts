import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// Ports the OS hands out for bind(0) come from the ephemeral range, which outgoing connections use too: between
// our check and the server's own bind, a client socket could take the port ("address already in use"). So we pick
// below that range, at random, and never give the same port twice in one process.
const given = new Set<number>();

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const address = server.address();
      server.close(() => resolve(address !== null && typeof address === 'object' ? address.port : undefined));
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago, outside the range the OS uses for client sockets. */
export async function freePort(): Promise<number> {
  const low = 10_000;
  const high = ephemeralLow() - 1;
  for (let attempt = 0; attempt < 100; attempt++) {
    const candidate = low + Math.floor(Math.random() * (high - low + 1));
    if (given.has(candidate)) continue;
    const port = await tryListen(candidate);
    if (port !== undefined) {
      given.add(port);
      return port;
    }
  }
  const port = await tryListen(0);
  if (port === undefined) throw new Error('could not find a free port on 127.0.0.1');
  given.add(port);
  return port;
}
