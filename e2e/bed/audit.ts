import { readFileSync } from 'node:fs';
import { mountPointsInUse } from './pod-runner/mount-points.js';
import { survivingProcesses } from './processes.js';
import { leftoverTempDirs, TEMP_PREFIX } from './tmp.js';

export interface Leftovers {
  readonly processes: string[];
  readonly tempDirs: string[];
  readonly mounts: string[];
  readonly mountPoints: string[];
}

/** Mounts on the host whose mount point is inside one of the bed's temp dirs (tmpfs emptyDirs). */
function bedMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((mp) => mp.includes(`/${TEMP_PREFIX}`));
}

/** Everything the bed started or made that is still there. Empty lists mean a clean machine. */
export function findLeftovers(): Leftovers {
  return {
    processes: survivingProcesses().map((p) => `${p.pid} ${p.comm}`),
    tempDirs: leftoverTempDirs(),
    mounts: bedMounts(),
    mountPoints: mountPointsInUse(),
  };
}

export function describeLeftovers(l: Leftovers): string | undefined {
  const parts = Object.entries(l)
    .filter(([, v]) => (v as string[]).length > 0)
    .map(([k, v]) => `${k}: ${(v as string[]).join(', ')}`);
  return parts.length ? parts.join('; ') : undefined;
}
