/**
 * A loopback HTTP proxy in front of Vault that records every request it forwards (time, method,
 * path), so the benchmark can count what each agent sends. Bodies and headers pass through untouched
 * and are never kept: they carry tokens and secrets.
 */

import { once } from 'node:events';
import { Agent, createServer, request, type Server } from 'node:http';

export interface SeenRequest {
  /** Date.now() when the request arrived. */
  readonly atMs: number;
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
}

export interface CountingProxy {
  /** `http://127.0.0.1:<port>`: the address to give the agents. */
  readonly addr: string;
  /** Every request seen so far, in arrival order. */
  readonly seen: readonly SeenRequest[];
  /** Requests that arrived in [fromMs, toMs). */
  between(fromMs: number, toMs: number): SeenRequest[];
  stop(): Promise<void>;
}

export async function startCountingProxy(vaultAddr: string): Promise<CountingProxy> {
  const upstream = new URL(vaultAddr);
  if (upstream.protocol !== 'http:') throw new Error(`the counting proxy forwards plain http only, got ${vaultAddr}`);
  const seen: SeenRequest[] = [];
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 32 });
  const server: Server = createServer((req, res) => {
    seen.push({ atMs: Date.now(), method: req.method ?? 'GET', url: req.url ?? '/' });
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        agent: keepAlive,
        timeout: 60_000,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('timeout', () => out.destroy(new Error('Vault did not answer in 60 s')));
    out.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [`bench proxy: ${err.message}`] }));
    });
    req.pipe(out);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the counting proxy has no port');
  return {
    addr: `http://127.0.0.1:${address.port}`,
    seen,
    between: (fromMs, toMs) => seen.filter((r) => r.atMs >= fromMs && r.atMs < toMs),
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      keepAlive.destroy();
    },
  };
}
