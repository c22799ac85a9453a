import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { RequestOptions } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { nodeHttps } from './builtins.js';
import { parseRevokeArgs, REVOKE_HELP, type RevokeSettings, RevokeUsageError } from './token-revoke-flags.js';
import { nodeTlsText } from './vault/errors.js';

export interface RevokeIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export interface RevokeDeps {
  readonly sleep: (ms: number) => Promise<void>;
  readonly readFile: (path: string) => string;
}

const realDeps: RevokeDeps = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  readFile: (path) => readFileSync(path, 'utf8'),
};

/** A failure to report in one line; its message never holds the token. */
export class RevokeError extends Error {
  override readonly name = 'RevokeError';
}

interface TokenSource {
  readonly token: string;
  /** Where it came from, for messages: `VAULT_TOKEN` or the file path. */
  readonly from: string;
}

/** VAULT_TOKEN wins (as in vault's CLI); otherwise the token helper file `$HOME/.vault-token`. */
export function readToken(env: NodeJS.ProcessEnv, readFile: (path: string) => string): TokenSource {
  const fromEnv = (env.VAULT_TOKEN ?? '').trim();
  if (fromEnv !== '') return { token: fromEnv, from: 'VAULT_TOKEN' };
  const path = join(env.HOME || homedir(), '.vault-token');
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RevokeError(
      code === 'ENOENT'
        ? `no token to revoke: VAULT_TOKEN is empty and ${path} does not exist`
        : `no token to revoke: cannot read ${path}: ${code ?? (err as Error).message}`,
    );
  }
  const token = text.trim();
  if (token === '') throw new RevokeError(`no token to revoke: ${path} is empty`);
  return { token, from: path };
}

function readCaPath(dir: string): string[] {
  try {
    return readdirSync(dir)
      .map((f) => join(dir, f))
      .filter((p) => statSync(p).isFile())
      .map((p) => readFileSync(p, 'utf8'));
  } catch (err) {
    throw new RevokeError(`cannot read CA directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new RevokeError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

/** TLS options for node:https from the settings (files are read here, once). */
export function tlsOptions(s: RevokeSettings): RequestOptions {
  const ca: string[] = [];
  if (s.caCertBytes !== '') ca.push(s.caCertBytes);
  if (s.caCert !== '') ca.push(readPem(s.caCert, 'CA certificate'));
  if (s.caPath !== '') ca.push(...readCaPath(s.caPath));
  if ((s.clientCert === '') !== (s.clientKey === ''))
    throw new RevokeError('-client-cert and -client-key must be given together');
  return {
    ...(ca.length ? { ca } : {}),
    ...(s.clientCert !== ''
      ? { cert: readPem(s.clientCert, 'client certificate'), key: readPem(s.clientKey, 'client key') }
      : {}),
    rejectUnauthorized: !s.tlsSkipVerify,
    ...(s.tlsServerName !== '' ? { servername: s.tlsServerName } : {}),
  };
}

interface Reply {
  readonly status: number;
  readonly text: string;
}

function put(url: URL, headers: Record<string, string>, tls: RequestOptions, timeoutMs: number): Promise<Reply> {
  const opts: RequestOptions = { method: 'PUT', headers: { ...headers, 'content-length': '0' }, timeout: timeoutMs };
  const send = url.protocol === 'https:' ? nodeHttps().request : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, url.protocol === 'https:' ? { ...opts, ...tls } : opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Vault's `{"errors":[...]}` as one short string (Vault never echoes the token in them). */
function vaultErrors(text: string): string {
  try {
    const errors = (JSON.parse(text) as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length) return errors.map(String).join('; ');
  } catch {
    // not JSON: a proxy's page, say
  }
  return text.trim().slice(0, 200) || '(no error text)';
}

const retryable = (status: number) => status === 412 || status >= 500;

/**
 * PUT /v1/auth/token/revoke-self with bounded retries (5xx, 412 and connection failures, as vault's
 * client does); resolves on 204/200, throws RevokeError otherwise.
 */
export async function revokeSelf(
  s: RevokeSettings,
  token: string,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const url = new URL(`${s.address}/v1/auth/token/revoke-self`);
  const headers: Record<string, string> = { 'x-vault-token': token, 'x-vault-request': 'true' };
  if (s.namespace !== '') headers['x-vault-namespace'] = s.namespace;
  const tls = url.protocol === 'https:' ? tlsOptions(s) : {};
  const where = `PUT ${url.href}`;
  let last = '';
  for (let attempt = 0; attempt <= s.maxRetries; attempt++) {
    if (attempt > 0) await sleep(Math.min(250 * 2 ** (attempt - 1), 2000));
    let reply: Reply;
    try {
      reply = await put(url, headers, tls, s.timeoutMs);
    } catch (err) {
      last = `${where}: cannot reach Vault: ${nodeTlsText((err as Error).message)}`;
      continue;
    }
    if (reply.status === 204 || reply.status === 200) return;
    last = `${where}: HTTP ${reply.status}: ${vaultErrors(reply.text)}`;
    if (!retryable(reply.status)) break;
  }
  throw new RevokeError(last.replaceAll(token, '<token>'));
}

/** `vault-injector token-revoke`: returns the exit status (0 revoked, 1 failed, 2 bad usage). */
export async function runTokenRevoke(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  io: RevokeIO,
  deps: RevokeDeps = realDeps,
): Promise<number> {
  let settings: RevokeSettings | undefined;
  try {
    settings = parseRevokeArgs(args, env);
  } catch (err) {
    if (!(err instanceof RevokeUsageError)) throw err;
    io.err(`token-revoke: ${err.message}\n(run "vault-injector token-revoke -h" for the flags)\n`);
    return 2;
  }
  if (!settings) {
    io.out(REVOKE_HELP);
    return 0;
  }
  // Wait first: the agent may re-authenticate during the grace period and write a new token.
  if (settings.waitMs > 0) await deps.sleep(settings.waitMs);
  try {
    const { token, from } = readToken(env, deps.readFile);
    await revokeSelf(settings, token, deps.sleep);
    io.out(`token-revoke: revoked the Vault token from ${from} at ${settings.address}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof RevokeError)) throw err;
    io.err(`token-revoke: revoking the Vault token failed: ${err.message}\n`);
    return 1;
  }
}
