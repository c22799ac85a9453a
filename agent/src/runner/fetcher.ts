// Fetch with the view's retry (spec §3.8): on error wait min(backoff·2^n, max) and try again, `attempts` times,
// logging each retry as consul-template's view does; then give up with the last error.
import type { Logger } from '../../../cli/log.js';
import { formatGoDuration } from '../go-duration.js';
import { portErrorOf } from './port.js';

export interface RetryConfig {
  /** Retries after the first failure (Vault Agent: num_retries, default 12). */
  readonly attempts: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryConfig = Object.freeze({ attempts: 12, backoffMs: 250, maxBackoffMs: 60_000 });

export type DependencyErrorCode = 'NO_SECRET' | 'PERMISSION_DENIED' | 'FETCH_FAILED';

/** Why a dependency could not be fetched; `dependency` is its key, the message names the Vault path. */
export class DependencyError extends Error {
  readonly code: DependencyErrorCode;
  constructor(
    readonly dependency: string,
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DependencyError';
    this.code = status === 404 ? 'NO_SECRET' : status === 403 ? 'PERMISSION_DENIED' : 'FETCH_FAILED';
  }
}

/** The wait before retry number `retry` (0-based). */
export const retryDelayMs = (retry: number, cfg: RetryConfig): number =>
  Math.min(cfg.backoffMs * 2 ** retry, cfg.maxBackoffMs);

/** Turns what the port threw into an error that says which dependency and path failed (never secret values). */
export function describeFetchError(dependency: string, path: string, err: unknown): DependencyError {
  if (err instanceof DependencyError) return err;
  const e = portErrorOf(err);
  if (e.status === 403 || e.permissionDenied) {
    return new DependencyError(dependency, `permission denied at ${path}: ${e.message}`, 403, { cause: err });
  }
  return new DependencyError(dependency, e.message, e.status, { cause: err });
}

export interface RetryOptions {
  readonly retry: RetryConfig;
  readonly logger: Logger;
  /** Sleeps; resolves early (and the loop ends) once the signal aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly signal: AbortSignal;
  /** Called on every error that says the token is no longer valid (the agent re-authenticates). */
  readonly onInvalidToken?: () => void;
}

export class FetchAborted extends Error {
  constructor() {
    super('fetch stopped');
    this.name = 'FetchAborted';
  }
}

/** Runs `fetchOnce` until it succeeds or the retries are used up; throws the last DependencyError. */
export async function fetchWithRetry<T>(
  dependency: string,
  fetchOnce: () => Promise<T>,
  opts: RetryOptions,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    if (opts.signal.aborted) throw new FetchAborted();
    try {
      return await fetchOnce();
    } catch (raw) {
      if (opts.signal.aborted) throw new FetchAborted();
      const err = raw instanceof DependencyError ? raw : describeFetchError(dependency, dependency, raw);
      if (portErrorOf(err.cause ?? err).invalidToken || portErrorOf(err).invalidToken) opts.onInvalidToken?.();
      if (retry >= opts.retry.attempts) {
        opts.logger.error(`(view) ${dependency}: ${err.message} (exceeded maximum retries)`);
        throw err;
      }
      const wait = retryDelayMs(retry, opts.retry);
      opts.logger.warn(
        `(view) ${dependency}: ${err.message} (retry attempt ${retry + 1} after "${formatGoDuration(wait)}")`,
      );
      await opts.sleep(wait, opts.signal);
    }
  }
}
