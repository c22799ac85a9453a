// The template runner (spec §2.7, §3.7, §3.8): renders every template from a cache of dependency data, fetches
// what is missing, keeps each dependency fresh on its own schedule, writes files atomically when the bytes change
// and runs the commands of changed templates after each pass. One runner per Vault token.
import { promises as fs } from 'node:fs';
import type { Logger } from '../../../cli/log.js';
import { watchLifetime } from '../lease/lifetime-watcher.js';
import { abortableSleep } from '../sleep.js';
import { type Dependency, dependencyKey, type VaultSecretData } from '../template/dependencies.js';
import type { CompiledTemplate, RenderResult } from '../template/engine.js';
import { commandLabel, runCommand, type TemplateCommand } from './command.js';
import {
  DEFAULT_RETRY,
  DependencyError,
  describeFetchError,
  FetchAborted,
  fetchWithRetry,
  type RetryConfig,
} from './fetcher.js';
import { parsePerms, writeRendered } from './file-writer.js';
import { isDeletedKvV2, KvMounts } from './kv.js';
import { parsePemBundle, pemTextOfIssue, toPemBundle } from './pem.js';
import type { RunnerVaultPort } from './port.js';
import {
  DEFAULT_LEASE_RENEWAL_THRESHOLD,
  DEFAULT_STATIC_INTERVAL_MS,
  isRenewableLease,
  listDelayMs,
  nonRenewableDelayMs,
  pkiRotationDelayMs,
} from './schedule.js';

/** A `template` block after config normalisation. */
export interface RunnerTemplateConfig {
  readonly destination: string;
  /** Octal string ("0600") or a mode number; unset keeps the existing file's mode (0644 for a new file). */
  readonly perms?: string | number;
  readonly command?: TemplateCommand;
  /** Default 30 s. */
  readonly commandTimeoutMs?: number;
  readonly createDestDirs: boolean;
  readonly backup?: boolean;
  /** A template execution error stops the runner (default true in Vault Agent). */
  readonly errorFatal: boolean;
  /** The `source` file, shown in logs; inline `contents` show as "(dynamic)". */
  readonly source?: string;
}

export interface RunnerTemplate {
  readonly compiled: CompiledTemplate;
  readonly config: RunnerTemplateConfig;
}

export interface TemplateRunnerOptions {
  readonly templates: readonly RunnerTemplate[];
  readonly vault: RunnerVaultPort;
  /** The agent's environment: for env/mustEnv in templates and for commands. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  /** static_secret_render_interval; default 5 m. */
  readonly staticIntervalMs?: number;
  /** lease_renewal_threshold; default 0.9. */
  readonly leaseRenewalThreshold?: number;
  /** Default: 12 retries, 250 ms doubling to 1 m. */
  readonly retry?: RetryConfig;
  /** Render each template once and stop (no refreshes). */
  readonly once?: boolean;
  /** A file was written (its bytes changed). */
  readonly onRendered?: (destination: string) => void;
  /** The first time every template has rendered (written or already identical). */
  readonly onAllRendered?: () => void;
  /** The runner failed (retries exhausted, fatal template error, write or command failure) and has stopped. */
  readonly onError?: (err: Error) => void;
  /** Vault said the token is invalid; the agent should authenticate again (called once per runner). */
  readonly onInvalidToken?: () => void;
  readonly now?: () => number;
  readonly random?: () => number;
  /**
   * Leased secrets taken over from vault-agent-init's persistent cache, by dependency key: a template that needs one
   * uses it as fetched and goes on renewing its lease, instead of asking Vault for new credentials.
   */
  readonly restored?: ReadonlyMap<string, VaultSecretData>;
}

