import type { Pod } from './types.js';

/** Where the pod "runs": everything is on loopback in the bed. */
export const POD_IP = '127.0.0.1';
export const HOST_IP = '127.0.0.1';

/** Resolves a downward-API field path as the kubelet does, for the fields pods use. */
export function fieldValue(pod: Pod, fieldPath: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2] ?? ''] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? 'e2e-node';
    case 'status.podIP':
    case 'status.podIPs':
      return POD_IP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return HOST_IP;
    default:
      throw new Error(`pod runner: unsupported fieldRef fieldPath ${JSON.stringify(fieldPath)}`);
  }
}

function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m?.[k])}`)
    .join('\n');
}

/** Kubernetes' `$(VAR)` expansion in env values, command and args; `$$(VAR)` escapes. */
export function expandVars(input: string, vars: ReadonlyMap<string, string>): string {
  return input.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$';
    return name !== undefined && vars.has(name) ? (vars.get(name) ?? '') : whole;
  });
}
