import { parseGoDuration } from '../../webhook/src/core/go-parse.js';

/**
 * What `vault-injector token-revoke` does, from its Go-style flags and the VAULT_* environment (flags win,
 * as in vault's CLI). Pure: no file or network access here.
 */
export interface RevokeSettings {
  readonly address: string;
  readonly caCert: string;
  readonly caPath: string;
  /** VAULT_CACERT_BYTES: PEM given inline, as the injector sets it on the agent containers. */
  readonly caCertBytes: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly tlsSkipVerify: boolean;
  readonly tlsServerName: string;
  readonly namespace: string;
  /** Sleep before revoking: the pod's grace period for the app to stop using its secrets. */
  readonly waitMs: number;
  /** Per-request timeout (VAULT_CLIENT_TIMEOUT, default 60 s). */
  readonly timeoutMs: number;
  /** Extra attempts after a 5xx, 412 or a failed connection (VAULT_MAX_RETRIES, default 2). */
  readonly maxRetries: number;
}

export class RevokeUsageError extends Error {
  override readonly name = 'RevokeUsageError';
}

/** Vault CLI's address when neither -address nor VAULT_ADDR is given. */
export const DEFAULT_ADDRESS = 'https://127.0.0.1:8200';

export const REVOKE_HELP = [
  'Usage: vault-injector token-revoke -self [flags]',
  '',
  "Revokes this agent's own Vault token (PUT /v1/auth/token/revoke-self), as the sidecar's preStop hook.",
  'The token is VAULT_TOKEN, else the contents of $HOME/.vault-token (the agent sink file).',
  '',
  '  -self                     revoke the token in use (required)',
  '  -wait=<duration>          sleep first: seconds (5) or a Go duration (5s, 1m30s); default 0',
  '  -address=<url>            Vault address (VAULT_ADDR; default https://127.0.0.1:8200)',
  '  -ca-cert=<file>           PEM CA bundle to verify Vault (VAULT_CACERT)',
  '  -ca-path=<dir>            directory of PEM CA certificates (VAULT_CAPATH)',
  '  -client-cert=<file>       PEM client certificate (VAULT_CLIENT_CERT)',
  '  -client-key=<file>        PEM client key (VAULT_CLIENT_KEY)',
  "  -tls-skip-verify          do not verify Vault's certificate (VAULT_SKIP_VERIFY)",
  '  -tls-server-name=<name>   SNI and certificate name to expect (VAULT_TLS_SERVER_NAME)',
  '  -namespace=<ns>           Vault Enterprise namespace (VAULT_NAMESPACE)',
  '',
  'Exit status: 0 revoked, 1 the revocation failed, 2 bad usage.',
  '',
].join('\n');

type FlagKind = 'string' | 'bool' | 'duration';
const FLAGS: Record<string, FlagKind> = {
  self: 'bool',
  wait: 'duration',
  address: 'string',
  'ca-cert': 'string',
  'ca-path': 'string',
  'client-cert': 'string',
  'client-key': 'string',
  'tls-skip-verify': 'bool',
  'tls-server-name': 'string',
  namespace: 'string',
};

/** Go's strconv.ParseBool, as flag and vault's env parsing use it. */
function parseBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** `5` (seconds, as agent-revoke-grace is written) or a Go duration (`5s`, `1m30s`); never negative. */
export function parseWait(text: string, what: string): number {
  const trimmed = text.trim();
  let ms: number | undefined;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const ns = parseGoDuration(trimmed);
    if (ns !== undefined) ms = Number(ns) / 1e6;
  }
  if (ms === undefined || !Number.isFinite(ms))
    throw new RevokeUsageError(
      `invalid value ${JSON.stringify(text)} for ${what}: expected seconds (5) or a Go duration (5s, 1m30s)`,
    );
  if (ms < 0) throw new RevokeUsageError(`invalid value ${JSON.stringify(text)} for ${what}: must not be negative`);
  if (ms > 2 ** 31 - 1) throw new RevokeUsageError(`invalid value ${JSON.stringify(text)} for ${what}: too long`);
  return ms;
}

function envBool(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name] ?? '';
  if (raw === '') return false;
  const v = parseBool(raw);
  if (v === undefined) throw new RevokeUsageError(`invalid boolean ${JSON.stringify(raw)} in ${name}`);
  return v;
}

function envCount(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name] ?? '';
  if (raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > 100)
    throw new RevokeUsageError(`invalid value ${JSON.stringify(raw)} in ${name}: expected a count from 0 to 100`);
  return Number(raw);
}

/**
 * Parses Go `flag`-style arguments (`-name=value`, `--name=value`, `-name value`, bare `-bool`). Returns
 * undefined for -h/-help (the caller prints REVOKE_HELP); throws RevokeUsageError for anything wrong.
 */
export function parseRevokeArgs(args: readonly string[], env: NodeJS.ProcessEnv): RevokeSettings | undefined {
  const given = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    if (name === 'h' || name === 'help') return undefined;
    const kind = FLAGS[name];
    if (!kind) throw new RevokeUsageError(`flag provided but not defined: -${name}`);
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (kind === 'bool') value = 'true';
    else {
      const next = args[i + 1];
      if (next === undefined) throw new RevokeUsageError(`flag needs an argument: -${name}`);
      value = next;
      i++;
    }
    if (kind === 'bool' && parseBool(value) === undefined)
      throw new RevokeUsageError(`invalid boolean value ${JSON.stringify(value)} for -${name}`);
    given.set(name, value);
  }
  if (positional.length > 0)
    throw new RevokeUsageError(
      `unexpected argument ${JSON.stringify(positional[0])}: only -self is supported, which takes no token argument`,
    );
  if (parseBool(given.get('self') ?? 'false') !== true)
    throw new RevokeUsageError(
      '-self is required: token-revoke only revokes the token it uses (VAULT_TOKEN or $HOME/.vault-token)',
    );

  const pick = (flag: string, envName: string) => given.get(flag) ?? env[envName] ?? '';
  const address = pick('address', 'VAULT_ADDR') || DEFAULT_ADDRESS;
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new RevokeUsageError(
      `invalid Vault address ${JSON.stringify(address)}: expected a URL such as https://vault:8200`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RevokeUsageError(`invalid Vault address ${JSON.stringify(address)}: the scheme must be http or https`);
  const timeoutRaw = env.VAULT_CLIENT_TIMEOUT ?? '';
  return {
    address: address.replace(/\/+$/, ''),
    caCert: pick('ca-cert', 'VAULT_CACERT'),
    caPath: pick('ca-path', 'VAULT_CAPATH'),
    caCertBytes: env.VAULT_CACERT_BYTES ?? '',
    clientCert: pick('client-cert', 'VAULT_CLIENT_CERT'),
    clientKey: pick('client-key', 'VAULT_CLIENT_KEY'),
    tlsSkipVerify: given.has('tls-skip-verify')
      ? parseBool(given.get('tls-skip-verify') as string) === true
      : envBool(env, 'VAULT_SKIP_VERIFY'),
    tlsServerName: pick('tls-server-name', 'VAULT_TLS_SERVER_NAME'),
    namespace: pick('namespace', 'VAULT_NAMESPACE'),
    waitMs: given.has('wait') ? parseWait(given.get('wait') as string, '-wait') : 0,
    timeoutMs: timeoutRaw === '' ? 60_000 : parseWait(timeoutRaw, 'VAULT_CLIENT_TIMEOUT') || 60_000,
    maxRetries: envCount(env, 'VAULT_MAX_RETRIES', 2),
  };
}
