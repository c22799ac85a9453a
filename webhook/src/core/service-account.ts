import { InjectorError } from './errors.js';
import { full } from './keys.js';
import type { Pod } from './pod-types.js';
import type { ServiceAccountTokenSpec } from './spec.js';

/** Where the agents mount a named token volume that no app container mounts (spec §3.5). */
export const VAULT_SA_MOUNT_PATH = '/var/run/secrets/vault.hashicorp.com/serviceaccount';

const ANNOTATION = 'agent-service-account-token-volume-name';
const fail = (message: string) =>
  new InjectorError('SERVICE_ACCOUNT', 'parse', `${message} (annotation ${full(ANNOTATION)})`, ANNOTATION);

function projectedTokenPath(pod: Pod, volumeName: string): string {
  const volume = pod.spec?.volumes?.find((v) => v.name === volumeName);
  if (!volume) throw fail(`failed to find volume "${volumeName}" in Pod "${pod.metadata?.name ?? ''}" volumes`);
  const path = volume.projected?.sources?.find((s) => (s.serviceAccountToken?.path ?? '') !== '')?.serviceAccountToken
    ?.path;
  if (!path) throw fail(`failed to find tokenPath for projected volume "${volumeName}"`);
  return path;
}

/** Finds the service-account token the agent logs in with, exactly as vault-k8s does. */
export function findServiceAccountToken(pod: Pod, volumeName: string): ServiceAccountTokenSpec {
  const containers = pod.spec?.containers ?? [];
  if (volumeName !== '') {
    const mount = containers.flatMap((c) => c.volumeMounts ?? []).find((m) => m.name === volumeName);
    if (mount) return { volumeName, mountPath: mount.mountPath, tokenPath: projectedTokenPath(pod, volumeName) };
    if (pod.spec?.volumes?.some((v) => v.name === volumeName)) {
      return { volumeName, mountPath: VAULT_SA_MOUNT_PATH, tokenPath: projectedTokenPath(pod, volumeName) };
    }
    throw fail(`failed to find service account volume "${volumeName}"`);
  }
  // The first mount whose path contains "serviceaccount" (case-sensitive), containers in order.
  const mount = containers.flatMap((c) => c.volumeMounts ?? []).find((m) => m.mountPath.includes('serviceaccount'));
  if (!mount) {
    throw new InjectorError(
      'SERVICE_ACCOUNT',
      'parse',
      `failed to find service account volume mount: no container mounts a path containing "serviceaccount"; mount the token or name its volume in ${full(ANNOTATION)}`,
      ANNOTATION,
    );
  }
  return { volumeName: mount.name, mountPath: mount.mountPath, tokenPath: 'token' };
}
