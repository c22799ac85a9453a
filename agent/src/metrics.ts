/**
 * The agent's own metrics on a private prom-client registry (no globals): Vault Agent's auth metrics
 * (`vault.agent.auth.failure`, `vault.agent.auth.success`, `vault.agent.authenticated`, spec §2.10) and API
 * proxy outcomes in their Prometheus form, plus our template render counters. Served by the listener's
 * `GET /agent/v1/metrics`.
 */
import { Counter, Gauge, Registry } from 'prom-client';

export interface AgentMetricsOptions {
  /** telemetry `metrics_prefix`; Vault's default is "vault". */
  readonly prefix?: string;
}

export class AgentMetrics {
  readonly registry = new Registry();
  private readonly authFailures: Counter;
  private readonly authSuccesses: Counter;
  private readonly authenticated: Gauge;
  private readonly proxySuccess: Counter;
  private readonly proxyClientError: Counter;
  private readonly proxyError: Counter;
  private readonly renders: Counter<'outcome'>;

  constructor(opts: AgentMetricsOptions = {}) {
    const prefix = (opts.prefix ?? 'vault').replace(/[^A-Za-z0-9_]/g, '_');
    const registers = [this.registry];
    this.authFailures = new Counter({
      name: `${prefix}_agent_auth_failure`,
      help: 'Number of failed auto-auth login attempts',
      registers,
    });
    this.authSuccesses = new Counter({
      name: `${prefix}_agent_auth_success`,
      help: 'Number of successful auto-auth logins',
      registers,
    });
    this.authenticated = new Gauge({
      name: `${prefix}_agent_authenticated`,
      help: '1 while the agent holds a valid auto-auth token, else 0',
      registers,
    });
    this.proxySuccess = new Counter({
      name: `${prefix}_agent_proxy_success`,
      help: 'Requests proxied to Vault that got a response',
      registers,
    });
    this.proxyClientError = new Counter({
      name: `${prefix}_agent_proxy_client_error`,
      help: 'Requests proxied to Vault that got a 4xx response',
      registers,
    });
    this.proxyError = new Counter({
      name: `${prefix}_agent_proxy_error`,
      help: 'Requests that could not be proxied to Vault',
      registers,
    });
    this.renders = new Counter({
      name: `${prefix}_agent_template_render`,
      help: 'Template renders by outcome: written (file changed), unchanged, or failed',
      labelNames: ['outcome'],
      registers,
    });
    this.authenticated.set(0);
  }

  /** A login succeeded: counts it and marks the agent authenticated. */
  authSuccess(): void {
    this.authSuccesses.inc();
    this.authenticated.set(1);
  }

  /** A login attempt failed. */
  authFailure(): void {
    this.authFailures.inc();
  }

  /** The token was lost (renewal failed, revoked, invalid): authenticated = 0. */
  authLost(): void {
    this.authenticated.set(0);
  }

  proxyResponse(status: number): void {
    this.proxySuccess.inc();
    if (status >= 400 && status < 500) this.proxyClientError.inc();
  }

  proxyFailure(): void {
    this.proxyError.inc();
  }

  templateRendered(outcome: 'written' | 'unchanged' | 'failed'): void {
    this.renders.inc({ outcome });
  }

  /** Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