/** A renewable leased secret the runner holds, for the persistent cache. */
export interface LeasedSecret {
  readonly key: string;
  readonly secret: VaultSecretData;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
/** How often `file` dependencies are checked for changes. */
export const FILE_POLL_MS = 2_000;

type Next = { readonly kind: 'none' } | { readonly kind: 'delay'; readonly ms: number } | RenewNext;
interface RenewNext {
  readonly kind: 'renew';
  readonly leaseId: string;
  readonly leaseDuration: number;
}

interface Watch {
  readonly dependency: Dependency;
  readonly key: string;
  readonly abort: AbortController;
  hasData: boolean;
  data: unknown;
}

const EMPTY_SECRET: VaultSecretData = Object.freeze({
  request_id: '',
  lease_id: '',
  lease_duration: 0,
  renewable: false,
  data: null,
  warnings: null,
  auth: null,
  wrap_info: null,
});

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class TemplateRunner {
  private readonly templates: readonly RunnerTemplate[];
  private readonly perms: readonly (number | undefined)[];
  private readonly kv: KvMounts;
  private readonly log: Logger;
  private readonly staticIntervalMs: number;
  private readonly threshold: number;
  private readonly retry: RetryConfig;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly watches = new Map<string, Watch>();
  /** Keys each template used in its last render. */
  private readonly templateDeps: Set<string>[];
  private readonly rendered: boolean[];
  private readonly dirty = new Set<number>();
  private passRunning = false;
  private started = false;
  private stopped = false;
  private allRenderedSent = false;
  private invalidTokenSent = false;

  constructor(private readonly options: TemplateRunnerOptions) {
    this.templates = options.templates;
    this.perms = options.templates.map((t) => {
      try {
        return parsePerms(t.config.perms);
      } catch (err) {
        throw new RangeError(`template "${t.config.destination}": ${messageOf(err)}`);
      }
    });
    this.log = options.logger;
    this.kv = new KvMounts(options.vault, options.logger);
    this.staticIntervalMs = options.staticIntervalMs ?? DEFAULT_STATIC_INTERVAL_MS;
    this.threshold = options.leaseRenewalThreshold ?? DEFAULT_LEASE_RENEWAL_THRESHOLD;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    if (!(this.staticIntervalMs > 0)) throw new RangeError('static secret render interval must be positive');
    if (!(this.threshold > 0 && this.threshold < 1)) throw new RangeError('lease renewal threshold must be in (0, 1)');
    this.templateDeps = options.templates.map(() => new Set());
    this.rendered = options.templates.map(() => false);
    this.log.info(`(runner) creating new runner (dry: false, once: ${options.once === true})`);
    this.log.info('(runner) creating watcher');
  }

  /** Starts the first pass; rendering then follows the data. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.log.info('(runner) starting');
    for (let i = 0; i < this.templates.length; i++) this.dirty.add(i);
    if (this.templates.length === 0) this.finishFirstRender();
    this.schedulePass();
  }

  /** Stops every fetch, renewal and timer. Safe to call more than once. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.log.info('(runner) stopping');
    for (const w of this.watches.values()) w.abort.abort();
    this.watches.clear();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private readonly source = {
    get: (dependency: Dependency): unknown => {
      const w = this.watches.get(dependencyKey(dependency));
      return w?.hasData ? w.data : undefined;
    },
  };

  private schedulePass(): void {
    if (this.passRunning || this.stopped) return;
    this.passRunning = true;
    setImmediate(() => {
      this.runPasses()
        .catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))))
        .finally(() => {
          this.passRunning = false;
          if (this.dirty.size > 0 && !this.stopped) this.schedulePass();
        });
    });
  }

  private async runPasses(): Promise<void> {
    while (this.dirty.size > 0 && !this.stopped) {
      const indexes = [...this.dirty].sort((a, b) => a - b);
      this.dirty.clear();
      // Render every dirty template first (CPU only), then write the files concurrently: each write is several
      // filesystem calls, and one after another they made a 50-template first render wait ~350 round trips.
      const outputs: Array<{ i: number; output: string }> = [];
      for (const i of indexes) {
        if (this.stopped) return;
        let output: string | undefined;
        try {
          output = this.renderOne(i);
        } catch (err) {
          // A fatal template error stops the runner; the templates before it are written, as one by one.
          await this.writeAll(outputs).catch(() => undefined);
          throw err;
        }
        if (output !== undefined) outputs.push({ i, output });
      }
      const wrote = await this.writeAll(outputs);
      if (this.stopped) return;
      const changed: number[] = [];
      for (const [n, { i }] of outputs.entries()) {
        this.rendered[i] = true;
        if (!wrote[n]) continue;
        const t = this.templates[i];
        if (t === undefined) continue;
        this.log.info(`(runner) rendered "${t.config.source ?? '(dynamic)'}" => "${t.config.destination}"`);
        this.options.onRendered?.(t.config.destination);
        changed.push(i);
      }
      this.forgetUnused();
      await this.runCommands(changed);
      if (this.stopped) return;
      if (!this.allRenderedSent && this.rendered.every(Boolean)) this.finishFirstRender();
    }
  }

  /** Renders template `i`: the file's new content, or undefined while data is missing (or on a non-fatal error). */
  private renderOne(i: number): string | undefined {
    const t = this.templates[i];
    if (t === undefined) return undefined;
    let result: RenderResult;
    try {
      result = t.compiled.render({
        source: this.source,
        env: (n) => this.options.env[n],
        now: () => new Date(this.now()),
      });
    } catch (err) {
      if (t.config.errorFatal) throw err;
      this.log.error(`(runner) ${messageOf(err)}`);
      return undefined;
    }
    this.templateDeps[i] = new Set(result.dependencies.map(dependencyKey));
    for (const d of result.dependencies) this.ensureWatch(d);
    if (result.output === undefined || result.missing.length > 0) {
      this.log.debug(`(runner) missing data for ${result.missing.length} dependencies`);
      return undefined;
    }
    return result.output;
  }

  /**
   * Writes rendered outputs, different destinations concurrently and one destination's in template order (the
   * last template wins, as one after another). Resolves with whether each write changed its file; the first failure
   * in template order rejects, after every write has settled.
   */
  private async writeAll(outputs: ReadonlyArray<{ i: number; output: string }>): Promise<boolean[]> {
    const lastWrite = new Map<string, Promise<unknown>>();
    const writes = outputs.map(({ i, output }) => {
      const t = this.templates[i];
      if (t === undefined) return Promise.resolve(false);
      const dest = t.config.destination;
      const write = (lastWrite.get(dest) ?? Promise.resolve())
        .catch(() => undefined)
        .then(() =>
          writeRendered(dest, output, {
            perms: this.perms[i],
            createDestDirs: t.config.createDestDirs,
            backup: t.config.backup,
          }),
        );
      lastWrite.set(dest, write);
      return write;
    });
    const settled = await Promise.allSettled(writes);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((r) => r.status === 'fulfilled' && r.value);
  }

  private async runCommands(changed: readonly number[]): Promise<void> {
    const seen = new Set<string>();
    for (const i of changed) {
      const t = this.templates[i];
      const command = t?.config.command;
      if (t === undefined || command === undefined) continue;
      const label = commandLabel(command);
      if (seen.has(label)) continue;
      seen.add(label);
      this.log.info(
        `(runner) executing command ${label} from "${t.config.source ?? '(dynamic)'}" => "${t.config.destination}"`,
      );
      await runCommand(command, {
        timeoutMs: t.config.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
        env: this.options.env,
      });
      if (this.stopped) return;
    }
  }

  private finishFirstRender(): void {
    this.allRenderedSent = true;
    this.options.onAllRendered?.();
    if (this.options.once) this.stop();
  }

  /** Stops the watches no template uses any more. */
  private forgetUnused(): void {
    const used = new Set<string>();
    for (const s of this.templateDeps) for (const k of s) used.add(k);
    for (const [key, w] of this.watches) {
      if (!used.has(key)) {
        w.abort.abort();
        this.watches.delete(key);
      }
    }
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    const named = this.withTemplates(err);
    this.log.error(`(runner) ${named.message}`);
    this.stop();
    this.options.onError?.(named);
  }

  /** A failed dependency names the templates that need it, so the exit message says which file could not render. */
  private withTemplates(err: Error): Error {
    const key = (err as { dependency?: unknown }).dependency;
    if (typeof key !== 'string') return err;
    const destinations: string[] = [];
    this.templateDeps.forEach((keys, i) => {
      const dest = this.options.templates[i]?.config.destination;
      if (keys.has(key) && dest !== undefined) destinations.push(JSON.stringify(dest));
    });
    if (destinations.length === 0) return err;
    const label = destinations.length === 1 ? 'template' : 'templates';
    return Object.assign(new Error(`${label} ${destinations.join(', ')}: ${err.message}`, { cause: err }), {
      dependency: key,
      status: (err as { status?: unknown }).status,
    });
  }

  private dataChanged(key: string): void {
    if (this.stopped) return;
    this.templateDeps.forEach((keys, i) => {
      if (keys.has(key)) this.dirty.add(i);
    });
    if (this.dirty.size > 0) this.schedulePass();
  }

  private ensureWatch(dependency: Dependency): void {
    const key = dependencyKey(dependency);
    if (this.watches.has(key) || this.stopped) return;
    const w: Watch = { dependency, key, abort: new AbortController(), hasData: false, data: undefined };
    this.watches.set(key, w);
    this.log.debug(`(watcher) adding ${key}`);
    const restored = this.options.once ? undefined : this.options.restored?.get(key);
    const carried = restored !== undefined && isRenewableLease(restored) && dependency.kind.startsWith('vault.');
    if (carried) {
      // Rendered at once from the handed-over secret; its lease is renewed from here on like a fetched one's.
      w.data = restored;
      w.hasData = true;
      this.log.debug(`(watcher) ${key}: using the lease ${restored.lease_id} from the persistent cache`);
      this.dataChanged(key);
    }
    const first: RenewNext | undefined = carried
      ? { kind: 'renew', leaseId: restored.lease_id, leaseDuration: restored.lease_duration }
      : undefined;
    this.watch(w, first).catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))));
  }

  /** The renewable leased secrets this runner holds now (the persistent cache saves them for the sidecar). */
  leasedSecrets(): LeasedSecret[] {
    const out: LeasedSecret[] = [];
    for (const w of this.watches.values()) {
      if (!w.hasData || !w.dependency.kind.startsWith('vault.')) continue;
      const secret = w.data as VaultSecretData | undefined;
      if (secret && typeof secret === 'object' && isRenewableLease(secret)) out.push({ key: w.key, secret });
    }
    return out;
  }

  /** One dependency's life: fetch (with retries), publish, wait or renew, fetch again. */
  private async watch(w: Watch, restored?: RenewNext): Promise<void> {
    const signal = w.abort.signal;
    if (restored) await this.renewUntilDone(w.key, restored, signal);
    while (!signal.aborted) {
      let fetched: { data: unknown; next: Next };
      try {
        fetched = await fetchWithRetry(w.key, () => this.fetchOnce(w.dependency), {
          retry: this.retry,
          logger: this.log,
          sleep: abortableSleep,
          signal,
          onInvalidToken: () => this.invalidToken(),
        });
      } catch (err) {
        if (err instanceof FetchAborted || signal.aborted) return;
        throw err;
      }
      if (signal.aborted) return;
      const unchanged = w.hasData && w.dependency.kind === 'file' && w.data === fetched.data;
      w.data = fetched.data;
      w.hasData = true;
      if (!unchanged) this.dataChanged(w.key);
      const next = fetched.next;
      if (next.kind === 'none') return;
      if (next.kind === 'delay') {
        await abortableSleep(next.ms, signal);
        continue;
      }
      await this.renewUntilDone(w.key, next, signal);
    }
  }

  private async renewUntilDone(key: string, next: RenewNext, signal: AbortSignal): Promise<void> {
    const end = await watchLifetime({
      leaseDuration: next.leaseDuration,
      renewable: true,
      behavior: 'error-on-errors',
      increment: next.leaseDuration,
      renew: () => this.options.vault.renewLease(next.leaseId, next.leaseDuration),
      onRenewed: (r) => this.log.debug(`(view) ${key}: renewed lease, ${r.leaseDuration}s left`),
      signal,
      now: this.now,
      random: this.random,
    });
    if (end.reason === 'error') this.log.warn(`(view) ${key}: failed to renew: ${messageOf(end.error)}`);
    else if (end.reason === 'expiring') this.log.warn(`(view) ${key}: renewer done (maybe the lease expired)`);
  }

  private invalidToken(): void {
    if (this.invalidTokenSent) return;
    this.invalidTokenSent = true;
    this.options.onInvalidToken?.();
  }

  private nextForSecret(secret: VaultSecretData): Next {
    if (this.options.once) return { kind: 'none' };
    if (isRenewableLease(secret)) {
      return { kind: 'renew', leaseId: secret.lease_id, leaseDuration: secret.lease_duration };
    }
    const ms = nonRenewableDelayMs(secret, {
      staticIntervalMs: this.staticIntervalMs,
      threshold: this.threshold,
      nowMs: this.now(),
      random: this.random,
    });
    return { kind: 'delay', ms };
  }

  private delay(ms: number): Next {
    return this.options.once ? { kind: 'none' } : { kind: 'delay', ms };
  }

  /** One attempt at one dependency; errors name the Vault path. */
  private async fetchOnce(d: Dependency): Promise<{ data: unknown; next: Next }> {
    const key = dependencyKey(d);
    const vault = this.options.vault;
    const guard = async <T>(path: string, call: () => Promise<T>): Promise<T> => {
      try {
        return await call();
      } catch (err) {
        throw describeFetchError(key, path, err);
      }
    };
    switch (d.kind) {
      case 'vault.read': {
        const { path, v2 } = await this.kv.readPath(d.path);
        const secret = await guard(path, () => vault.read(path));
        if (secret === null || (v2 && isDeletedKvV2(secret, this.now()))) {
          throw new DependencyError(key, `no secret exists at ${path}`, 404);
        }
        return { data: secret, next: this.nextSecretOrThrow(key, secret) };
      }
      case 'vault.write': {
        const { path, v2 } = await this.kv.readPath(d.path);
        const body: Record<string, unknown> = v2 ? { data: { ...d.data } } : { ...d.data };
        const secret = (await guard(path, () => vault.write(path, body))) ?? EMPTY_SECRET;
        return { data: secret, next: this.nextSecretOrThrow(key, secret) };
      }
      case 'vault.list': {
        const path = await this.kv.listPath(d.path);
        const keys = [...(await guard(path, () => vault.list(path)))].sort();
        return { data: keys, next: this.delay(listDelayMs({ staticIntervalMs: this.staticIntervalMs })) };
      }
      case 'vault.pki': {
        const cached = await fs.readFile(d.destination, 'utf8').catch(() => '');
        const fromFile = parsePemBundle(cached);
        if (fromFile.cert !== '' && fromFile.notBefore && fromFile.notAfter) {
          const wait = pkiRotationDelayMs(fromFile.notBefore, fromFile.notAfter, this.threshold, this.now());
          if (wait > 0) return { data: toPemBundle(fromFile), next: this.delay(wait) };
        }
        const secret = await guard(d.path, () => vault.write(d.path, { ...d.data }));
        const issued = parsePemBundle(pemTextOfIssue(secret?.data ?? null));
        if (issued.cert === '' || !issued.notBefore || !issued.notAfter) {
          throw new DependencyError(key, `no certificate in the response from ${d.path}`);
        }
        const wait = pkiRotationDelayMs(issued.notBefore, issued.notAfter, this.threshold, this.now());
        return { data: toPemBundle(issued), next: this.delay(wait) };
      }
      case 'file': {
        const text = await fs.readFile(d.path, 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new DependencyError(key, `failed reading file "${d.path}": ${err.code ?? err.message}`);
        });
        return { data: text, next: this.delay(FILE_POLL_MS) };
      }
    }
  }

  private nextSecretOrThrow(key: string, secret: VaultSecretData): Next {
    try {
      return this.nextForSecret(secret);
    } catch (err) {
      throw new DependencyError(key, messageOf(err));
    }
  }
}
