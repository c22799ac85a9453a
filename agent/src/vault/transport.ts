// HTTP(S) to Vault on Node's own http/https modules: keep-alive pools, a per-host connection cap, TLS settings and
// HTTP CONNECT proxies. (undici did this before; loading it cost about a quarter of the agent's start-up, and every
// pod's first render waits for that.) node:https and node:tls load only for an https address or a TLS tunnel.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { nodeHttps, nodeTls } from '../builtins.js';
import type { TlsConnectOptions } from './tls.js';

export interface TransportOptions {
  readonly tls: TlsConnectOptions;
  readonly keepAlive: boolean;
  /** At most this many sockets per host (0 or undefined: no cap). */
  readonly maxConnsPerHost?: number;
  readonly proxyAddress?: string;
}

export interface TransportResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

type Agent = HttpAgent | HttpsAgent;

type ConnectCallback = (err: Error | null, socket: Duplex) => void;

/**
 * Opens a CONNECT tunnel through an HTTP proxy to host:port and hands the socket (TLS-wrapped for https) to the
 * agent's callback; Node's agents accept a createConnection that answers through the callback.
 */
function tunnel(
  proxy: URL,
  options: ConnectionOptions & { host?: string | null; port?: number | string | null },
  tls: boolean,
  callback: ConnectCallback,
): void {
  const target = `${options.host}:${options.port}`;
  const connectReq = httpRequest({
    host: proxy.hostname,
    port: proxy.port || 80,
    method: 'CONNECT',
    path: target,
    headers: { host: target },
  });
  connectReq.once('connect', (res, socket) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      callback(new Error(`proxy ${proxy.host} refused CONNECT ${target}: HTTP ${res.statusCode}`), socket);
      return;
    }
    if (!tls) {
      callback(null, socket);
      return;
    }
    const host = options.host ?? undefined;
    const name = options.servername ?? (host && isIP(host) === 0 ? host : undefined);
    // `host` stays: with a ready socket it is only what the certificate is checked against.
    const { port: _port, ...rest } = options;
    callback(null, nodeTls().connect({ ...rest, host, socket, ...(name ? { servername: name } : {}) }));
  });
  connectReq.once('error', (err) => callback(err, undefined as unknown as Duplex));
  connectReq.end();
}

export class Transport {
  private readonly agent: Agent;

  constructor(base: URL, options: TransportOptions) {
    const cap =
      options.maxConnsPerHost !== undefined && options.maxConnsPerHost > 0 ? options.maxConnsPerHost : undefined;
    const common = { keepAlive: options.keepAlive, ...(cap ? { maxSockets: cap } : {}) };
    const https = base.protocol === 'https:';
    const proxy = options.proxyAddress !== undefined ? new URL(options.proxyAddress) : undefined;
    this.agent = https ? new (nodeHttps().Agent)({ ...common, ...options.tls }) : new HttpAgent(common);
    if (proxy) {
      // Both schemes go through a CONNECT tunnel, so the proxy sees the same traffic either way.
      const agent = this.agent as unknown as {
        createConnection: (o: ConnectionOptions & { host?: string; port?: number }, cb: ConnectCallback) => undefined;
      };
      agent.createConnection = (o, cb) => {
        tunnel(proxy, { ...options.tls, ...o }, https, cb);
        return undefined;
      };
    }
  }

  send(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
    signal: AbortSignal | undefined,
  ): Promise<TransportResponse> {
    const send = url.protocol === 'https:' ? nodeHttps().request : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send({
        agent: this.agent,
        method,
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (url.protocol === 'https:' ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
        ...(signal ? { signal } : {}),
      });
      req.once('error', reject);
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('error', reject);
        res.once('aborted', () =>
          reject(Object.assign(new Error('the connection closed mid-answer'), { code: 'ECONNRESET' })),
        );
        res.once('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      req.end(body);
    });
  }

  /** Closes idle sockets now; busy ones close when their answer is read. */
  close(): void {
    this.agent.destroy();
  }
}
