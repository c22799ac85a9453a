// The contract between templates and the agent's runner: what a template asks for (a Dependency) and how the
// runner answers (a DependencySource). Templates never do I/O; the runner fetches, caches and schedules.

/**
 * A JSON number kept exactly as Vault wrote it (Go's json.Number): templates print `3600` and `1.50` verbatim,
 * `eq .n "3600"` is true, and toJSON writes it back as a number.
 */
export class JsonNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A value decoded from Vault's JSON: objects are plain objects, numbers stay lexemes. */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

/** One thing a template needs from outside. `path` is trimmed of whitespace and of leading/trailing `/`. */
export type Dependency =
  /** `secret "path"`: GET /v1/<path> (KV v2 paths rewritten by the runner); a `?version=N` query is kept. */
  | { readonly kind: 'vault.read'; readonly path: string }
  /** `secret "path" "k=v" ...`: PUT /v1/<path> with the string map as body (even when it is empty). */
  | { readonly kind: 'vault.write'; readonly path: string; readonly data: Readonly<Record<string, string>> }
  /** `secrets "path"`: LIST; the answer is the sorted key list. */
  | { readonly kind: 'vault.list'; readonly path: string }
  /** `pkiCert "pki/issue/role" "k=v" ...`: issue, cached in the template's destination file. */
  | {
      readonly kind: 'vault.pki';
      readonly path: string;
      readonly data: Readonly<Record<string, string>>;
      readonly destination: string;
    }
  /** `file "path"`: the file's content. */
  | { readonly kind: 'file'; readonly path: string };

/** The parts of Vault's response envelope a template can see (field names as in Vault's JSON). */
export interface VaultSecretData {
  readonly request_id: string;
  readonly lease_id: string;
  readonly lease_duration: number;
  readonly renewable: boolean;
  readonly data: { readonly [key: string]: JsonValue } | null;
  readonly warnings: readonly string[] | null;
  readonly auth: {
    readonly client_token: string;
    readonly accessor: string;
    readonly policies: readonly string[] | null;
    readonly metadata: Readonly<Record<string, string>> | null;
    readonly lease_duration: number;
    readonly renewable: boolean;
  } | null;
  readonly wrap_info: {
    readonly token: string;
    readonly accessor: string;
    readonly ttl: number;
    readonly creation_time: string;
    readonly creation_path: string;
  } | null;
}

/** PEM blocks of an issued certificate, as pkiCert returns them. */
export interface PemBundle {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
  readonly caChain: readonly string[];
}

/**
 * What the runner gives the template functions. `get` answers synchronously from the runner's cache:
 * `undefined` means "not fetched yet" (the dependency is recorded and the template is not written this pass).
 * Values by kind: vault.read/vault.write -> VaultSecretData; vault.list -> string[] (sorted);
 * vault.pki -> PemBundle; file -> string.
 */
export interface DependencySource {
  get(dependency: Dependency): unknown;
}

/** A stable identity for a dependency, used as the runner's cache key and in logs (consul-template's String()). */
export function dependencyKey(d: Dependency): string {
  switch (d.kind) {
    case 'vault.read':
      return `vault.read(${d.path})`;
    case 'vault.list':
      return `vault.list(${d.path})`;
    case 'file':
      return `file(${d.path})`;
    case 'vault.write':
    case 'vault.pki': {
      const pairs = Object.keys(d.data)
        .sort()
        .map((k) => `${k}=${d.data[k]}`)
        .join('&');
      return `${d.kind === 'vault.pki' ? 'vault.pki' : 'vault.write'}(${d.path} -> ${pairs})`;
    }
  }
}
