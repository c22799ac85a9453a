import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';

/**
 * Containers see the host's filesystem with volumes bind-mounted over it, so a mount point such
 * as /vault/secrets must exist on the host. We create the missing ones, count who uses them
 * (several pods may run at once), and remove exactly what we created once nobody does.
 */
const created = new Map<string, { users: number; kind: 'dir' | 'file' }>();

/** Makes `target` exist (as a directory, or an empty file when `asFile`); returns a release function. */
export function acquireMountPoint(target: string, asFile: boolean): () => void {
  const made: string[] = [];
  let top = target;
  while (!existsSync(top)) {
    made.unshift(top);
    top = dirname(top);
  }
  for (const p of made) {
    if (p === target && asFile) writeFileSync(p, '', { flag: 'wx' });
    else mkdirSync(p);
  }
  for (const p of made) created.set(p, { users: 0, kind: p === target && asFile ? 'file' : 'dir' });
  // this pod uses every created path at or above its target, made now or by another pod before
  const owned = [...created.keys()].filter((p) => p === target || target.startsWith(`${p}/`));
  for (const p of owned) {
    const entry = created.get(p);
    if (entry) entry.users++;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // deepest first, so parents are empty when their turn comes
    for (const p of [...owned].sort((a, b) => b.length - a.length)) {
      const entry = created.get(p);
      if (!entry) continue;
      entry.users--;
      if (entry.users > 0) continue;
      created.delete(p);
      // Another test process may have found it here and mounted over it: removing it would detach
      // those mounts (Linux lazily unmounts a removed mount point in every namespace). Leave it.
      if (mountedAnywhere(p)) continue;
      try {
        if (entry.kind === 'dir' && statSync(p).isDirectory() && readdirSync(p).length === 0) rmdirSync(p);
        else if (entry.kind === 'file' && statSync(p).size === 0) rmSync(p);
      } catch {
        // something else put files there: leave it
      }
    }
  };
}

/**
 * Whether any mount namespace on the machine has something mounted at `path` or below it. Each
 * namespace is read once (through the first process seen in it).
 */
export function mountedAnywhere(path: string): boolean {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return false;
  }
  const seen = new Set<string>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const ns = readlinkSync(`/proc/${pid}/ns/mnt`);
      if (seen.has(ns)) continue;
      seen.add(ns);
      for (const line of readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n')) {
        const point = line.split(' ')[4];
        if (point === real || point?.startsWith(`${real}/`)) return true;
      }
    } catch {
      // the process ended, or its namespace is not ours to read
    }
  }
  return false;
}

/** Mount points this process created and has not removed (for the after-all audit). */
export function mountPointsInUse(): string[] {
  return [...created.keys()];
}
