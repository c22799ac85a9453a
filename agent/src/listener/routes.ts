/**
 * What the agent's listener does with a request, decided from method, path and headers alone (spec §2.9).
 * Pure: the server in server.ts carries the decision out.
 */
import type { UseAutoAuthToken } from '../config/load-types.js';

export type Route =
  | { readonly kind: 'quit' }
  | { readonly kind: 'metrics' }
  | { readonly kind: 'proxy' }
  | { readonly kind: 'status'; readonly status: number; readonly errors?: readonly string[] };

export interface RouteContext {
  readonly enableQuit: boolean;
  readonly metricsOnly: boolean;
  readonly requireRequestHeader: boolean;
  readonly hasMetrics: boolean;
}

export const QUIT_PATH = '/agent/v1/quit';
export const METRICS_PATH = '/agent/v1/metrics';

export function route(
  method: string,
  rawUrl: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  ctx: RouteContext,
): Route {
  const url = new URL(rawUrl, 'http://listener');
  const path = url.pathname;
  if (path === METRICS_PATH) {
    if (!ctx.hasMetrics) return { kind: 'status', status: 404 };
    if (method !== 'GET') return { kind: 'status', status: 405 };
    const format = url.searchParams.get('format');
    if (format !== null && format !== '' && format !== 'prometheus') {
      return { kind: 'status', status: 400, errors: [`unsupported metrics format "${format}"; use format=prometheus`] };
    }
    return { kind: 'metrics' };
  }
  if (ctx.metricsOnly) return { kind: 'status', status: 404 };
  if (ctx.requireRequestHeader && headerValue(headers, 'x-vault-request') !== 'true') {
    return { kind: 'status', status: 412, errors: ["missing 'X-Vault-Request' header"] };
  }
  if (path === QUIT_PATH) {
    if (!ctx.enableQuit) return { kind: 'status', status: 404 };
    if (method !== 'POST') return { kind: 'status', status: 405 };
    return { kind: 'quit' };
  }
  return { kind: 'proxy' };
}

export function headerValue(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The token to send upstream: the client's own unless it has none (true) or always the agent's ('force'). */
export function upstreamToken(
  clientToken: string | undefined,
  mode: UseAutoAuthToken,
  agentToken: string | undefined,
): string | undefined {
  if (mode === 'force' && agentToken !== undefined) return agentToken;
  if (mode === true && (clientToken === undefined || clientToken === '') && agentToken !== undefined) return agentToken;
  return clientToken;
}

/** Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

export function forwardableHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[]> {
  const named = new Set(
    String(headerValue(headers, 'connection') ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    out[lower] = value;
  }
  return out;
}
