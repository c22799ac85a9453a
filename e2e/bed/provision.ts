import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { runToCompletion } from './processes.js';

/**
 * Provisioning: makes sure every binary the end-to-end suites run exists, building what is missing
 * from Go modules into a cache outside the repo, keyed by version. Idempotent: a warm run only checks
 * that the files are there. Override the cache with VAULT_INJECTOR_CACHE (default ~/.cache/vault-injector).
 */

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly version: string;
}

export interface BedBinaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  /** The Vault-API server (also runs as Vault Agent). */
  readonly vault: string;
  /** The reference injector, hashicorp/vault-k8s, when one is on this machine (see reference.ts). */
  readonly vaultK8s: string | undefined;
  readonly postgres: PostgresBinaries;
  /** Helm 3, for the chart suite. */
  readonly helm: string;
  /** The Node.js the agent image runs (node-runtime.ts), with the agent's code cache trained for it. */
  readonly imageNode: string;
}

export interface ProvisionReport {
  readonly binaries: BedBinaries;
  readonly versions: Record<string, string>;
  readonly built: readonly string[];
  readonly seconds: number;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.VAULT_INJECTOR_CACHE ?? join(homedir(), '.cache', 'vault-injector');
}

export type Log = (message: string) => void;

/** A binary built in a throwaway Go module that requires the upstream module and builds one package. */
export interface GoRecipe {
  readonly tool: string;
  readonly version: string;
  readonly binary: string;
  /** The package to build (the upstream `main`). */
  readonly buildPackage: string;
  /** Writes go.mod (and any helper files) into the work dir. May download modules with `go`. */
  readonly prepare: (work: string, go: GoRunner) => Promise<void>;
  readonly ldflags?: string;
  readonly tags?: readonly string[];
  /** Rough cold build time on 2 cores, so the log can say what to expect. */
  readonly expectMinutes: number;
}

export type GoRunner = (args: readonly string[], opts?: { cwd?: string; timeoutMs?: number }) => Promise<string>;

function goEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CGO_ENABLED: '0',
    GOFLAGS: '-buildvcs=false -mod=mod',
    GOTOOLCHAIN: 'local',
  };
}

/** Finds `go` and checks it is new enough; the message says what to install when it is not. */
export function findGo(): string {
  const tooOld: string[] = [];
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    let out: string;
    try {
      out = execFileSync(candidate, ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      continue; // not there
    }
    const m = /go(\d+)\.(\d+)/.exec(out);
    if (m && (Number(m[1]) > 1 || Number(m[2]) >= 24)) return candidate;
    tooOld.push(`${candidate}: ${out.trim()}`);
  }
  throw new Error(
    'the e2e bed builds etcd, kube-apiserver and Vault from Go modules and needs Go >= 1.24 with access to the ' +
      `Go module proxy: ${tooOld.length ? `found only ${tooOld.join('; ')}` : 'no Go toolchain found'}. ` +
      'Install it (e.g. the official tarball into /usr/local/go) and run again.',
  );
}

function makeGoRunner(go: string, log: Log, label: string): GoRunner {
  return async (args, opts = {}) => {
    const started = Date.now();
    const heartbeat = setInterval(
      () => log(`${label}: still running go ${args[0]} (${Math.round((Date.now() - started) / 1000)} s)`),
      30_000,
    );
    try {
      const r = await runToCompletion({
        name: `go ${args.join(' ')}`,
        command: go,
        args,
        cwd: opts.cwd,
        env: goEnv(),
        timeoutMs: opts.timeoutMs ?? 45 * 60_000,
      });
      return r.output;
    } finally {
      clearInterval(heartbeat);
    }
  };
}

export function goBinaryPath(recipe: Pick<GoRecipe, 'tool' | 'version' | 'binary'>, root = cacheRoot()): string {
  return join(root, 'bin', recipe.tool, recipe.version, recipe.binary);
}

