/**
 * The agent's listener (`listener "tcp"|"unix" {}`, spec §2.9): the agent API (`POST /agent/v1/quit`,
 * `GET /agent/v1/metrics`) and an API proxy that streams every other request to Vault, adding the auto-auth
 * token as `use_auto_auth_token` asks.
 */
import { lstat, readFile, rm } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../../cli/log.js';
import type { ListenerSpec, UseAutoAuthToken } from '../config/load-types.js';
import type { AgentMetrics } from '../metrics.js';
import { forwardableHeaders, headerValue, route, upstreamToken } from './routes.js';

export interface UpstreamTls {
  /** PEM text of the CA bundle to trust (contents, not a path). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly servername?: string;
  /** false only for tls_skip_verify. */
  readonly rejectUnauthorized?: boolean;
}

export interface AgentProxyOptions {
  /** Vault's address, e.g. https://vault.vault.svc:8200 (a path prefix is kept). */
  readonly vaultAddress: string;
  readonly tls?: UpstreamTls;
  readonly useAutoAuthToken: UseAutoAuthToken;
  /** The current auto-auth token, if the agent has one. */
  getToken(): string | undefined;
  /** disable_keep_alives contains "proxying". */
  readonly disableKeepAlives?: boolean;
  /** Upstream response-header timeout (VAULT_CLIENT_TIMEOUT); default 60 s. */
  readonly timeoutMs?: number;
}

export interface StartAgentListenerOptions {
  readonly listener: ListenerSpec;
  readonly proxy: AgentProxyOptions;
  /** Usually `listener.agentApi.enableQuit`. */
  readonly enableQuit: boolean;
  /** Called once the 200 answer to `POST /agent/v1/quit` has been sent. */
  onQuit(): void;
  /** Prometheus text for `GET /agent/v1/metrics`; without it that path answers 404. */
  metricsText?(): Promise<string>;
  /** Proxy outcome counters. */
  readonly metrics?: AgentMetrics;
  readonly log?: Logger;
}

export interface AgentListener {
  /** `host:port` as bound (the real port when 0 was asked for), or the unix socket path. */
  readonly address: string;
  close(): Promise<void>;
}

export class AgentListenerError extends Error {
  constructor(
    message: string,
    readonly address: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AgentListenerError';
  }
}

