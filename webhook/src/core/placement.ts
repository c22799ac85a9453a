import type { AgentSpec } from './spec.js';

/** Which agent containers a pod gets, and how. */
export interface Placement {
  /** `vault-agent-init` (render once before the app starts). */
  readonly init: boolean;
  /** `vault-agent` (keep secrets fresh while the pod runs). */
  readonly sidecar: boolean;
  /** The sidecar is a native sidecar (an init container with restartPolicy Always) and replaces the init agent. */
  readonly native: boolean;
}

/**
 * vault-k8s: init when agent-pre-populate, sidecar unless agent-pre-populate-only. Ours: a native
 * sidecar already renders before the app starts, so it makes the init agent unnecessary.
 */
export function placement(spec: AgentSpec): Placement {
  const sidecar = !spec.prePopulateOnly;
  const native = spec.nativeSidecar && sidecar;
  return { init: spec.prePopulate && !native, sidecar, native };
}

/** The agent cache persists between init and sidecar only when both run (spec §4.5). */
export function persistentCache(spec: AgentSpec): boolean {
  const p = placement(spec);
  return spec.cache.enable && p.init && p.sidecar;
}
