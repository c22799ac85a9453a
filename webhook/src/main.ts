import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../cli/log.js';
import { InjectorConfigError, loadInjectorConfig } from './config.js';
import { KubeApi } from './kube.js';
import { WebhookMetrics } from './metrics.js';
import { buildWebhookApp } from './server.js';
import { startTls } from './tls.js';

export interface ProcessIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** `:8080` -> all interfaces (as Go), `127.0.0.1:0` -> a free loopback port. */
export function parseListen(listen: string): { host: string | undefined; port: number } {
  const i = listen.lastIndexOf(':');
  const host = i <= 0 ? undefined : listen.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid listen address ${JSON.stringify(listen)}: expected host:port or :port`);
  return { host, port };
}

export interface RunningWebhook {
  readonly server: Server;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts the webhook (TLS, routes) and returns once it listens. */
export async function startWebhook(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: ProcessIO,
): Promise<RunningWebhook> {
  const cfg = loadInjectorConfig(argv, env);
  const log = createLogger({ name: 'handler', level: cfg.logLevel, format: cfg.logFormat, write: io.err });
  let kube: KubeApi | undefined;
  const tls = await startTls(cfg, log.named('auto-tls'), () => {
    kube ??= KubeApi.fromEnvironment();
    return kube;
  });
  const metrics = new WebhookMetrics();
  const app = buildWebhookApp({ cfg, log, metrics });
  const server = createServer({ ...tls.initial }, app);
  server.keepAliveTimeout = 65_000;
  tls.onChange((c) => server.setSecureContext(c));
  const { host, port } = parseListen(cfg.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  if (cfg.telemetryPath) log.info('registering telemetry path', { path: cfg.telemetryPath });
  log.info('listening', { address: `${host ?? ''}:${bound}`, tls: cfg.tlsCertFile ? 'files' : 'auto' });
  return {
    server,
    port: bound,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await tls.close();
    },
  };
}

/** `vault-injector webhook`: runs until SIGTERM or SIGINT, then drains and exits 0. */
export async function runWebhook(argv: readonly string[], env: NodeJS.ProcessEnv, io: ProcessIO): Promise<number> {
  let running: RunningWebhook;
  try {
    running = await startWebhook(argv, env, io);
  } catch (err) {
    io.err(`Error: ${err instanceof InjectorConfigError || err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  io.err('shutting down\n');
  await running.stop();
  return 0;
}
