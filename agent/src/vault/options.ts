/**
 * The client's settings, and how Vault Agent derives them from its environment and its `vault` block
 * (spec §2.2): environment variable > config field > default. Pure: the environment is passed in.
 */
import { isIP } from 'node:net';
import { parseGoDuration, parseStrconvBool } from '../../../webhook/src/core/go-parse.js';
import type { VaultBlock as ConfigVaultBlock } from '../config/load-types.js';
import { VaultConfigError } from './errors.js';
import type { Backoff } from './retry.js';

export const DEFAULT_VAULT_ADDRESS = 'https://127.0.0.1:8200';
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 12;

export interface VaultClientOptions {
  /** `https://host:port` or `http://host:port`, optionally with a path prefix. */
  readonly address: string;
  /** PEM file of CA certificates; with caCertPem or caPath only these CAs are trusted. */
  readonly caCert?: string;
  /** PEM text of CA certificates (VAULT_CACERT_BYTES); wins over caCert and caPath. */
  readonly caCertPem?: string;
  /** Directory whose files are PEM CA certificates. */
  readonly caPath?: string;
  /** Client certificate and key files (PEM) for TLS client authentication; both or neither. */
  readonly clientCert?: string;
  readonly clientKey?: string;
  readonly tlsSkipVerify?: boolean;
  /** Name sent as SNI and checked against the server certificate instead of the address's host. */
  readonly tlsServerName?: string;
  /** Sent as X-Vault-Namespace on every request unless a request names its own. */
  readonly namespace?: string;
  /** HTTP(S) proxy URL every request goes through. */
  readonly proxyAddress?: string;
  /** Per attempt; 0 means none. Default 60 s. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt; default 12; 0 or negative: none. */
  readonly maxRetries?: number;
  readonly backoff?: Backoff;
  /** A new connection for every request (Vault Agent's `disable_keep_alives`). */
  readonly disableKeepAlives?: boolean;
  /** At most this many connections to Vault at once (`template_config.max_connections_per_host`). */
  readonly maxConnsPerHost?: number;
  readonly userAgent?: string;
  /** For tests: the jitter source in [0, 1) and the wait between retries. */
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The agent config's `vault` block (config/load-types.ts) as far as the client is concerned; every field optional. */
export type VaultBlock = Partial<Omit<ConfigVaultBlock, 'retry'>> & {
  readonly retry?: { readonly numRetries?: number };
};

export type Environment = Readonly<Record<string, string | undefined>>;

/** Options from `env` (VAULT_* variables) over `block` over defaults. Throws VaultConfigError on bad values. */
export function vaultClientOptionsFromEnvironment(env: Environment, block: VaultBlock = {}): VaultClientOptions {
  const get = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const address = get('VAULT_ADDR') ?? block.address ?? DEFAULT_VAULT_ADDRESS;
  checkAddress(address, get('VAULT_ADDR') !== undefined ? 'VAULT_ADDR' : 'vault.address');

  const skipVerifyText = get('VAULT_SKIP_VERIFY');
  let tlsSkipVerify = block.tlsSkipVerify ?? false;
  if (skipVerifyText !== undefined) {
    const parsed = parseStrconvBool(skipVerifyText);
    if (parsed === undefined)
      throw new VaultConfigError('VAULT_SKIP_VERIFY', `invalid boolean ${JSON.stringify(skipVerifyText)}`);
    tlsSkipVerify = parsed;
  }

  let maxRetries = DEFAULT_MAX_RETRIES;
  const configRetries = block.retry?.numRetries;
  if (configRetries !== undefined && configRetries !== 0) maxRetries = Math.max(configRetries, 0);
  const retriesText = get('VAULT_MAX_RETRIES');
  if (retriesText !== undefined) {
    if (!/^[0-9]+$/.test(retriesText) || Number(retriesText) > 0xffffffff)
      throw new VaultConfigError('VAULT_MAX_RETRIES', `not a non-negative integer: ${JSON.stringify(retriesText)}`);
    maxRetries = Number(retriesText);
  }

  let timeoutMs = DEFAULT_TIMEOUT_MS;
  const timeoutText = get('VAULT_CLIENT_TIMEOUT');
  if (timeoutText !== undefined) timeoutMs = parseTimeoutMs(timeoutText);

  const clientCert = get('VAULT_CLIENT_CERT') ?? block.clientCert;
  const clientKey = get('VAULT_CLIENT_KEY') ?? block.clientKey;
  const proxyAddress = get('VAULT_PROXY_ADDR') ?? get('VAULT_HTTP_PROXY') ?? proxyFromEnvironment(address, env);
  const options: Record<string, unknown> = {
    address,
    caCertPem: get('VAULT_CACERT_BYTES'),
    caCert: get('VAULT_CACERT') ?? block.caCert,
    caPath: get('VAULT_CAPATH') ?? block.caPath,
    clientCert,
    clientKey,
    tlsSkipVerify,
    tlsServerName: get('VAULT_TLS_SERVER_NAME') ?? block.tlsServerName,
    namespace: get('VAULT_NAMESPACE') ?? block.namespace,
    proxyAddress,
    timeoutMs,
    maxRetries,
  };
  for (const key of Object.keys(options)) if (options[key] === undefined || options[key] === '') delete options[key];
  return options as unknown as VaultClientOptions;
}

function checkAddress(address: string, setting: string): void {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new VaultConfigError(setting, `not a URL: ${JSON.stringify(address)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new VaultConfigError(setting, `unsupported scheme ${JSON.stringify(url.protocol)} (use http or https)`);
}

/** VAULT_CLIENT_TIMEOUT: whole seconds (`30`) or a Go duration (`1m30s`). */
function parseTimeoutMs(text: string): number {
  const trimmed = text.trim();
  const ns = /^[0-9]+$/.test(trimmed) ? BigInt(trimmed) * 1_000_000_000n : parseGoDuration(trimmed);
  if (ns === undefined || ns < 0n)
    throw new VaultConfigError(
      'VAULT_CLIENT_TIMEOUT',
      `not a duration or a number of seconds: ${JSON.stringify(text)}`,
    );
  return Number(ns / 1_000_000n);
}

/**
 * The proxy Go's http.ProxyFromEnvironment would pick for `address`: HTTPS_PROXY for https, HTTP_PROXY for
 * http (upper case first, then lower case), never for localhost or loopback IPs, nor for hosts NO_PROXY lists
 * (`*`, `host`, `.domain` or `domain` suffixes, IPs, CIDRs, each optionally with `:port`).
 */
export function proxyFromEnvironment(address: string, env: Environment): string | undefined {
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const url = new URL(address);
  const proxy = url.protocol === 'https:' ? pick('HTTPS_PROXY', 'https_proxy') : pick('HTTP_PROXY', 'http_proxy');
  if (proxy === undefined) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (host === 'localhost' || isLoopback(host)) return undefined;
  const noProxy = pick('NO_PROXY', 'no_proxy') ?? '';
  for (const rawEntry of noProxy.split(',')) {
    const entry = rawEntry.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return undefined;
    if (entry.includes('/')) {
      if (isIP(host) !== 0 && inCidr(host, entry)) return undefined;
      continue;
    }
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.startsWith('[') ? entry.replace(/^\[(.*)\]/, '$1') : entry);
    const entryHost = m?.[1] ?? entry;
    const entryPort = m?.[2];
    if (entryPort !== undefined && entryPort !== port) continue;
    const domain = entryHost.replace(/^\*/, '');
    // `.example.com` (or `*.example.com`): subdomains only; `example.com`: the host and its subdomains
    if (domain.startsWith('.') ? host.endsWith(domain) : host === domain || host.endsWith(`.${domain}`))
      return undefined;
  }
  return proxy.includes('://') ? proxy : `http://${proxy}`;
}

function isLoopback(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bitsText = ''] = cidr.split('/');
  const bits = Number(bitsText);
  if (isIP(ip) !== 4 || isIP(base) !== 4 || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const toInt = (a: string) => a.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) >>> 0 === (toInt(base) & mask) >>> 0;
}
