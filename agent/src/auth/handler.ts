// The auto-auth loop (Vault Agent's auth handler): log in, hand the token to sinks and listeners, keep it alive
// with a LifetimeWatcher, and log in again when the watcher ends or a consumer reports the token invalid.
import type { Logger } from '../../../cli/log.js';
import { backoffLogValue } from '../go-duration.js';
import { JitterBackoff } from '../lease/backoff.js';
import { type Renewal, type WatchEnd, watchLifetime } from '../lease/lifetime-watcher.js';
import { abortableSleep, unlessAborted } from '../sleep.js';
import { AuthError, errorText } from './errors.js';
import type { AuthMethod } from './methods/types.js';
import { type AuthVaultPort, isInvalidTokenError, type LoginAnswer } from './port.js';
import type { TokenSink } from './sink.js';
import { SinkServer } from './sink-server.js';

export type TokenListener = (token: string) => void | Promise<void>;

export interface AuthHandlerOptions {
  readonly method: AuthMethod;
  readonly vault: AuthVaultPort;
  readonly sinks: readonly TokenSink[];
  /** The agent's logger (name `agent`); the handler logs as `agent.auth.handler`, the sinks as `agent.sink.*`. */
  readonly log: Logger;
  /** Defaults 1 s and 5 min, as `min_backoff` / `max_backoff`. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** `exit_on_err`: the first failed login makes `run()` reject. */
  readonly exitOnErr?: boolean;
  /** `exit_after_auth`: `run()` resolves once the first token is in every sink and with every listener. */
  readonly exitAfterAuth?: boolean;
  readonly onToken?: TokenListener;
  /** A token from vault-agent-init's persistent cache: looked up and used on the first pass instead of a login. */
  readonly preloadedToken?: string;
  /** Test seams: time and randomness. */
  readonly random?: () => number;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const DEFAULT_MIN_BACKOFF_MS = 1000;
const DEFAULT_MAX_BACKOFF_MS = 300_000;
const INVALID_TOKEN = 'invalid-token';

export class AuthHandler {
  private readonly log: Logger;
  private readonly backoff: JitterBackoff;
  private readonly sinkServer: SinkServer;
  private readonly listeners = new Set<TokenListener>();
  private readonly stopController = new AbortController();
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private cycle: AbortController | undefined;
  private authInProgress = false;
  private latestToken: string | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: AuthHandlerOptions) {
    this.log = options.log.named('auth.handler');
    this.backoff = new JitterBackoff({
      minMs: options.minBackoffMs ?? DEFAULT_MIN_BACKOFF_MS,
      maxMs: options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
      maxRetries: options.exitOnErr ? 0 : Number.POSITIVE_INFINITY,
      random: options.random,
    });
    this.sleep = options.sleep ?? abortableSleep;
    this.sinkServer = new SinkServer({ sinks: options.sinks, log: options.log, random: options.random });
    if (options.onToken) this.listeners.add(options.onToken);
    this.stopController.signal.addEventListener('abort', () => {
      this.sinkServer.stop();
      this.cycle?.abort();
    });
  }

  /** The last token obtained, for consumers that start late (API proxy). */
  get token(): string | undefined {
    return this.latestToken;
  }