/** Returns the cached binary, building it first when missing. */
export async function ensureGoBinary(
  recipe: GoRecipe,
  log: Log,
  root = cacheRoot(),
): Promise<{ path: string; built: boolean }> {
  const out = goBinaryPath(recipe, root);
  if (existsSync(out)) return { path: out, built: false };
  const label = `${recipe.tool} ${recipe.version}`;
  const go = findGo();
  const work = join(root, 'build', `${recipe.tool}-${recipe.version}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const run = makeGoRunner(go, log, label);
  const started = Date.now();
  log(`${label}: not in cache, building from Go modules (about ${recipe.expectMinutes} min cold on 2 cores)`);
  try {
    log(`${label}: resolving modules`);
    await recipe.prepare(work, run);
    log(`${label}: compiling ${recipe.buildPackage}`);
    const tmpOut = `${out}.partial-${process.pid}`;
    mkdirSync(dirname(out), { recursive: true });
    await run(
      [
        'build',
        '-trimpath',
        ...(recipe.tags?.length ? ['-tags', recipe.tags.join(',')] : []),
        '-ldflags',
        `-s -w ${recipe.ldflags ?? ''}`.trim(),
        '-o',
        tmpOut,
        recipe.buildPackage,
      ],
      { cwd: work },
    );
    chmodSync(tmpOut, 0o755);
    renameSync(tmpOut, out); // atomic: a concurrent or interrupted run never sees half a binary
    log(`${label}: built in ${Math.round((Date.now() - started) / 1000)} s -> ${out}`);
    return { path: out, built: true };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** go.mod text for a wrapper module. */
export function wrapperGoMod(opts: {
  module: string;
  goVersion: string;
  requires: Readonly<Record<string, string>>;
  replaces?: Readonly<Record<string, string>>;
  extra?: string;
}): string {
  const lines = [`module ${opts.module}`, '', `go ${opts.goVersion}`, ''];
  if (opts.extra) lines.push(opts.extra, '');
  lines.push('require (', ...Object.entries(opts.requires).map(([m, v]) => `\t${m} ${v}`), ')', '');
  const replaces = Object.entries(opts.replaces ?? {});
  if (replaces.length) lines.push('replace (', ...replaces.map(([m, to]) => `\t${m} => ${to}`), ')', '');
  return lines.join('\n');
}

/** A blank-import file so `go mod tidy` keeps the upstream main package's dependencies. */
export function toolsGo(packages: readonly string[]): string {
  return `//go:build tools\n\npackage tools\n\nimport (\n${packages.map((p) => `\t_ "${p}"`).join('\n')}\n)\n`;
}

/** Where `go mod download` put a module's source, to read its go.mod. */
export async function moduleDir(go: GoRunner, work: string, modAtVersion: string): Promise<string> {
  const out = await go(['mod', 'download', '-json', modAtVersion], { cwd: work });
  const dir = (JSON.parse(out) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download ${modAtVersion} gave no directory`);
  return dir;
}

// ---------------- PostgreSQL: Debian's server binaries ----------------

const PG_DIRS = ['/usr/local/bin', '/usr/bin', ...listPgLibDirs()];

function listPgLibDirs(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql')
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => `/usr/lib/postgresql/${v}/bin`);
  } catch {
    return [];
  }
}

function findPostgres(): PostgresBinaries | undefined {
  for (const dir of PG_DIRS) {
    const initdb = join(dir, 'initdb');
    const postgres = join(dir, 'postgres');
    if (existsSync(initdb) && existsSync(postgres)) {
      const version = execFileSync(postgres, ['--version'], { encoding: 'utf8' })
        .trim()
        .replace(/^postgres \(PostgreSQL\) /, '');
      return { initdb, postgres, version };
    }
  }
  return undefined;
}

export async function ensurePostgres(log: Log): Promise<PostgresBinaries> {
  const found = findPostgres();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'PostgreSQL server binaries (initdb, postgres) are missing: run `sudo apt-get install -y postgresql`',
    );
  }
  log('postgresql: server binaries missing, installing Debian package postgresql');
  await runToCompletion({ name: 'apt-get update', command: 'apt-get', args: ['update', '-q'], timeoutMs: 10 * 60_000 });
  await runToCompletion({
    name: 'apt-get install postgresql',
    command: 'apt-get',
    args: ['install', '-y', '-q', '--no-install-recommends', 'postgresql'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeoutMs: 10 * 60_000,
  });
  const after = findPostgres();
  if (!after) throw new Error('installed Debian postgresql but found no initdb/postgres binaries');
  return after;
}

/** Host tools the pod runner and the bed call; a clear message names the Debian package. */
export function checkHostTools(): void {
  const needs: Record<string, string> = {
    unshare: 'util-linux',
    nsenter: 'util-linux',
    mount: 'mount',
    setpriv: 'util-linux',
  };
  const missing = Object.entries(needs).filter(([tool]) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) {
    throw new Error(`missing host tools: ${missing.map(([t, p]) => `${t} (Debian package ${p})`).join(', ')}`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error('the pod runner needs root (mount namespaces and bind mounts); run the e2e suite as root');
  }
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
