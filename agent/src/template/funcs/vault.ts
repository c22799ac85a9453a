// The Vault template functions (secret, secrets, pkiCert) and the Go values they return. Pure: data comes from
// the runner through FuncContext.use.

import type { Dependency, PemBundle, VaultSecretData } from '../dependencies.js';
import type { FuncMap } from '../exec.js';
import { GoNil, GoStruct, markNil, markStringSlice } from '../fmt.js';
import type { FuncContext } from './context.js';

/** consul-template's path clean-up: whitespace and leading/trailing slashes go; nothing left is an error. */
export function cleanPath(kind: string, raw: string): string {
  const path = raw.trim().replace(/^\/+|\/+$/g, '');
  if (path === '') throw new Error(`${kind}: invalid format: ""`);
  return path;
}

/** "k=v" arguments to a string map: split on the first "=", both sides trimmed, empty arguments skipped. */
export function parseKeyValues(args: readonly string[]): Record<string, string> {
  const data: Record<string, string> = {};
  for (const arg of args) {
    if (arg === '') continue;
    const at = arg.indexOf('=');
    if (at < 0) throw new Error(`not k=v pair ${JSON.stringify(arg)}`);
    data[arg.slice(0, at).trim()] = arg.slice(at + 1).trim();
  }
  return data;
}

/** A Vault response as consul-template's `*dependency.Secret`. */
export function secretStruct(s: VaultSecretData): GoStruct {
  const auth =
    s.auth === null
      ? new GoNil('*dependency.SecretAuth')
      : new GoStruct(
          'dependency.SecretAuth',
          [
            ['ClientToken', s.auth.client_token],
            ['Accessor', s.auth.accessor],
            [
              'Policies',
              s.auth.policies === null ? markNil(markStringSlice([])) : markStringSlice([...s.auth.policies]),
            ],
            ['Metadata', s.auth.metadata === null ? markNil({}) : { ...s.auth.metadata }],
            ['LeaseDuration', s.auth.lease_duration],
            ['Renewable', s.auth.renewable],
          ],
          true,
        );
  const wrapInfo =
    s.wrap_info === null
      ? new GoNil('*dependency.SecretWrapInfo')
      : new GoStruct(
          'dependency.SecretWrapInfo',
          [
            ['Token', s.wrap_info.token],
            ['TTL', s.wrap_info.ttl],
            ['CreationTime', s.wrap_info.creation_time],
            ['WrappedAccessor', s.wrap_info.accessor],
          ],
          true,
        );
  return new GoStruct(
    'dependency.Secret',
    [
      ['RequestID', s.request_id],
      ['LeaseID', s.lease_id],
      ['LeaseDuration', s.lease_duration],
      ['Renewable', s.renewable],
      ['Data', s.data ?? markNil({})],
      ['Warnings', s.warnings === null ? markNil(markStringSlice([])) : markStringSlice([...s.warnings])],
      ['Auth', auth],
      ['WrapInfo', wrapInfo],
    ],
    true,
  );
}

/** pkiCert's `dependency.PemEncoded`; its Data method returns the value itself. */
export function pemStruct(b: PemBundle): GoStruct {
  return new GoStruct(
    'dependency.PemEncoded',
    [
      ['Cert', b.cert],
      ['Key', b.key],
      ['CA', b.ca],
      ['CAChain', markStringSlice([...b.caChain])],
    ],
    false,
    { Data: (self) => self },
  );
}

/** The dependency `secret "path" [k=v…]` stands for. */
export function secretDependency(args: readonly string[]): Dependency {
  const [raw = '', ...rest] = args;
  if (rest.length === 0) return { kind: 'vault.read', path: cleanPath('vault.read', raw) };
  const data = parseKeyValues(rest);
  return { kind: 'vault.write', path: cleanPath('vault.write', raw), data };
}

export function vaultFuncs(ctx: FuncContext): FuncMap {
  return {
    secret: {
      params: 0,
      variadic: true,
      types: ['string'],
      fn: (...args) => {
        if (args.length === 0) return null;
        const value = ctx.use(secretDependency(args as string[]));
        return value === undefined ? null : secretStruct(value as VaultSecretData);
      },
    },
    secrets: {
      params: 1,
      types: ['string'],
      fn: (raw) => {
        // Like consul-template: an empty path or no data yet gives a nil []string.
        if (raw === '') return markNil(markStringSlice([]));
        const value = ctx.use({ kind: 'vault.list', path: cleanPath('vault.list', raw as string) });
        return value === undefined ? markNil(markStringSlice([])) : markStringSlice([...(value as string[])].sort());
      },
    },
    pkiCert: {
      params: 0,
      variadic: true,
      types: ['string'],
      fn: (...args) => {
        if (args.length === 0) return null;
        const [raw = '', ...rest] = args as string[];
        const dependency: Dependency = {
          kind: 'vault.pki',
          path: cleanPath('vault.pki', raw),
          data: parseKeyValues(rest),
          destination: ctx.destination,
        };
        const value = ctx.use(dependency);
        return value === undefined ? null : pemStruct(value as PemBundle);
      },
    },
  };
}
