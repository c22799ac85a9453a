import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KubeClient } from '../kube.js';
import { fieldValue } from './fields.js';
import type { DownwardItem, KeyToPath, Pod, ProjectedSource, Volume } from './types.js';

/** A volume made real on this machine: a directory (or file tree) to bind into containers. */
export interface MaterializedVolume {
  readonly name: string;
  readonly hostPath: string;
  /** Undo what was done for it (unmount tmpfs, stop token refresh). */
  readonly release: () => void;
}

const DEFAULT_MODE = 0o644;
/** The kubelet refreshes a projected token once 80% of its lifetime has passed. */
export const TOKEN_REFRESH_FRACTION = 0.8;

/** Writes a file the way the kubelet's atomic writer makes it appear: all at once (temp file + rename). */
function writeAtomic(path: string, content: string | Buffer, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

function projectKeys(
  dir: string,
  data: Record<string, string | Buffer>,
  items: readonly KeyToPath[] | undefined,
  mode: number,
  what: string,
): void {
  const wanted: readonly KeyToPath[] = items ?? Object.keys(data).map((key) => ({ key, path: key }));
  for (const item of wanted) {
    const value = data[item.key];
    if (value === undefined) throw new Error(`pod runner: ${what} has no key ${JSON.stringify(item.key)}`);
    writeAtomic(join(dir, item.path), value, item.mode ?? mode);
  }
}

async function configMapData(kube: KubeClient, ns: string, name: string, optional: boolean | undefined) {
  const cm = await kube.tryGet<{ data?: Record<string, string>; binaryData?: Record<string, string> }>(
    `/api/v1/namespaces/${ns}/configmaps/${name}`,
  );
  if (!cm) {
    if (optional) return {};
    throw new Error(`pod runner: configmap ${ns}/${name} not found`);
  }
  const out: Record<string, string | Buffer> = { ...cm.data };
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

async function secretData(kube: KubeClient, ns: string, name: string, optional: boolean | undefined) {
  const s = await kube.tryGet<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/secrets/${name}`);
  if (!s) {
    if (optional) return {};
    throw new Error(`pod runner: secret ${ns}/${name} not found`);
  }
  return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

function writeDownward(dir: string, pod: Pod, items: readonly DownwardItem[], mode: number): void {
  for (const item of items) {
    if (!item.fieldRef)
      throw new Error(`pod runner: downwardAPI item ${item.path} has no fieldRef (resourceFieldRef is not supported)`);
    writeAtomic(join(dir, item.path), fieldValue(pod, item.fieldRef.fieldPath), item.mode ?? mode);
  }
}

/** Requests a pod-bound token and keeps it fresh at 80% of its life, like the kubelet. */
async function projectToken(
  kube: KubeClient,
  pod: Pod,
  dir: string,
  src: NonNullable<ProjectedSource['serviceAccountToken']>,
  mode: number,
  timers: Set<NodeJS.Timeout>,
  onError: (message: string) => void,
): Promise<void> {
  const expirationSeconds = src.expirationSeconds ?? 3600;
  const refresh = async () => {
    const { token } = await kube.createToken(pod.metadata.namespace, pod.spec.serviceAccountName ?? 'default', {
      audiences: src.audience ? [src.audience] : [],
      expirationSeconds,
      boundPod: { name: pod.metadata.name, uid: pod.metadata.uid },
    });
    writeAtomic(join(dir, src.path), token, mode);
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        refresh().catch((err: Error) => onError(`token refresh for ${src.path} failed: ${err.message}`));
      },
      expirationSeconds * 1000 * TOKEN_REFRESH_FRACTION,
    );
    timer.unref();
    timers.add(timer);
  };
  await refresh();
}

/** Materializes one pod volume under `root`, reading configMaps, secrets and tokens from the API server. */
export async function materializeVolume(
  kube: KubeClient,
  pod: Pod,
  volume: Volume,
  root: string,
  onError: (message: string) => void,
): Promise<MaterializedVolume> {
  const dir = join(root, volume.name);
  const ns = pod.metadata.namespace;
  const timers = new Set<NodeJS.Timeout>();
  let mounted = false;
  const release = () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    if (mounted) {
      execFileSync('umount', ['-l', dir]);
      mounted = false;
    }
  };
  if (volume.hostPath) return { name: volume.name, hostPath: volume.hostPath.path, release };
  mkdirSync(dir, { recursive: true });
  try {
    if (volume.emptyDir) {
      if (volume.emptyDir.medium === 'Memory') {
        try {
          execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=0777,size=64m', 'tmpfs', dir], { stdio: 'pipe' });
          mounted = true;
        } catch {
          // no tmpfs here (not root, or no mount permission): a plain directory behaves the same for tests
        }
      }
      chmodSync(dir, 0o777); // the kubelet creates emptyDirs world-writable
    } else if (volume.configMap) {
      const data = await configMapData(kube, ns, volume.configMap.name, volume.configMap.optional);
      projectKeys(
        dir,
        data,
        volume.configMap.items,
        volume.configMap.defaultMode ?? DEFAULT_MODE,
        `configmap ${volume.configMap.name}`,
      );
    } else if (volume.secret) {
      const data = await secretData(kube, ns, volume.secret.secretName, volume.secret.optional);
      projectKeys(
        dir,
        data,
        volume.secret.items,
        volume.secret.defaultMode ?? DEFAULT_MODE,
        `secret ${volume.secret.secretName}`,
      );
    } else if (volume.downwardAPI) {
      writeDownward(dir, pod, volume.downwardAPI.items, volume.downwardAPI.defaultMode ?? DEFAULT_MODE);
    } else if (volume.projected) {
      const mode = volume.projected.defaultMode ?? DEFAULT_MODE;
      for (const src of volume.projected.sources) {
        if (src.serviceAccountToken) await projectToken(kube, pod, dir, src.serviceAccountToken, mode, timers, onError);
        else if (src.configMap)
          projectKeys(
            dir,
            await configMapData(kube, ns, src.configMap.name, src.configMap.optional),
            src.configMap.items,
            mode,
            `configmap ${src.configMap.name}`,
          );
        else if (src.secret)
          projectKeys(
            dir,
            await secretData(kube, ns, src.secret.name, src.secret.optional),
            src.secret.items,
            mode,
            `secret ${src.secret.name}`,
          );
        else if (src.downwardAPI) writeDownward(dir, pod, src.downwardAPI.items, mode);
        else throw new Error(`pod runner: projected volume ${volume.name} has a source kind it does not support`);
      }
    } else {
      const kinds = Object.keys(volume).filter((k) => k !== 'name');
      throw new Error(`pod runner: volume ${volume.name} of kind ${kinds.join(',')} is not supported`);
    }
  } catch (err) {
    release();
    throw err;
  }
  return { name: volume.name, hostPath: dir, release };
}
