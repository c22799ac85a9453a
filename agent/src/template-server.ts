// Vault Agent's template server (spec §2.7): one template runner per auto-auth token. A new token replaces the
// runner, so every secret is fetched again with it; a failed runner either ends the agent
// (exit_on_retry_failure) or is restarted after a jittered backoff of 1 s to 5 min.
import type { Logger } from '../../cli/log.js';
import { formatGoDuration } from './go-duration.js';
import { JitterBackoff } from './lease/backoff.js';
import type { RetryConfig } from './runner/fetcher.js';
import type { RunnerVaultPort } from './runner/port.js';
import { type LeasedSecret, type RunnerTemplate, TemplateRunner } from './runner/runner.js';

export interface TemplateServerOptions {
  readonly templates: readonly RunnerTemplate[];
  /** A Vault port bound to the given token. */
  readonly portFor: (token: string) => RunnerVaultPort;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The agent's logger (name `agent`): the server logs as `agent.template.server`, runners as `agent`. */
  readonly log: Logger;
  readonly staticIntervalMs: number;
  readonly leaseRenewalThreshold: number;
  readonly retry: RetryConfig;
  readonly exitOnRetryFailure: boolean;
  /** exit_after_auth: render once; a later token does not restart anything. */
  readonly once: boolean;
  /** The first time every template is on disk (init exits; native-sidecar readiness). */
  readonly onAllRendered: () => void;
  /** A runner failed and exit_on_retry_failure is set: the agent must exit non-zero. */
  readonly onFatal: (err: Error) => void;
  /** Vault said the token is invalid: ask auto-auth for a new one. */
  readonly onInvalidToken: () => void;
  readonly onRendered?: (destination: string, changed: boolean) => void;
  readonly random?: () => number;
  /** Taken over from vault-agent-init: its token, and the leased secrets its runner held (for that token only). */
  readonly restored?: { readonly token: string; readonly secrets: ReadonlyArray<LeasedSecret> };
}

export class TemplateServer {
  private readonly log: Logger;
  private runner: TemplateRunner | undefined;
  private token: string | undefined;
  private allRendered = false;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly restartBackoff: JitterBackoff;

  constructor(private readonly opts: TemplateServerOptions) {
    this.log = opts.log.named('template.server');
    this.restartBackoff = new JitterBackoff({
      minMs: 1000,
      maxMs: 300_000,
      maxRetries: Number.POSITIVE_INFINITY,
      random: opts.random,
    });
    if (opts.templates.length === 0) this.log.info('no templates found');
    else this.log.info('starting template server');
  }

  get hasTemplates(): boolean {
    return this.opts.templates.length > 0;
  }

  /** Auto-auth delivered a token. */
  onToken(token: string): void {
    if (this.stopped || !this.hasTemplates) return;
    if (this.opts.once && this.token !== undefined) return;
    this.log.info('template server received new token');
    this.token = token;
    this.restartBackoff.reset();
    this.startRunner();
  }

  /** The current runner's renewable leased secrets (see TemplateRunner.leasedSecrets). */
  leasedSecrets(): LeasedSecret[] {
    return this.runner?.leasedSecrets() ?? [];
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.runner?.stop();
    this.runner = undefined;
    if (this.hasTemplates) this.log.info('template server stopped');
  }

  private startRunner(): void {
    clearTimeout(this.restartTimer);
    this.runner?.stop();
    const token = this.token;
    if (this.stopped || token === undefined) return;
    const runner = new TemplateRunner({
      templates: this.opts.templates,
      vault: this.opts.portFor(token),
      env: this.opts.env,
      logger: this.opts.log,
      staticIntervalMs: this.opts.staticIntervalMs,
      leaseRenewalThreshold: this.opts.leaseRenewalThreshold,
      retry: this.opts.retry,
      once: this.opts.once,
      onRendered: (dest) => this.opts.onRendered?.(dest, true),
      onAllRendered: () => {
        if (this.allRendered) return;
        this.allRendered = true;
        this.opts.onAllRendered();
      },
      onError: (err) => this.runnerFailed(runner, err),
      onInvalidToken: () => {
        this.log.info('template server: received invalid token error');
        this.opts.onInvalidToken();
      },
      random: this.opts.random,
      // The handed-over leases belong to the handed-over token; a runner for any other token fetches anew.
      restored:
        this.opts.restored?.token === token
          ? new Map(this.opts.restored.secrets.map((s) => [s.key, s.secret]))
          : undefined,
    });
    this.runner = runner;
    runner.start();
  }

  private runnerFailed(runner: TemplateRunner, err: Error): void {
    if (this.stopped || runner !== this.runner) return;
    this.log.error('template server error', { error: err.message });
    if (this.opts.exitOnRetryFailure) {
      this.opts.onFatal(err);
      return;
    }
    const wait = this.restartBackoff.next() ?? 300_000;
    this.log.info(`template server restart: retry attempt after ${formatGoDuration(wait)}`);
    this.restartTimer = setTimeout(() => this.startRunner(), wait);
  }
}
