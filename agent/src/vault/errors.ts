/**
 * Errors of the Vault client. Each has a `code` to branch on; messages name the method and the path
 * (never the query string, a body or a token) so they are safe to log.
 */
import type { VaultSecret } from './envelope.js';

export const VAULT_ERROR_CODES = ['VAULT_RESPONSE', 'VAULT_CONNECTION', 'VAULT_DECODE', 'VAULT_CONFIG'] as const;
export type VaultErrorCode = (typeof VAULT_ERROR_CODES)[number];

export abstract class VaultClientError extends Error {
  abstract readonly code: VaultErrorCode;
}

/** Vault answered with a status the caller did not expect (>= 400, after any retries). */
export class VaultResponseError extends VaultClientError {
  readonly code = 'VAULT_RESPONSE';
  constructor(
    readonly status: number,
    readonly method: string,
    /** `/v1/<path>`, without the query string. */
    readonly path: string,
    /** Vault's `errors` array, multierror text split into its items; tokens of the request redacted. */
    readonly errors: readonly string[],
    /** The envelope when the error body carried one (a KV v2 deleted or destroyed version answers 404 so). */
    readonly secret: VaultSecret | null = null,
  ) {
    super(`${method} ${path}: ${status} ${errors.length > 0 ? errors.join('; ') : statusText(status)}`);
    this.name = 'VaultResponseError';
  }

  /** A 403 because the token is invalid, expired or revoked: re-authenticating can help. */
  get invalidToken(): boolean {
    return this.status === 403 && this.errors.some((e) => e.includes('invalid token'));
  }

  /** A 403 for a valid token that lacks the policy (or a login that was refused); not an invalid token. */
  get permissionDenied(): boolean {
    return this.status === 403 && !this.invalidToken;
  }
}

/** No HTTP answer: connection refused or dropped, TLS failure, timeout, or cancelled by the caller. */
export class VaultConnectionError extends VaultClientError {
  readonly code = 'VAULT_CONNECTION';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly address: string,
    readonly reason: 'network' | 'tls' | 'timeout' | 'aborted',
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${method} ${path}: cannot reach Vault at ${address}: ${detail}`, options);
    this.name = 'VaultConnectionError';
  }
}

/** Vault answered, but the body is not the JSON we expect. */
export class VaultDecodeError extends VaultClientError {
  readonly code = 'VAULT_DECODE';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    detail: string,
  ) {
    super(`${method} ${path}: ${status} unexpected response: ${detail}`);
    this.name = 'VaultDecodeError';
  }
}

/** The client's settings are invalid (bad environment variable, unreadable CA file, …). */
export class VaultConfigError extends VaultClientError {
  readonly code = 'VAULT_CONFIG';
  constructor(
    /** The setting at fault: an environment variable or a `vault` block field. */
    readonly setting: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${setting}: ${message}`, options);
    this.name = 'VaultConfigError';
  }
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'bad request',
  403: 'forbidden',
  404: 'not found',
  405: 'method not allowed',
  412: 'precondition failed',
  429: 'too many requests',
  500: 'internal server error',
  501: 'not implemented',
  502: 'bad gateway',
  503: 'service unavailable',
};

function statusText(status: number): string {
  return STATUS_TEXT[status] ?? '(no error text)';
}

/**
 * Node's TLS error text without the advice Node 24 appends ("if the root CA is installed locally, try running
 * Node.js with --use-system-ca"): a pod cannot pass Node flags, and tlsHint says what to set instead.
 */
export function nodeTlsText(message: string | undefined): string | undefined {
  return message?.replace(/; if the root CA is installed locally, try running Node\.js with --use-system-ca$/, '');
}