const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export async function startAgentListener(opts: StartAgentListenerOptions): Promise<AgentListener> {
  const spec = opts.listener;
  const upstream = new URL(opts.proxy.vaultAddress);
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') {
    throw new AgentListenerError(`vault address must be http(s), got ${upstream.protocol}`, spec.address);
  }
  const isHttps = upstream.protocol === 'https:';
  const keepAlive = !opts.proxy.disableKeepAlives;
  const agent = isHttps ? new HttpsAgent({ keepAlive, ...(opts.proxy.tls as object) }) : new HttpAgent({ keepAlive });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      opts.log?.error('listener request failed', { error: (error as Error).message });
      if (!res.headersSent) sendStatus(res, 500, ['internal error']);
      else res.destroy();
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const decision = route(req.method ?? 'GET', req.url ?? '/', req.headers, {
      enableQuit: opts.enableQuit,
      metricsOnly: spec.role === 'metrics_only',
      requireRequestHeader: spec.requireRequestHeader,
      hasMetrics: opts.metricsText !== undefined,
    });
    switch (decision.kind) {
      case 'status':
        req.resume();
        return sendStatus(res, decision.status, decision.errors);
      case 'quit':
        req.resume();
        res.writeHead(200, { 'content-length': '0' });
        res.end(() => opts.onQuit());
        return;
      case 'metrics': {
        req.resume();
        const body = await (opts.metricsText as () => Promise<string>)();
        res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      case 'proxy':
        return proxy(req, res);
    }
  };

  const proxy = (req: IncomingMessage, res: ServerResponse): Promise<void> =>
    new Promise((resolve) => {
      const headers = forwardableHeaders(req.headers);
      const token = upstreamTokenFor(headerValue(req.headers, 'x-vault-token'));
      if (token === undefined) delete headers['x-vault-token'];
      else headers['x-vault-token'] = token;
      const basePath = upstream.pathname.replace(/\/+$/, '');
      const send = isHttps ? httpsRequest : httpRequest;
      const out = send(
        {
          protocol: upstream.protocol,
          hostname: upstream.hostname.replace(/^\[|\]$/g, ''),
          port: upstream.port || (isHttps ? 443 : 80),
          method: req.method,
          path: `${basePath}${req.url ?? '/'}`,
          headers: { ...headers, host: upstream.host },
          agent,
          timeout: opts.proxy.timeoutMs ?? 60_000,
        },
        (upstreamRes) => {
          opts.metrics?.proxyResponse(upstreamRes.statusCode ?? 502);
          res.writeHead(upstreamRes.statusCode ?? 502, forwardableHeaders(upstreamRes.headers));
          upstreamRes.pipe(res);
          upstreamRes.on('end', resolve);
          upstreamRes.on('error', () => {
            res.destroy();
            resolve();
          });
        },
      );
      out.on('timeout', () =>
        out.destroy(new Error(`no response from Vault within ${opts.proxy.timeoutMs ?? 60_000} ms`)),
      );
      out.on('error', (error) => {
        opts.metrics?.proxyFailure();
        opts.log?.warn('proxy request to Vault failed', { method: req.method, error: error.message });
        if (!res.headersSent) sendStatus(res, 502, [`error proxying request to Vault: ${error.message}`]);
        else res.destroy();
        resolve();
      });
      // A client that goes away takes its upstream request with it.
      res.on('close', () => {
        if (!res.writableFinished) out.destroy();
        resolve();
      });
      req.pipe(out);
    });

  const upstreamTokenFor = (clientToken: string | undefined) => {
    const mode = opts.proxy.useAutoAuthToken;
    return upstreamToken(clientToken, mode, mode === false ? undefined : opts.proxy.getToken());
  };

  let server: Server;
  if (spec.tlsDisable) {
    server = createHttpServer(handler);
  } else {
    const [cert, key] = await Promise.all([
      readFile(spec.tlsCertFile as string),
      readFile(spec.tlsKeyFile as string),
    ]).catch((error: Error) => {
      throw new AgentListenerError(`cannot read listener TLS files: ${error.message}`, spec.address, { cause: error });
    });
    server = createHttpsServer({ cert, key }, handler);
  }

  if (spec.type === 'unix') await removeStaleSocket(spec.address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new AgentListenerError(`cannot listen on ${spec.address}: ${error.message}`, spec.address, { cause: error }),
      ),
    );
    if (spec.type === 'unix') server.listen(spec.address, resolve);
    else {
      const { host, port } = splitHostPort(spec.address);
      server.listen(port, host, resolve);
    }
  });

  const bound = server.address();
  const address =
    typeof bound === 'string' || bound === null
      ? spec.address
      : `${(bound as AddressInfo).family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  return {
    address,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
      if (spec.type === 'unix') await rm(spec.address, { force: true });
    },
  };
}

/** A socket left by a previous run is removed; any other file at that path is an error, never deleted. */
async function removeStaleSocket(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) return;
  if (!info.isSocket()) {
    throw new AgentListenerError(`cannot listen on ${path}: the path exists and is not a socket`, path);
  }
  await rm(path, { force: true });
}

function sendStatus(res: ServerResponse, status: number, errors?: readonly string[]): void {
  if (!errors) {
    res.writeHead(status, { 'content-length': '0' });
    res.end();
    return;
  }
  const body = JSON.stringify({ errors });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** `127.0.0.1:8200`, `[::1]:8200`, `:8200` (all interfaces). */
export function splitHostPort(address: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):([0-9]{1,5})$/.exec(address);
  const port = Number(m?.[3]);
  if (!m || port > 65535) {
    throw new AgentListenerError(`listener address ${JSON.stringify(address)} is not host:port`, address);
  }
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}
