import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../../cli/log.js';
import type { InjectorConfig } from './config-types.js';
import { denyMessage } from './core/errors.js';
import { decodeReview, ReviewDecodeError, reviewPod } from './core/review.js';
import { WebhookMetrics } from './metrics.js';

/**
 * The API server sends at most 3 MiB objects (etcd's limit) wrapped in an AdmissionReview; 7 MiB
 * leaves room and still bounds what one request can make us hold in memory.
 */
export const MAX_BODY_BYTES = 7 * 1024 * 1024;

export interface WebhookDeps {
  readonly cfg: InjectorConfig;
  readonly log: Logger;
  readonly metrics: WebhookMetrics;
  readonly clock?: () => number;
}

function plain(res: Response, status: number, text: string): void {
  res.status(status).type('text/plain; charset=utf-8').send(`${text}\n`);
}

function reply(res: ServerResponse, status: number, contentType: string, body: string, close = false): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

const replyText = (res: ServerResponse, status: number, text: string, close = false) =>
  reply(res, status, 'text/plain; charset=utf-8', `${text}\n`, close);

/** A request listener for the https/http server, with `listen` for tests. */
export type WebhookApp = ((req: IncomingMessage, res: ServerResponse) => void) & {
  listen(port: number, host: string): Server;
};

/** One AdmissionReview body -> the answer, with the log line and metrics (spec §3.1). */
function answerReview(deps: WebhookDeps, raw: Buffer): { status: number; contentType: string; body: string } {
  const { cfg, log, metrics } = deps;
  const clock = deps.clock ?? (() => performance.now());
  const text = (status: number, message: string) => ({
    status,
    contentType: 'text/plain; charset=utf-8',
    body: `${message}\n`,
  });
  if (raw.length === 0) return text(400, 'Empty request body');
  let decoded: ReturnType<typeof decodeReview>;
  try {
    decoded = decodeReview(raw.toString('utf8'));
  } catch (err) {
    if (err instanceof ReviewDecodeError) return text(400, err.message);
    throw err;
  }
  const started = clock();
  const outcome = reviewPod(decoded, cfg);
  const { result, namespace, podName } = outcome;
  const fields = { namespace, pod: podName, uid: outcome.review.response.uid };
  const ms = Number((clock() - started).toFixed(2));
  switch (result.kind) {
    case 'skip':
      log.info('admission', { ...fields, decision: 'skipped', duration_ms: ms });
      break;
    case 'deny':
      metrics.failures.inc({ namespace });
      log.warn('admission', { ...fields, decision: 'denied', reason: denyMessage(result.error), duration_ms: ms });
      break;
    case 'inject': {
      const type = WebhookMetrics.injectionType(result.placement);
      if (type) metrics.injections.inc({ namespace, injection_type: type });
      log.info('admission', {
        ...fields,
        decision: 'injected',
        init: result.placement.init,
        sidecar: result.placement.sidecar,
        native_sidecar: result.placement.native,
        secrets: result.spec.secrets.length,
        duration_ms: ms,
      });
      break;
    }
  }
  return { status: 200, contentType: 'application/json', body: JSON.stringify(outcome.review) };
}

/**
 * `/mutate` on plain node:http, not Express: it is the only hot path, and Express's per-request setup cost
 * about a tenth of the webhook's throughput. Same answers as before: 400 for a wrong content type or an empty or
 * undecodable body, 413 over the cap, 500 (logged, counted) for our own bugs.
 */
function mutateHandler(deps: WebhookDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { log, metrics } = deps;
  const clock = deps.clock ?? (() => performance.now());
  return (req, res) => {
    metrics.queueLength.inc();
    const started = clock();
    let counted = false;
    const done = () => {
      if (counted) return;
      counted = true;
      metrics.queueLength.dec();
      metrics.duration.observe(clock() - started);
    };
    res.once('finish', done);
    res.once('close', done);
    const ct = req.headers['content-type'] ?? '';
    // vault-k8s accepts exactly application/json; a charset parameter of utf-8 is harmless, so we take it too.
    if (!/^application\/json(\s*;\s*charset=utf-8)?$/i.test(ct)) {
      req.resume();
      replyText(res, 400, `Invalid content-type: ${JSON.stringify(ct)} (expected "application/json")`);
      return;
    }
    const tooLarge = () => {
      req.resume(); // discard the rest; the connection closes after the answer
      replyText(res, 413, `request body too large: the limit is ${MAX_BODY_BYTES} bytes`, true);
    };
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > MAX_BODY_BYTES) {
      tooLarge();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        over = true;
        chunks.length = 0;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (over || res.headersSent) return;
      try {
        const answer = answerReview(deps, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
        reply(res, answer.status, answer.contentType, answer.body);
      } catch (err) {
        log.error('internal error handling request', { path: '/mutate', error: (err as Error).stack ?? String(err) });
        metrics.failures.inc({ namespace: 'unknown' });
        replyText(res, 500, 'internal error');
      }
    });
  };
}

/** The HTTP shell around `reviewPod`: content type, size, decoding, logging and metrics; no listening. */
export function buildWebhookApp(deps: WebhookDeps): WebhookApp {
  const { cfg, log, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  app.all('/health/ready', (_req, res) => {
    res.status(204).end();
  });

  if (cfg.telemetryPath !== '') {
    app.get(cfg.telemetryPath, async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }

  app.use((_req, res) => plain(res, 404, '404 page not found'));
  // Errors from body parsing (too large, aborted) and our own bugs; never a crash, never a hang.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') {
      plain(res, 413, `request body too large: the limit is ${MAX_BODY_BYTES} bytes`);
      return;
    }
    if (status >= 400 && status < 500) {
      plain(res, status, `bad request: ${(err as Error).message}`);
      return;
    }
    log.error('internal error handling request', { path: req.path, error: (err as Error).stack ?? String(err) });
    plain(res, 500, 'internal error');
  });
  const mutate = mutateHandler(deps);
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (url === '/mutate' || url.startsWith('/mutate?')) mutate(req, res);
    else app(req, res);
  };
  return Object.assign(handle, { listen: (port: number, host: string) => createServer(handle).listen(port, host) });
}
