import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Placement } from './core/placement.js';

/** The four vault-k8s injector metrics (spec §6), on a registry of their own (no globals). */
export class WebhookMetrics {
  readonly registry = new Registry();
  readonly queueLength = new Gauge({
    name: 'vault_agent_injector_request_queue_length',
    help: 'Count of webhook requests in the injector queue',
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'vault_agent_injector_request_processing_duration_ms',
    help: 'Histogram of webhook request processing times in milliseconds',
    buckets: [5, 10, 25, 50, 75, 100, 250, 500, 1000, 2500, 5000, 7500, 10000],
    registers: [this.registry],
  });
  readonly injections = new Counter({
    name: 'vault_agent_injector_injections_by_namespace_total',
    help: 'Total count of Agent Sidecar injections by namespace',
    labelNames: ['namespace', 'injection_type'],
    registers: [this.registry],
  });
  readonly failures = new Counter({
    name: 'vault_agent_injector_failed_injections_by_namespace_total',
    help: 'Total count of failed Agent Sidecar injections by namespace',
    labelNames: ['namespace'],
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** vault-k8s's label choice: only when at least one agent was injected. */
  static injectionType(
    p: Pick<Placement, 'init' | 'sidecar'>,
  ): 'init_and_sidecar' | 'init_only' | 'sidecar_only' | undefined {
    if (p.init && p.sidecar) return 'init_and_sidecar';
    if (p.init) return 'init_only';
    if (p.sidecar) return 'sidecar_only';
    return undefined;
  }
}
