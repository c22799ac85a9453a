/** When the Vault client retries, and how long it waits (the Go client's policy, spec §1.16). Pure. */

/** 412 (eventual consistency, missing X-Vault-Request), 429 (quota), and 5xx except 501 (not initialised). */
export function isRetryableStatus(status: number): boolean {
  return status === 412 || status === 429 || (status >= 500 && status !== 501);
}

export interface Backoff {
  readonly minWaitMs: number;
  readonly maxWaitMs: number;
}

/** Vault's client defaults: 1 s .. 1.5 s, multiplied by the attempt number. */
export const DEFAULT_BACKOFF: Backoff = Object.freeze({ minWaitMs: 1000, maxWaitMs: 1500 });

/**
 * Linear backoff with jitter: retry number `retry` (1 for the first retry) waits `retry` times a value drawn
 * uniformly from [minWaitMs, maxWaitMs]. `random` is in [0, 1).
 */
export function retryDelayMs(retry: number, backoff: Backoff, random: number): number {
  const base =
    backoff.maxWaitMs <= backoff.minWaitMs
      ? backoff.minWaitMs
      : backoff.minWaitMs + Math.floor(random * (backoff.maxWaitMs - backoff.minWaitMs));
  return base * retry;
}

/** Retries allowed by a `maxRetries` setting: negative means none, as in Vault's `retry.num_retries = -1`. */
export function retryBudget(maxRetries: number): number {
  return maxRetries < 0 ? 0 : Math.floor(maxRetries);
}
