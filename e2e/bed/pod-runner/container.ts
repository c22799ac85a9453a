import { chmodSync, existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type ExitStatus, ManagedProcess, runToCompletion } from '../processes.js';
import { findImageRule, type ImageRule } from './images.js';
import { acquireMountPoint } from './mount-points.js';
import type { Container } from './types.js';

/** A bind mount for one container: host path -> path inside the container. */
export interface Bind {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/**
 * The shell that becomes the container: in a fresh mount namespace (unshare) it bind-mounts every
 * volume at its mountPath, changes to the working dir, optionally drops to the container's user,
 * then execs the program. Arguments, not string splicing, carry every path.
 */
const LAUNCH_SCRIPT = [
  'set -e',
  'while [ "$1" != "--" ]; do',
  '  mount --bind "$2" "$3"',
  '  if [ "$1" = ro ]; then mount -o remount,bind,ro "$3"; fi',
  '  shift 3',
  'done',
  'shift',
  'cd "$1"; shift',
  'u=$1; g=$2; shift 2',
  'if [ "$u" != - ]; then exec setpriv --reuid="$u" --regid="$g" --clear-groups -- "$@"; fi',
  'exec "$@"',
].join('\n');

export interface LaunchSpec {
  readonly podKey: string;
  readonly container: Container;
  readonly argv: readonly string[];
  readonly env: Record<string, string>;
  readonly binds: readonly Bind[];
  readonly user?: { uid: number; gid: number };
  readonly logFile: string;
}

/** Works out argv from the image table and the container's command/args (Kubernetes' override rules). */
export function containerArgv(table: readonly ImageRule[], c: Container, expand: (s: string) => string): string[] {
  const rule = findImageRule(table, c.image ?? '');
  const base = c.command ? c.command.map(expand) : [...(rule?.entrypoint ?? [])];
  const argv = [...base, ...(c.args ?? []).map(expand)];
  if (argv.length === 0) {
    throw new Error(`pod runner: container ${c.name} (image ${c.image}) has no command and the image table gives none`);
  }
  return argv;
}

/** Puts the image's extra programs on PATH through a per-container bin dir of symlinks. */
export function imageBinDir(table: readonly ImageRule[], c: Container, dir: string): string | undefined {
  const rule = findImageRule(table, c.image ?? '');
  if (!rule?.commands) return undefined;
  mkdirSync(dir, { recursive: true });
  for (const [name, target] of Object.entries(rule.commands)) {
    const path = join(dir, name);
    if (existsSync(path)) continue;
    if (typeof target === 'string') symlinkSync(target, path);
    else {
      const quoted = target.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
      writeFileSync(path, `#!/bin/sh\nexec ${quoted} "$@"\n`);
      chmodSync(path, 0o755);
    }
  }
  return dir;
}

/**
 * Prepares mount points for `binds` in order. A target under an earlier bind lives inside that
 * volume (created there); any other is created on the host and released when the pod ends.
 */
export function prepareMountPoints(binds: readonly Bind[]): Array<() => void> {
  const releases: Array<() => void> = [];
  for (const [i, b] of binds.entries()) {
    const asFile = existsSync(b.source) && !statSync(b.source).isDirectory();
    const parent = binds
      .slice(0, i)
      .reverse()
      .find((p) => b.target.startsWith(`${p.target}/`));
    if (parent) {
      const inside = join(parent.source, relative(parent.target, b.target));
      if (!existsSync(inside)) {
        mkdirSync(asFile ? dirname(inside) : inside, { recursive: true });
        if (asFile) writeFileSync(inside, '');
      }
    } else {
      releases.push(acquireMountPoint(b.target, asFile));
    }
  }
  return releases;
}

/** Starts one instance of a container as a local process in its own mount namespace. */
export function launch(spec: LaunchSpec): ManagedProcess {
  const binds = [...spec.binds].sort((a, b) => a.target.split('/').length - b.target.split('/').length);
  const triples = binds.flatMap((b) => [b.readOnly ? 'ro' : 'rw', b.source, b.target]);
  const user = spec.user ? [String(spec.user.uid), String(spec.user.gid)] : ['-', '-'];
  return new ManagedProcess({
    name: `${spec.podKey}:${spec.container.name}`,
    command: 'unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      '-c',
      LAUNCH_SCRIPT,
      'launch',
      ...triples,
      '--',
      spec.container.workingDir ?? '/',
      ...user,
      ...spec.argv,
    ],
    env: spec.env,
    logFile: spec.logFile,
  });
}

/** Runs a command inside a running container's mount namespace (probes, preStop hooks, tests' `kubectl exec`). */
export async function execIn(
  proc: ManagedProcess,
  command: readonly string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number; output: string }> {
  const pid = proc.pid;
  if (pid === undefined || !proc.running) throw new Error(`${proc.opts.name} is not running`);
  return runToCompletion({
    name: `exec ${proc.opts.name}`,
    command: 'nsenter',
    args: ['--target', String(pid), '--mount', '--', ...command],
    env,
    timeoutMs,
    okCodes: Array.from({ length: 256 }, (_, i) => i),
  });
}

export type { ExitStatus };
