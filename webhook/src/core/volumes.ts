import { type Placement, persistentCache } from './placement.js';
import type { Volume } from './pod-types.js';
import type { AgentSpec } from './spec.js';

const memory = (name: string): Volume => ({ name, emptyDir: { medium: 'Memory' } });

/** One `vault-secrets-custom-<i>` per distinct per-secret mount path other than the global one. */
export function customSecretVolumes(spec: AgentSpec): { name: string; mountPath: string }[] {
  const paths: string[] = [];
  for (const s of spec.secrets) {
    if (s.mountPath !== spec.secretVolumePath && !paths.includes(s.mountPath)) paths.push(s.mountPath);
  }
  return paths.map((mountPath, i) => ({ name: `vault-secrets-custom-${i}`, mountPath }));
}

/** The volumes the injection adds, in vault-k8s's order (spec §3.7). */
export function agentVolumes(spec: AgentSpec, place: Placement): Volume[] {
  const out: Volume[] = [];
  if (place.init) out.push(memory('home-init'));
  if (place.sidecar) out.push(memory('home-sidecar'));
  out.push(memory('vault-secrets'), ...customSecretVolumes(spec).map((v) => memory(v.name)));
  if (spec.configMap !== '') out.push({ name: 'vault-config', configMap: { name: spec.configMap } });
  if (spec.extraSecret !== '') out.push({ name: 'extra-secrets', secret: { secretName: spec.extraSecret } });
  if (spec.tlsSecret !== '') out.push({ name: 'vault-tls-secrets', secret: { secretName: spec.tlsSecret } });
  if (persistentCache(spec)) out.push(memory('vault-agent-cache'));
  return out;
}
