/**
 * The agent's HTTP client for Vault: TLS and proxy settings, X-Vault-* headers, retries with linear jitter
 * (the Go client's policy), lossless JSON, typed envelopes and errors. Every other agent module talks to
 * Vault through this class.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../../cli/log.js';
import type { JsonValue } from '../template/dependencies.js';
import {
  decodeErrors,
  decodeSecret,
  EnvelopeShapeError,
  isJsonObject,
  isSecretWorthy,
  type VaultSecret,
  type VaultWrapInfo,
} from './envelope.js';
import { nodeTlsText, VaultConfigError, VaultConnectionError, VaultDecodeError, VaultResponseError } from './errors.js';
import { type QueryValues, requestTarget } from './http-path.js';
import { parseVaultJson, stringifyVaultJson } from './json.js';
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, type VaultClientOptions } from './options.js';
import { type Backoff, DEFAULT_BACKOFF, isRetryableStatus, retryBudget, retryDelayMs } from './retry.js';
import { tlsConnectOptions } from './tls.js';
import { Transport } from './transport.js';

/** What every call may add. */
export interface CallOptions {
  /** Sent as X-Vault-Token. */
  readonly token?: string;
  /** X-Vault-Namespace for this request; `''` sends none even when the client has one. */
  readonly namespace?: string;
  /** false: a single attempt (auth requests). Default true. */
  readonly retry?: boolean;
  /** Cancels the request and any wait between retries. */
  readonly signal?: AbortSignal;
}

export interface RawRequestOptions extends CallOptions {
  readonly query?: QueryValues;
  /** X-Vault-Wrap-TTL: seconds, or a duration string such as `"5m"`. */
  readonly wrapTTL?: string | number;
  /** Extra headers (the API proxy passes the caller's); X-Vault-Request and the options above win. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string;
}

export interface ReadOptions extends CallOptions {
  readonly query?: QueryValues;
}

export interface WriteOptions extends CallOptions {
  readonly wrapTTL?: string | number;
}

export interface LoginOptions {
  readonly namespace?: string;
  readonly wrapTTL?: string | number;
  readonly retry?: boolean;
  readonly signal?: AbortSignal;
}

/** A mount as `sys/internal/ui/mounts/<path>` describes it. */
export interface MountInfo {
  /** Mount path with its trailing slash, e.g. `secret/`. */
  readonly path: string;
  readonly type: string;
  /** `options.version`, `"1"` when the mount has none. */
  readonly version: string;
}

/** `sys/health`: the status code carries the state (200 active, 429 standby, 501 uninitialised, 503 sealed). */
export interface VaultHealth {
  readonly status: number;
  readonly initialized: boolean;
  readonly sealed: boolean;
  readonly standby: boolean;
  readonly version: string;
  readonly cluster_name: string;
  readonly server_time_utc: number;
}

const HEALTH_STATUSES = new Set([200, 429, 472, 473, 501, 503]);
const REDIRECT_STATUSES = new Set([301, 302, 307]);
/** Certificate or handshake failures: retrying cannot help (Go does not retry an unknown authority either). */
const TLS_ERROR_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const MAX_ERROR_TEXT = 512;
/** Node's codes for request arguments it will not put on the wire. */
const UNSENDABLE = new Set(['ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_HTTP_INVALID_HEADER_VALUE']);
/** Headers of the caller's own connection (RFC 9110 §7.6.1) or computed per request: never forwarded. */
const HOP_BY_HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
]);

const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_UNTRUSTED',
]);

/** What to change when Vault's certificate is refused; Node's own text names neither the setting nor the annotation. */
export function tlsHint(code: string | undefined): string {
  if (code !== undefined && UNTRUSTED_CODES.has(code))
    return ` (${code}: Vault's certificate is not signed by a CA the agent trusts; give that CA with vault.ca_cert, VAULT_CACERT or the annotation vault.hashicorp.com/ca-cert)`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH')
    return ` (${code}: the certificate does not name the host in the Vault address; use a name it has, or set vault.tls_server_name / the annotation vault.hashicorp.com/tls-server-name)`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return ` (${code}: check the certificate's validity dates and the node's clock)`;
  return '';
}

