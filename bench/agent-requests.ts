/**
 * What the agents send to Vault, by kind, and how many of each kind an hour the refresh rules of
 * spec §2.5, §3.3 and §3.7 predict for the sidecar's fixed secret set. Pure.
 */
import { APPROLE_MOUNT, KV1_MOUNT, type SidecarSchedule } from './agent-config.js';

export const REQUEST_KINDS = [
  'login',
  'token renew',
  'token lookup',
  'mount lookup',
  'KV v2 read',
  'KV v1 read',
  'PKI issue',
  'other',
] as const;

export type RequestKind = (typeof REQUEST_KINDS)[number];

/** The kind of one request, from its URL path (query ignored). */
export function requestKind(method: string, url: string): RequestKind {
  const path = url.split('?')[0] ?? '';
  if (path === `/v1/auth/${APPROLE_MOUNT}/login`) return 'login';
  if (path === '/v1/auth/token/renew-self') return 'token renew';
  if (path === '/v1/auth/token/lookup-self') return 'token lookup';
  if (path.startsWith('/v1/sys/internal/ui/mounts/')) return 'mount lookup';
  if (method === 'GET' && path.startsWith('/v1/secret/data/')) return 'KV v2 read';
  if (method === 'GET' && path.startsWith(`/v1/${KV1_MOUNT}/`)) return 'KV v1 read';
  if ((method === 'PUT' || method === 'POST') && path.startsWith('/v1/pki/issue/')) return 'PKI issue';
  return 'other';
}

export type KindCounts = Record<RequestKind, number>;

export function emptyCounts(): KindCounts {
  return Object.fromEntries(REQUEST_KINDS.map((k) => [k, 0])) as KindCounts;
}

export function countKinds(requests: readonly { readonly method: string; readonly url: string }[]): KindCounts {
  const counts = emptyCounts();
  for (const r of requests) counts[requestKind(r.method, r.url)]++;
  return counts;
}

export const totalOf = (counts: KindCounts): number => REQUEST_KINDS.reduce((sum, k) => sum + counts[k], 0);

/** Counts over a window of `seconds`, scaled to one hour. */
export function perHour(counts: KindCounts, seconds: number): KindCounts {
  if (!(seconds > 0)) throw new Error(`window must be positive, got ${seconds} s`);
  const out = emptyCounts();
  for (const k of REQUEST_KINDS) out[k] = (counts[k] * 3600) / seconds;
  return out;
}

/**
 * Expected requests per hour in steady state (after start-up), using the mean of each random term:
 * - token: renew-self every 2/3·T + grace/3 with grace uniform in [0.1T, 0.2T) → 0.7167·T (spec §2.5);
 *   no re-login, since the AppRole token's max TTL (32 days) is far away;
 * - KV v2: re-read every static_secret_render_interval × [0.85, 0.95) → 0.9·S (spec §3.7);
 * - KV v1 with a `ttl` key: every ttl × 0.9 (spec §3.7);
 * - pkiCert: re-issued at 90 % of NotBefore→NotAfter (spec §3.3); NotBefore is back-dated b seconds, so a
 *   certificate issued at t is replaced at t − b + 0.9·(ttl + b);
 * - mount lookups happen once per dependency per template runner, so not in steady state.
 */
export function expectedPerHour(s: SidecarSchedule): KindCounts {
  const counts = emptyCounts();
  counts['token renew'] = 3600 / (s.tokenTtlS * (2 / 3 + 0.15 / 3));
  counts['KV v2 read'] = 3600 / (s.staticIntervalS * 0.9);
  counts['KV v1 read'] = 3600 / (s.kv1TtlS * 0.9);
  const pkiPeriodS = 0.9 * (s.pkiTtlS + s.pkiBackdateS) - s.pkiBackdateS;
  if (!(pkiPeriodS > 0)) throw new Error(`pkiCert ttl ${s.pkiTtlS}s is too short for ${s.pkiBackdateS}s back-dating`);
  counts['PKI issue'] = 3600 / pkiPeriodS;
  return counts;
}
