// The jittered doubling backoff Vault Agent uses for auto-auth retries and template-server restarts
// (spec §2.4): each wait is the previous one doubled, capped at max, then shortened by up to 25 %.

export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
  /** How many waits may be handed out before the backoff is exhausted; Infinity retries forever. */
  readonly maxRetries: number;
  readonly random?: () => number;
}

export class JitterBackoff {
  private currentMs = 0;
  private attempts = 0;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    if (!(options.minMs > 0) || !(options.maxMs >= options.minMs)) {
      throw new RangeError(`backoff needs 0 < min <= max (got min=${options.minMs}ms max=${options.maxMs}ms)`);
    }
    this.random = options.random ?? Math.random;
    this.reset();
  }

  /** The wait the next failure would get (what Vault logs as `backoff=`). */
  get current(): number {
    return this.currentMs;
  }

  /** Back to the minimum; called after every success. */
  reset(): void {
    this.attempts = 0;
    this.currentMs = this.jitter(this.options.minMs);
  }

  /** The wait before the next attempt, or undefined when the retries are used up. */
  next(): number | undefined {
    if (this.attempts >= this.options.maxRetries) return undefined;
    if (this.attempts > 0) this.currentMs = this.jitter(Math.min(2 * this.currentMs, this.options.maxMs));
    this.attempts++;
    return this.currentMs;
  }

  // In (0.75 t, t]: never longer than asked, so max stays a true ceiling.
  private jitter(ms: number): number {
    return Math.floor(ms * (1 - 0.25 * this.random()));
  }
}
