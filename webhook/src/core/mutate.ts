import fastJsonPatch, { type Operation } from 'fast-json-patch';
import type { InjectorConfig } from '../config-types.js';
import { parseAgentSpec, withDefaults } from './annotations.js';
import { INIT_NAME, initContainer, parseResources, secretMounts, sidecarContainer } from './containers.js';
import { InjectorError } from './errors.js';
import { A, full } from './keys.js';
import { type Placement, placement } from './placement.js';
import type { Container, Pod } from './pod-types.js';
import { shouldInject } from './should-inject.js';
import type { AgentSpec } from './spec.js';
import { validateAgentSpec } from './validate.js';
import { agentVolumes } from './volumes.js';

export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public'] as const;

export type MutationResult =
  | { readonly kind: 'skip' }
  | { readonly kind: 'deny'; readonly error: InjectorError }
  | {
      readonly kind: 'inject';
      readonly spec: AgentSpec;
      readonly placement: Placement;
      readonly pod: Pod;
      readonly patch: Operation[];
    };

/** Applies vault-k8s's placement rules to a copy of the pod; the request pod is never touched. */
export function mutatedPod(original: Pod, spec: AgentSpec): Pod {
  // Copy on write: only the objects we change are new; the rest is shared with the (never mutated) request pod.
  // A deep clone of every pod was a twentieth of the webhook's CPU time.
  const pod: Pod = { ...original, metadata: { ...original.metadata }, spec: { ...original.spec } };
  const podSpec = pod.spec as NonNullable<Pod['spec']>;
  const place = placement(spec);
  podSpec.volumes = [...(podSpec.volumes ?? []), ...agentVolumes(spec, place)];
  const mounts = secretMounts(spec);
  const withMounts = (c: Container): Container => ({
    ...c,
    volumeMounts: [...(c.volumeMounts ?? []), ...structuredClone(mounts)],
  });
  if (podSpec.containers)
    podSpec.containers = podSpec.containers.map((c) => (spec.injectContainers.includes(c.name) ? withMounts(c) : c));

  let originalInits = podSpec.initContainers ?? [];
  const agentInit = place.init
    ? initContainer(spec, original)
    : place.native
      ? sidecarContainer(spec, original)
      : undefined;
  if (agentInit) {
    // Init containers that run after the agent has rendered can read the secrets too.
    const initsSeeSecrets = place.init || spec.initFirst;
    if (initsSeeSecrets) originalInits = originalInits.map((c) => (c.name !== INIT_NAME ? withMounts(c) : c));
    podSpec.initContainers = spec.initFirst ? [agentInit, ...originalInits] : [...originalInits, agentInit];
    if (spec.shareProcessNamespace !== undefined) podSpec.shareProcessNamespace = spec.shareProcessNamespace;
  }
  if (place.sidecar && !place.native)
    podSpec.containers = [...(podSpec.containers ?? []), sidecarContainer(spec, original)];
  (pod.metadata as NonNullable<Pod['metadata']>).annotations = {
    ...pod.metadata?.annotations,
    [full(A.status)]: 'injected',
  };
  return pod;
}

/**
 * RFC 6902 operations that turn `from` into `to` (fast-json-patch's diff; the conformance, fuzz and
 * differential tests apply them and compare, so the hot path does not). When the agent goes first among init containers, the list is
 * replaced whole: an element-wise diff of shifted containers would be correct but unreadable in
 * `vault-injector mutate --patch`.
 */
export function diffPatch(from: Pod, to: Pod): Operation[] {
  const before = from.spec?.initContainers ?? [];
  const after = to.spec?.initContainers ?? [];
  if (before.length > 0 && before.some((c, i) => after[i]?.name !== c.name) && from.spec) {
    const base: Pod = { ...from, spec: { ...from.spec, initContainers: after } };
    return [
      { op: 'replace', path: '/spec/initContainers', value: structuredClone(after) },
      ...fastJsonPatch.compare(base, to),
    ];
  }
  return fastJsonPatch.compare(from, to);
}

/**
 * The whole decision for one pod, pure: skip, deny (with the stage and reason), or inject (with the
 * mutated pod and the patch). The order of steps is vault-k8s's, so the first error is the same.
 */
export function mutate(pod: Pod, requestNamespace: string, cfg: InjectorConfig): MutationResult {
  try {
    if (!shouldInject(pod)) return { kind: 'skip' };
    if ((SYSTEM_NAMESPACES as readonly string[]).includes(requestNamespace)) {
      // the cause is the namespace, not an annotation
      throw new InjectorError(
        'SYSTEM_NAMESPACE',
        'namespace',
        `cannot inject into system namespaces: ${requestNamespace}`,
      );
    }
    const annotations = withDefaults(pod, requestNamespace, cfg);
    const parsed = parseAgentSpec(pod, annotations);
    const spec: AgentSpec = { ...parsed, vaultCaCertBytes: cfg.vaultCaCertBytes };
    validateAgentSpec(spec);
    const threshold = spec.templateConfig.leaseRenewalThreshold;
    if (!Number.isFinite(threshold)) {
      // vault-k8s parses it, then fails to write it as JSON; we say why at the same stage
      throw new InjectorError(
        'BAD_FLOAT',
        'patch',
        `invalid value ${threshold} for annotation ${full(A.templateLeaseRenewalThreshold)}: expected a finite number such as 0.75`,
        A.templateLeaseRenewalThreshold,
      );
    }
    const complete: AgentSpec = { ...spec, resources: parseResources(annotations) };
    const out = mutatedPod(pod, complete);
    return { kind: 'inject', spec: complete, placement: placement(complete), pod: out, patch: diffPatch(pod, out) };
  } catch (err) {
    if (err instanceof InjectorError) return { kind: 'deny', error: err };
    throw err;
  }
}
