// KV v2 path handling (spec §3.1, §3.2, §1.8): templates name `secret/foo`; on a v2 mount the runner reads
// `secret/data/foo`, lists `secret/metadata/foo` and wraps writes in {"data": …}. The mount is looked up through
// sys/internal/ui/mounts and cached for the runner's life (KvMounts).
import type { Logger } from '../../../cli/log.js';
import type { RunnerVaultPort } from './port.js';

export interface MountInfo {
  readonly path: string;
  readonly type: string;
  readonly version: string;
}

/** Splits `a/b?version=2` into the path and the query (with its `?`), so rewrites keep the query. */
export function splitQuery(path: string): { path: string; query: string } {
  const i = path.indexOf('?');
  return i < 0 ? { path, query: '' } : { path: path.slice(0, i), query: path.slice(i) };
}

export const isKvV2 = (info: MountInfo | null | undefined): boolean =>
  info !== null && info !== undefined && info.type === 'kv' && info.version === '2';

/** The part of `path` below the mount, or undefined when `path` is not under it. `mount` ends in `/`. */
function belowMount(path: string, mount: string): string | undefined {
  const m = mount.endsWith('/') ? mount : `${mount}/`;
  if (`${path}/` === m) return '';
  return path.startsWith(m) ? path.slice(m.length) : undefined;
}

/** Read/write path on a KV v2 mount: `<mount>/<rest>` -> `<mount>/data/<rest>` unless already data/metadata/subkeys. */
export function kvV2DataPath(rawPath: string, mount: string): string {
  const { path, query } = splitQuery(rawPath);
  const rest = belowMount(path, mount);
  if (rest === undefined) return rawPath;
  const m = mount.endsWith('/') ? mount : `${mount}/`;
  if (rest === '') return `${m}data${query}`;
  if (/^(data|metadata|subkeys)(\/|$)/.test(rest)) return rawPath;
  return `${m}data/${rest}${query}`;
}

/** List path on a KV v2 mount: `<mount>/<rest>` -> `<mount>/metadata/<rest>`. */
export function kvV2ListPath(path: string, mount: string): string {
  const rest = belowMount(path, mount);
  if (rest === undefined) return path;
  const m = mount.endsWith('/') ? mount : `${mount}/`;
  if (rest === '') return `${m}metadata`;
  if (/^metadata(\/|$)/.test(rest)) return path;
  return `${m}metadata/${rest}`;
}

/** KV v2 answers a deleted version with a 404 carrying metadata; a deletion_time in the past means "no secret". */
export function isDeletedKvV2(data: { readonly data: unknown } | null, nowMs: number): boolean {
  const inner = data?.data as { metadata?: { deletion_time?: unknown }; data?: unknown } | null | undefined;
  const deletion = inner?.metadata?.deletion_time;
  if (typeof deletion !== 'string' || deletion === '') return false;
  const t = Date.parse(deletion);
  return Number.isFinite(t) && t <= nowMs;
}

/** The first segment of a path (`secret` of `secret/app/db`): every mount path is at least this long. */
const firstSegment = (path: string): string => path.split('/', 1)[0] ?? '';

/**
 * Per-runner cache of mount lookups. Failures count as "not KV v2" (consul-template does the same).
 * consul-template asks sys/internal/ui/mounts once per secret path; Vault refuses to mount one path inside another,
 * so once a lookup has named the mount a path lies under, every other path under it has the same answer. Lookups
 * that start while one for the same first segment is in flight wait for it: 50 secrets on `secret/` cost one
 * lookup instead of 50. Only lookups that answered are shared; a refused one (403) never speaks for another path.
 */
export class KvMounts {
  private readonly cache = new Map<string, Promise<MountInfo | null>>();
  /** Mounts named by lookups, each the mount of the path it was asked for. */
  private readonly known: MountInfo[] = [];
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly vault: Pick<RunnerVaultPort, 'mountInfo'>,
    private readonly logger: Logger,
  ) {}

  /** The mount of `path` when it is a KV v2 mount, else undefined. */
  async kvV2Mount(rawPath: string): Promise<string | undefined> {
    const { path } = splitQuery(rawPath);
    let pending = this.cache.get(path);
    if (pending === undefined) {
      pending = this.lookup(path);
      this.cache.set(path, pending);
    }
    const info = await pending;
    return isKvV2(info) && info ? info.path : undefined;
  }

  /** The longest known mount that `path` lies under. */
  private knownMountOf(path: string): MountInfo | undefined {
    let best: MountInfo | undefined;
    for (const m of this.known) {
      if (belowMount(path, m.path) !== undefined && m.path.length > (best?.path.length ?? -1)) best = m;
    }
    return best;
  }

  private async lookup(path: string): Promise<MountInfo | null> {
    const segment = firstSegment(path);
    const earlier = this.inFlight.get(segment);
    if (earlier) await earlier;
    const known = this.knownMountOf(path);
    if (known) return known;
    const own = this.vault.mountInfo(path).then(
      (info) => {
        if (info && belowMount(path, info.path) !== undefined) this.known.push(info);
        return info;
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        this.logger.warn(`(view) failed to check if ${path} is KVv2, assume not: ${message}`);
        return null;
      },
    );
    if (!this.inFlight.has(segment)) {
      this.inFlight.set(segment, own);
      void own.then(() => {
        if (this.inFlight.get(segment) === own) this.inFlight.delete(segment);
      });
    }
    return own;
  }

  async readPath(path: string): Promise<{ path: string; v2: boolean }> {
    const mount = await this.kvV2Mount(path);
    return mount === undefined ? { path, v2: false } : { path: kvV2DataPath(path, mount), v2: true };
  }

  async listPath(path: string): Promise<string> {
    const mount = await this.kvV2Mount(path);
    return mount === undefined ? path : kvV2ListPath(path, mount);
  }
}
