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

/** The HTTP shell around `reviewPod`: content type, size, decoding, logging and metrics; no listening. */
export function buildWebhookApp(deps: WebhookDeps): express.Express {
  const { cfg, log, metrics } = deps;
  const clock = deps.clock ?? (() => performance.now());
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

  const body = express.raw({ type: () => true, limit: MAX_BODY_BYTES });
  app.all('/mutate', (_req, res, next) => {
    metrics.queueLength.inc();
    const started = clock();
    res.on('finish', () => {
      metrics.queueLength.dec();
      metrics.duration.observe(clock() - started);
    });
    next();
  });
  app.all('/mutate', (req, res, next) => {
    const ct = req.headers['content-type'] ?? '';
    // vault-k8s accepts exactly application/json; a charset parameter of utf-8 is harmless, so we take it too.
    if (!/^application\/json(\s*;\s*charset=utf-8)?$/i.test(ct)) {
      plain(res, 400, `Invalid content-type: ${JSON.stringify(ct)} (expected "application/json")`);
      return;
    }
    next();
  });
  app.all('/mutate', body, (req: Request, res: Response) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (raw.length === 0) {
      plain(res, 400, 'Empty request body');
      return;
    }
    let decoded: ReturnType<typeof decodeReview>;
    try {
      decoded = decodeReview(raw.toString('utf8'));
    } catch (err) {
      if (err instanceof ReviewDecodeError) {
        plain(res, 400, err.message);
        return;
      }
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
    res.status(200).type('application/json').send(JSON.stringify(outcome.review));
  });

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
    if (req.path === '/mutate') metrics.failures.inc({ namespace: 'unknown' });
    plain(res, 500, 'internal error');
  });
  return app;
}
