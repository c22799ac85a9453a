// When a fetched dependency is fetched again (spec §3.7). Pure: the clock and randomness are passed in.
import type { VaultSecretData } from '../template/dependencies.js';

export const DEFAULT_STATIC_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_LEASE_RENEWAL_THRESHOLD = 0.9;

export interface ScheduleOptions {
  /** static_secret_render_interval: base for secrets without a lease. */
  readonly staticIntervalMs: number;
  /** lease_renewal_threshold. */
  readonly threshold: number;
  readonly nowMs: number;
  readonly random: () => number;
}

/** A rotating secret (database static role) that reports ttl=0; the fetch counts as failed and is retried. */
export class RotatingSecretTtlZeroError extends Error {
  constructor() {
    super('vault rotating secret returned ttl=0, will retry');
    this.name = 'RotatingSecretTtlZeroError';
  }
}

/** A number from Vault's JSON: number, JsonNumber (by its text) or numeric string; undefined otherwise. */
export function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' || (typeof v === 'object' && v !== null && 'text' in v)) {
    const text = typeof v === 'string' ? v : String((v as { text: unknown }).text);
    if (text.trim() === '') return undefined;
    const n = Number(text);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Whether the secret is kept alive by renewing its lease (LifetimeWatcher) rather than re-read on a timer. */
export function isRenewableLease(secret: VaultSecretData): boolean {
  return secret.renewable && secret.lease_id !== '' && secret.lease_duration > 0;
}

/** The refresh base for a non-renewable secret, in ms, and whether it rotates (slept in full). */
export function nonRenewableBase(
  secret: VaultSecretData,
  opts: Pick<ScheduleOptions, 'staticIntervalMs' | 'nowMs'>,
): { baseMs: number; rotating: boolean } {
  let baseS = secret.auth ? secret.auth.lease_duration : secret.lease_duration;
  let rotating = false;
  const data = secret.data ?? {};
  if (secret.lease_id === '') {
    if ('certificate' in data) {
      const expiration = numberOf(data.expiration);
      if (expiration !== undefined) baseS = expiration - opts.nowMs / 1000;
    }
    if ('secret_id' in data) {
      const ttl = numberOf(data.secret_id_ttl);
      if (ttl !== undefined && ttl > 0) baseS = ttl + 1;
    }
    if ('rotation_period' in data) {
      const ttl = numberOf(data.ttl) ?? 0;
      if (ttl <= 0) throw new RotatingSecretTtlZeroError();
      baseS = ttl + 1;
      rotating = true;
    }
  }
  if (!(baseS > 0)) return { baseMs: opts.staticIntervalMs, rotating };
  return { baseMs: baseS * 1000, rotating };
}

/** The sleep factor threshold ± 5 %, i.e. [0.85, 0.95) for 0.9; back to the threshold if it leaves (0, 1). */
export function jitterFactor(threshold: number, random: () => number): number {
  const f = threshold + (random() - 0.5) * 0.1;
  return f > 0 && f < 1 ? f : threshold;
}

/** Milliseconds until a non-renewable secret is fetched again. */
export function nonRenewableDelayMs(secret: VaultSecretData, opts: ScheduleOptions): number {
  const { baseMs, rotating } = nonRenewableBase(secret, opts);
  return rotating ? baseMs : baseMs * jitterFactor(opts.threshold, opts.random);
}

/** `secrets` lists are re-listed every static interval exactly. */
export const listDelayMs = (opts: Pick<ScheduleOptions, 'staticIntervalMs'>): number => opts.staticIntervalMs;

/** pkiCert re-issues at `threshold` of NotBefore→NotAfter (90 % by default), or now when that is past. */
export function pkiRotationDelayMs(notBefore: Date, notAfter: Date, threshold: number, nowMs: number): number {
  const start = notBefore.getTime();
  const rotateAt = start + (notAfter.getTime() - start) * threshold;
  return Math.max(0, rotateAt - nowMs);
}
