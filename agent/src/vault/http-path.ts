/** Building request URLs the way Vault's Go client does. Pure. */

export type QueryValues = Readonly<Record<string, string | readonly string[]>>;

/** Bytes Go leaves unescaped in a URL path; everything else is percent-encoded (UTF-8). */
const PATH_SAFE = /[A-Za-z0-9\-_.~$&+,/:;=@]/;

export function escapePath(path: string): string {
  let out = '';
  for (const ch of path) {
    if (PATH_SAFE.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export interface RequestTarget {
  /** `/v1/<path>` escaped, without the query: what messages show. */
  readonly path: string;
  /** The query string including `?`, or `''`. */
  readonly search: string;
}

/**
 * `secret/data/app?version=2` plus extra query values → `/v1/secret/data/app` and `?version=2&...`.
 * `path` is relative to `/v1/`; leading slashes are dropped, a trailing one is kept (`secret/metadata/`).
 */
export function requestTarget(path: string, query: QueryValues = {}): RequestTarget {
  const q = path.indexOf('?');
  const rawPath = q === -1 ? path : path.slice(0, q);
  const params = new URLSearchParams(q === -1 ? '' : path.slice(q + 1));
  for (const [key, value] of Object.entries(query)) {
    for (const v of typeof value === 'string' ? [value] : value) params.append(key, v);
  }
  const relative = rawPath.replace(/^\/+/, '');
  const search = params.toString();
  return { path: `/v1/${escapePath(relative)}`, search: search === '' ? '' : `?${search}` };
}