export class VaultClient {
  readonly address: string;
  private readonly base: URL;
  private readonly namespace: string | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoff: Backoff;
  private readonly disableKeepAlives: boolean;
  private readonly userAgent: string | undefined;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly transport: Transport;
  private closing: Promise<void> | undefined;

  constructor(
    options: VaultClientOptions,
    private readonly log?: Logger,
  ) {
    try {
      this.base = new URL(options.address);
    } catch {
      throw new VaultConfigError('address', `not a URL: ${JSON.stringify(options.address)}`);
    }
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:')
      throw new VaultConfigError('address', `unsupported scheme ${JSON.stringify(this.base.protocol)}`);
    this.address = options.address;
    this.namespace = options.namespace === '' ? undefined : options.namespace;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = retryBudget(options.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.disableKeepAlives = options.disableKeepAlives ?? false;
    this.userAgent = options.userAgent;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, signal ? { signal } : {}));
    const tls = tlsConnectOptions(options);
    if (options.proxyAddress !== undefined) {
      try {
        new URL(options.proxyAddress);
      } catch {
        throw new VaultConfigError('proxy_address', 'not a URL');
      }
    }
    this.transport = new Transport(this.base, {
      tls,
      keepAlive: !this.disableKeepAlives,
      maxConnsPerHost: options.maxConnsPerHost,
      proxyAddress: options.proxyAddress,
    });
  }

  /** Closes the connections once in-flight requests finish; later calls do nothing. */
  async close(): Promise<void> {
    if (this.closing === undefined) this.closing = Promise.resolve(this.transport.close());
    await this.closing;
  }

  /**
   * One Vault API call as raw HTTP (for the API proxy). `path` is relative to `/v1/` and may carry a query.
   * Retries on 412, 429, 5xx except 501 and network errors, then returns the last answer whatever its
   * status. Throws VaultConnectionError (no answer), or VaultConfigError for arguments that cannot be sent
   * (a header value with a newline).
   */
  async request(method: string, path: string, opts: RawRequestOptions = {}): Promise<RawResponse> {
    const target = requestTarget(path, opts.query);
    let url = new URL(`${this.base.pathname.replace(/\/+$/, '')}${target.path}${target.search}`, this.base);
    const headers = this.headers(opts);
    const budget = opts.retry === false ? 0 : this.retries;
    let redirected = false;
    for (let attempt = 0; ; attempt++) {
      let res: RawResponse;
      try {
        res = await this.once(method, url, headers, opts.body, opts.signal);
      } catch (err) {
        if (UNSENDABLE.has((err as { code?: string }).code ?? ''))
          // a header or method Node refuses to send (a token with a newline…): retrying cannot help
          throw new VaultConfigError('request', `${method} ${target.path}: ${(err as Error).message}`, { cause: err });
        const failure = this.connectionError(method, target.path, err, opts.signal);
        if (failure.reason === 'tls' || failure.reason === 'aborted' || attempt >= budget) throw failure;
        await this.waitBeforeRetry(method, target.path, attempt + 1, failure.message, opts.signal);
        continue;
      }
      const location = res.headers.location;
      if (REDIRECT_STATUSES.has(res.status) && typeof location === 'string' && !redirected) {
        // Vault's client follows one redirect (a standby pointing at the active node), never to plain http.
        const next = new URL(location, url);
        if (url.protocol === 'https:' && next.protocol !== 'https:')
          throw new VaultConnectionError(method, target.path, this.address, 'tls', 'redirect would downgrade to http');
        url = next;
        redirected = true;
        attempt--;
        continue;
      }
      if (isRetryableStatus(res.status) && attempt < budget) {
        await this.waitBeforeRetry(method, target.path, attempt + 1, `status ${res.status}`, opts.signal);
        continue;
      }
      return res;
    }
  }

  /** GET: the secret, or null for a 404 without data (a KV v2 deleted version's 404 body is returned). */
  async read(path: string, opts: ReadOptions = {}): Promise<VaultSecret | null> {
    return this.call('GET', path, { ...opts }, true);
  }

  /** PUT with a JSON body (JsonNumber written back verbatim); null on 204. */
  async write(path: string, body: unknown, opts: WriteOptions = {}): Promise<VaultSecret | null> {
    return this.call('PUT', path, { ...opts, body: stringifyVaultJson(body ?? {}) }, false);
  }

  async delete(path: string, opts: CallOptions = {}): Promise<VaultSecret | null> {
    return this.call('DELETE', path, { ...opts }, false);
  }

  /** `GET <path>?list=true` (as the Go client sends LIST): `data.keys` sorted by bytes; [] when nothing is there. */
  async list(path: string, opts: CallOptions = {}): Promise<string[]> {
    const secret = await this.call('GET', path, { ...opts, query: { list: 'true' } }, true);
    const keys = secret?.data?.keys;
    if (keys === undefined || keys === null) return [];
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string'))
      throw new VaultDecodeError('GET', requestTarget(path).path, 200, 'data.keys is not a list of strings');
    return [...(keys as string[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** `PUT auth/<mountPath>/login` without a token. The answer carries `auth` (or `wrap_info` when wrapped). */
  async login(mountPath: string, body: unknown, opts: LoginOptions = {}): Promise<VaultSecret> {
    const mount = mountPath.replace(/^\/+|\/+$/g, '');
    if (mount === '') throw new VaultConfigError('mount_path', 'the auth mount path is empty');
    const path = `auth/${mount}/login`;
    const secret = await this.call('PUT', path, { ...opts, body: stringifyVaultJson(body ?? {}) }, false);
    if (secret === null || (secret.auth === null && secret.wrap_info === null))
      throw new VaultDecodeError('PUT', requestTarget(path).path, 200, 'the login answer has no auth block');
    return secret;
  }

  async lookupSelf(token: string, opts: CallOptions = {}): Promise<VaultSecret> {
    return this.required('GET', 'auth/token/lookup-self', { ...opts, token });
  }

  /** `increment` in seconds; omitted: the token's own TTL rules. */
  async renewSelf(token: string, increment?: number, opts: CallOptions = {}): Promise<VaultSecret> {
    const body = stringifyVaultJson(increment === undefined ? {} : { increment });
    return this.required('PUT', 'auth/token/renew-self', { ...opts, token, body });
  }

  async revokeSelf(token: string, opts: CallOptions = {}): Promise<void> {
    await this.call('PUT', 'auth/token/revoke-self', { ...opts, token }, false);
  }

  async renewLease(token: string, leaseId: string, increment?: number, opts: CallOptions = {}): Promise<VaultSecret> {
    const body = stringifyVaultJson(increment === undefined ? { lease_id: leaseId } : { lease_id: leaseId, increment });
    return this.required('PUT', 'sys/leases/renew', { ...opts, token, body });
  }

  async revokeLease(token: string, leaseId: string, opts: CallOptions = {}): Promise<void> {
    await this.call(
      'PUT',
      'sys/leases/revoke',
      { ...opts, token, body: stringifyVaultJson({ lease_id: leaseId }) },
      false,
    );
  }

  /** The mount holding `path`; null when Vault answers 403 or 404 (no access, no such mount, old Vault). */
  async mountInfo(token: string, path: string, opts: CallOptions = {}): Promise<MountInfo | null> {
    const clean = path.replace(/^\/+/, '');
    let secret: VaultSecret | null;
    try {
      secret = await this.call('GET', `sys/internal/ui/mounts/${clean}`, { ...opts, token }, false);
    } catch (err) {
      if (err instanceof VaultResponseError && (err.status === 403 || err.status === 404)) return null;
      throw err;
    }
    const data = secret?.data;
    if (!data) return null;
    const options = data.options;
    const version = isJsonObject(options) && typeof options.version === 'string' ? options.version : '1';
    return {
      path: typeof data.path === 'string' ? data.path : '',
      type: typeof data.type === 'string' ? data.type : '',
      version,
    };
  }

  /** `sys/wrapping/wrap`: a response-wrapping token holding `data`, valid for `ttl`. */
  async wrap(token: string, data: unknown, ttl: string | number, opts: CallOptions = {}): Promise<VaultWrapInfo> {
    const path = 'sys/wrapping/wrap';
    const secret = await this.call(
      'PUT',
      path,
      { ...opts, token, wrapTTL: ttl, body: stringifyVaultJson(data) },
      false,
    );
    if (secret?.wrap_info == null)
      throw new VaultDecodeError('PUT', requestTarget(path).path, 200, 'the answer has no wrap_info');
    return secret.wrap_info;
  }

  /** `GET sys/health`, a single attempt; standby, sealed and uninitialised answers are results, not errors. */
  async health(opts: { signal?: AbortSignal } = {}): Promise<VaultHealth> {
    const path = 'sys/health';
    const res = await this.request('GET', path, { retry: false, ...opts });
    const target = requestTarget(path);
    if (!HEALTH_STATUSES.has(res.status)) throw this.responseError('GET', target.path, res, undefined);
    let body: JsonValue;
    try {
      body = parseVaultJson(res.body);
    } catch {
      throw new VaultDecodeError('GET', target.path, res.status, 'the body is not JSON');
    }
    if (!isJsonObject(body)) throw new VaultDecodeError('GET', target.path, res.status, 'the body is not an object');
    const num = Number(String(body.server_time_utc ?? '0'));
    return {
      status: res.status,
      initialized: body.initialized === true,
      sealed: body.sealed === true,
      standby: body.standby === true,
      version: typeof body.version === 'string' ? body.version : '',
      cluster_name: typeof body.cluster_name === 'string' ? body.cluster_name : '',
      server_time_utc: Number.isFinite(num) ? num : 0,
    };
  }

  // ---- internals ----

  private async required(method: string, path: string, opts: RawRequestOptions): Promise<VaultSecret> {
    const secret = await this.call(method, path, opts, false);
    if (secret === null) throw new VaultDecodeError(method, requestTarget(path).path, 204, 'the answer is empty');
    return secret;
  }

  /** A call whose answer is an envelope: 2xx → secret (null when empty), otherwise VaultResponseError. */
  private async call(
    method: string,
    path: string,
    opts: RawRequestOptions,
    notFoundIsNull: boolean,
  ): Promise<VaultSecret | null> {
    const res = await this.request(method, path, opts);
    const target = requestTarget(path);
    if (res.status >= 200 && res.status < 300) {
      if (res.body.trim() === '') return null;
      return this.decode(method, target.path, res);
    }
    let secret: VaultSecret | null = null;
    try {
      const parsed = parseVaultJson(res.body);
      if (isJsonObject(parsed) && ('data' in parsed || 'warnings' in parsed)) secret = decodeSecret(parsed);
    } catch {
      // an error body that is not an envelope: the errors list (or raw text) is all there is
    }
    if (res.status === 404 && notFoundIsNull) return secret !== null && isSecretWorthy(secret) ? secret : null;
    throw this.responseError(method, target.path, res, opts.token, secret);
  }

  private decode(method: string, path: string, res: RawResponse): VaultSecret {
    try {
      return decodeSecret(parseVaultJson(res.body));
    } catch (err) {
      const detail = err instanceof EnvelopeShapeError ? err.message : 'the body is not JSON';
      throw new VaultDecodeError(method, path, res.status, detail);
    }
  }

  private responseError(
    method: string,
    path: string,
    res: RawResponse,
    token: string | undefined,
    secret: VaultSecret | null = null,
  ): VaultResponseError {
    let errors: string[];
    try {
      // JSON without an `errors` list (a KV v2 deleted version's 404) has no error text
      errors = decodeErrors(parseVaultJson(res.body)) ?? [];
    } catch {
      // not JSON (a proxy's HTML page, …): its text, shortened, is the best description there is
      const text = res.body.trim();
      errors = text === '' ? [] : [text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text];
    }
    const redact = (s: string) => (token ? s.split(token).join('[redacted]') : s);
    return new VaultResponseError(res.status, method, path, errors.map(redact), secret);
  }

  private headers(opts: RawRequestOptions): Record<string, string> {
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      const key = k.toLowerCase();
      if (!HOP_BY_HOP_HEADERS.has(key)) h[key] = v;
    }
    if (this.userAgent !== undefined && h['user-agent'] === undefined) h['user-agent'] = this.userAgent;
    h['x-vault-request'] = 'true';
    if (opts.token) h['x-vault-token'] = opts.token;
    const namespace = opts.namespace ?? this.namespace;
    if (namespace) h['x-vault-namespace'] = namespace;
    else delete h['x-vault-namespace'];
    if (opts.wrapTTL !== undefined) h['x-vault-wrap-ttl'] = String(opts.wrapTTL);
    if (opts.body !== undefined && h['content-type'] === undefined) h['content-type'] = 'application/json';
    return h;
  }

  private async once(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
    callerSignal: AbortSignal | undefined,
  ): Promise<RawResponse> {
    const signals = [callerSignal, this.timeoutMs > 0 ? AbortSignal.timeout(this.timeoutMs) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const res = await this.transport.send(
      method,
      url,
      headers,
      body,
      signals.length === 0 ? undefined : AbortSignal.any(signals),
    );
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = v;
    return { status: res.status, headers: out, body: res.body };
  }

  private connectionError(
    method: string,
    path: string,
    err: unknown,
    callerSignal: AbortSignal | undefined,
  ): VaultConnectionError {
    const opts = { cause: err };
    if (callerSignal?.aborted)
      return new VaultConnectionError(method, path, this.address, 'aborted', 'cancelled', opts);
    const chain: { name?: string; code?: string; message?: string }[] = [];
    for (let e = err as { cause?: unknown } | undefined; e && chain.length < 5; e = e.cause as typeof e)
      chain.push(e as never);
    if (chain.some((e) => e.name === 'TimeoutError'))
      return new VaultConnectionError(
        method,
        path,
        this.address,
        'timeout',
        `timed out after ${this.timeoutMs} ms`,
        opts,
      );
    const tls = chain.find(
      (e) =>
        e.code !== undefined &&
        (TLS_ERROR_CODES.has(e.code) || e.code.startsWith('ERR_SSL_') || e.code.startsWith('ERR_TLS_')),
    );
    if (tls) {
      const detail = `${nodeTlsText(tls.message) ?? tls.code ?? 'TLS error'}${tlsHint(tls.code)}`;
      return new VaultConnectionError(method, path, this.address, 'tls', detail, opts);
    }
    const first = chain.find((e) => e.code !== undefined) ?? chain[0];
    const detail = [first?.code, first?.message].filter((s) => s !== undefined && s !== '').join(': ');
    return new VaultConnectionError(method, path, this.address, 'network', detail || String(err), opts);
  }

  private async waitBeforeRetry(
    method: string,
    path: string,
    retry: number,
    why: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const ms = retryDelayMs(retry, this.backoff, this.random());
    this.log?.debug('retrying request', { method, path, retry, wait_ms: ms, reason: why });
    try {
      await this.sleep(ms, signal);
    } catch (err) {
      throw new VaultConnectionError(method, path, this.address, 'aborted', 'cancelled', { cause: err });
    }
  }
}
