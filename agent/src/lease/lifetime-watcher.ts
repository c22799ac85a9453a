// Keeps a token or a lease alive the way Vault's LifetimeWatcher does (spec §2.5): renew at once, then after
// 2/3 of the remaining time plus a third of a random grace of 10-20 % of the lease; stop when the lease can no
// longer outlive the grace (max TTL reached, not renewable) so the owner can log in or fetch again.

import { abortableSleep } from '../sleep.js';

export interface Renewal {
  /** Seconds the token or lease now has left. */
  readonly leaseDuration: number;
  /** False when the answer says it can no longer be renewed. */
  readonly renewable?: boolean;
}

/** How the owner learns why watching ended. */
export type WatchEnd =
  | { readonly reason: 'expiring' }
  | { readonly reason: 'error'; readonly error: unknown }
  | { readonly reason: 'stopped' };

export interface LifetimeWatcherOptions {
  /** Lease or token TTL at the start, in seconds. */
  readonly leaseDuration: number;
  readonly renewable: boolean;
  /**
   * `ignore-errors` (auto-auth tokens): keep trying with backoff until the lease runs out.
   * `error-on-errors` (template secrets): the first failed renewal ends the watch, and the secret is fetched again.
   */
  readonly behavior: 'ignore-errors' | 'error-on-errors';
  /** Renews; throws on failure. An error with `permissionDenied === true` means "stop renewing, just wait". */
  readonly renew: () => Promise<Renewal>;
  readonly onRenewed?: (renewal: Renewal) => void;
  /** Seconds; when set and positive, grace is computed from min(lease, increment) as Vault does. */
  readonly increment?: number;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

/** Random grace in [10 %, 20 %) of the lease, in ms. */
export function calculateGrace(leaseMs: number, random: () => number = Math.random, incrementMs = 0): number {
  const base = incrementMs > 0 ? Math.min(leaseMs, incrementMs) : leaseMs;
  if (base <= 0) return 0;
  const jitterMax = 0.1 * base;
  return jitterMax + random() * jitterMax;
}

/** Sleep before the next renewal: 2/3 of what is left plus a third of the grace. */
export const calculateSleep = (remainingMs: number, graceMs: number): number => (2 * remainingMs) / 3 + graceMs / 3;

// Renewal errors back off from 10 s, doubling to 5 min, each wait randomised by +-50 %, never past the lease.
const ERROR_BACKOFF_INITIAL_MS = 10_000;
const ERROR_BACKOFF_MAX_MS = 300_000;

const isPermissionDenied = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { permissionDenied?: unknown }).permissionDenied === true;

export async function watchLifetime(options: LifetimeWatcherOptions): Promise<WatchEnd> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const incrementMs = (options.increment ?? 0) * 1000;
  let leaseMs = options.leaseDuration * 1000;
  let grace = calculateGrace(leaseMs, random, incrementMs);
  let startedAt = now();
  let renewable = options.renewable;
  let prior = 0;
  let errorWaitMs: number | undefined;
  let errorDeadline = 0;

  for (;;) {
    if (options.signal?.aborted) return { reason: 'stopped' };
    let remaining: number;
    let failed = false;
    if (!renewable) {
      remaining = startedAt + leaseMs - now();
    } else {
      try {
        const renewal = await options.renew();
        if (options.signal?.aborted) return { reason: 'stopped' };
        options.onRenewed?.(renewal);
        startedAt = now();
        leaseMs = renewal.leaseDuration * 1000;
        remaining = leaseMs;
        errorWaitMs = undefined;
        if (renewal.renewable === false) renewable = false;
      } catch (error) {
        if (options.signal?.aborted) return { reason: 'stopped' };
        if (isPermissionDenied(error)) {
          renewable = false;
          continue;
        }
        if (options.behavior === 'error-on-errors') return { reason: 'error', error };
        failed = true;
        remaining = startedAt + leaseMs - now();
        if (errorWaitMs === undefined) {
          errorWaitMs = ERROR_BACKOFF_INITIAL_MS;
          errorDeadline = now() + remaining;
        } else {
          errorWaitMs = Math.min(errorWaitMs * 2, ERROR_BACKOFF_MAX_MS);
        }
        if (now() >= errorDeadline) return { reason: 'error', error };
      }
    }
    let wait: number;
    if (failed && errorWaitMs !== undefined) {
      wait = errorWaitMs * (0.5 + random());
    } else {
      // Grace follows the lease only while it keeps growing; near max TTL it freezes, so the end is detected.
      if (remaining > prior) grace = calculateGrace(remaining, random, incrementMs);
      wait = calculateSleep(remaining, grace);
    }
    prior = remaining;
    if (remaining <= grace || remaining - wait <= grace) return { reason: 'expiring' };
    await sleep(wait, options.signal);
  }
}