  /** Called with every new token, after the sinks have been handed it. Returns the unsubscribe function. */
  addTokenListener(listener: TokenListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A consumer got "invalid token" from Vault: log in again now. Ignored (false) while a login is already under
   * way or before the first token, as Vault drains the signal then.
   */
  reauthenticate(): boolean {
    if (this.authInProgress || !this.cycle || this.cycle.signal.aborted) return false;
    this.cycle.abort(INVALID_TOKEN);
    return true;
  }

  /**
   * Runs until `stop()` (resolves), or until the first token is delivered with `exitAfterAuth` (resolves), or
   * until the backoff is exhausted with `exitOnErr` (rejects with the login error).
   */
  run(): Promise<void> {
    if (this.running) throw new Error('the auth handler is already running');
    this.sinkServer.start();
    this.running = this.loop().finally(() => {
      this.sinkServer.stop();
      this.log.info('auth handler stopped');
    });
    return this.running;
  }

  /** Stops at once: pending logins, renewals, sink retries and sleeps are abandoned. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running?.catch(() => {});
  }

  private get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  private async loop(): Promise<void> {
    const { method, vault } = this.options;
    this.log.info('starting auth handler');
    let preloaded = this.options.preloadedToken;
    while (!this.stopSignal.aborted) {
      this.authInProgress = true;
      let answer: LoginAnswer | undefined;
      if (preloaded !== undefined) {
        const token = preloaded;
        preloaded = undefined; // first pass only, as Vault Agent: a failed lookup falls back to logging in
        this.log.debug('using preloaded token');
        this.log.debug('lookup-self with preloaded token');
        try {
          const looked = await unlessAborted(vault.lookupSelf(token), this.stopSignal);
          if (looked === undefined) break;
          answer = {
            clientToken: token,
            accessor: '',
            leaseDuration: looked.ttl,
            renewable: looked.renewable,
            policies: [],
          };
        } catch (err) {
          await this.backOffOrThrow(err, 'could not look up token', {});
          continue;
        }
      }
      if (answer === undefined) {
        this.log.info('authenticating');
        try {
          answer = await unlessAborted(
            method.loginBody().then((body) => vault.login(method.mountPath, body, { namespace: method.namespace })),
            this.stopSignal,
          );
          if (answer && !answer.clientToken) {
            throw new AuthError('AUTH_NO_TOKEN', 'login response did not contain a client token');
          }
        } catch (err) {
          await this.backOffOrThrow(err, 'error authenticating', {
            ...method.logFields,
            mount_path: method.mountPath,
          });
          continue;
        }
        if (answer === undefined) break;
      }

      this.backoff.reset();
      this.latestToken = answer.clientToken;
      this.log.info('authentication successful, sending token to sinks');
      const delivered = this.sinkServer.deliver(answer.clientToken);
      this.notifyListeners(answer.clientToken);
      if (this.options.exitAfterAuth) {
        this.authInProgress = false;
        await delivered;
        return;
      }
      if ((await this.keepAlive(answer)) === 'stopped') return;
    }
  }

  /** Logs the failure; sleeps the backoff, or throws `err` when retries are used up. */
  private async backOffOrThrow(
    err: unknown,
    message: string,
    fields: Record<string, string | number | boolean | undefined>,
  ) {
    const shown = backoffLogValue(this.backoff.current);
    const wait = this.backoff.next();
    this.log.error(message, { error: errorText(err), backoff: shown, ...fields });
    if (wait === undefined) throw err;
    await this.sleep(wait, this.stopSignal);
  }

  private notifyListeners(token: string): void {
    for (const listener of this.listeners) {
      try {
        Promise.resolve(listener(token)).catch((err: unknown) =>
          this.log.error('token listener failed', { error: errorText(err) }),
        );
      } catch (err) {
        this.log.error('token listener failed', { error: errorText(err) });
      }
    }
  }

  /** Watches the token's lifetime; says whether to log in again or stop. */
  private async keepAlive(answer: LoginAnswer): Promise<'stopped' | 'reauthenticate'> {
    const cycle = new AbortController();
    this.cycle = cycle;
    this.authInProgress = false;
    if (this.stopSignal.aborted) cycle.abort();
    let end: WatchEnd;
    if (answer.leaseDuration <= 0) {
      // Root and other TTL-less tokens never expire: nothing to renew, wait for stop or an invalid-token report.
      this.log.info('not starting token renewal process, as token has unlimited TTL');
      await new Promise<void>((resolve) => {
        if (cycle.signal.aborted) resolve();
        cycle.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      end = { reason: 'stopped' };
    } else {
      this.log.info('starting renewal process');
      end = await watchLifetime({
        leaseDuration: answer.leaseDuration,
        renewable: answer.renewable,
        behavior: 'ignore-errors',
        increment: 0,
        renew: () => this.renew(answer.clientToken, cycle),
        onRenewed: () => this.log.info('renewed auth token'),
        signal: cycle.signal,
        now: this.options.now,
        sleep: this.options.sleep,
        random: this.options.random,
      });
    }
    this.cycle = undefined;
    if (end.reason === 'stopped') {
      if (this.stopSignal.aborted || cycle.signal.reason !== INVALID_TOKEN) {
        this.log.info('shutdown triggered, stopping lifetime watcher');
        return 'stopped';
      }
      this.log.info('invalid token found, re-authenticating');
      return 'reauthenticate';
    }
    this.log.info('lifetime watcher done channel triggered, re-authenticating');
    if (end.reason === 'error') {
      const shown = backoffLogValue(this.backoff.current);
      const wait = this.backoff.next();
      this.log.error('error renewing token', { error: errorText(end.error), backoff: shown });
      if (wait === undefined) {
        throw new AuthError('AUTH_RENEWAL_EXHAUSTED', 'exceeded max retries failing to renew auth token', {
          cause: end.error,
        });
      }
      await this.sleep(wait, this.stopSignal);
    }
    return this.stopSignal.aborted ? 'stopped' : 'reauthenticate';
  }

  private async renew(token: string, cycle: AbortController): Promise<Renewal> {
    try {
      const renewal = await unlessAborted(this.options.vault.renewSelf(token, 0), cycle.signal);
      if (renewal === undefined) throw new Error('renewal abandoned: the watcher was stopped');
      return { leaseDuration: renewal.leaseDuration, renewable: renewal.renewable };
    } catch (err) {
      // Vault says the token is gone (revoked): renewing is pointless, log in again now.
      if (isInvalidTokenError(err) && !cycle.signal.aborted) cycle.abort(INVALID_TOKEN);
      throw err;
    }
  }
}
