/**
 * `npm run bench:agent`: our agent (`vault-injector agent`) against HashiCorp Vault Agent on the same
 * JSON config file. The issue asks for `bao agent`; OpenBao cannot be built on this machine, so the
 * reference is `vault agent` from the bed's Vault 1.14.8 binary (same agent code base and template engine).
 *
 * Both agents log in with AppRole to a Vault dev server, through a loopback proxy that counts requests.
 * - init mode (exit_after_auth): wall time from spawn to exit with 1 and 50 KV v2 templates,
 *   `--runs` runs each after one warm-up run, the two agents interleaved; median and min;
 * - sidecar mode, a fixed secret set (KV v2, KV v1 with a `ttl`, a pkiCert) on a short refresh schedule:
 *   time from spawn to every file rendered, `--runs` starts each, interleaved (files polled every 2 ms); then one
 *   more start each (one at a time) and, after `--settle`
 *   seconds, an idle window of `--idle-seconds` gives peak RSS (VmHWM), steady RSS (median VmRSS), CPU time
 *   scaled to 10 minutes, and requests scaled to one hour, next to the count the refresh rules predict.
 *   The idle windows run side by side (`--sidecars=sequential`: one after the other).
 * Our agent runs as the image does: `node dist/bundle/agent-launch.cjs agent`, NODE_ENV=production, on the image's
 * Node major (fetched once into the cache; `--node=system` uses this machine's, `--node=PATH` any), with the code
 * cache trained for that Node as Dockerfile.agent's build trains it. Exits non-zero only when something fails to run.
 *
 *   npm run bench:agent -- --runs=5 --idle-seconds=60 --settle=5 --templates=1,50 --sidecars=parallel
 *   npm run bench:agent -- --ours-entry=/tmp/agent-only.mjs   # any script that takes `agent -config=FILE`
 *   npm run bench:agent -- --node=system                       # this machine's Node instead of the image's
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { ensureNodeRuntime, trainCodeCache } from '../e2e/bed/node-runtime.js';
import { describeExit, ManagedProcess } from '../e2e/bed/processes.js';
import { ensureGoBinary } from '../e2e/bed/provision.js';
import { VAULT_SERVER, vaultServerRecipe } from '../e2e/bed/recipes.js';
import { REPO_ROOT } from '../e2e/bed/stack.js';
import { sleep, within } from '../e2e/bed/time.js';
import { makeTempDir, removeDir } from '../e2e/bed/tmp.js';
import { enablePki, kvPut, startVaultServer, type VaultHttp, writePolicy } from '../e2e/bed/vault-server.js';
import {
  type AgentConfigFile,
  APPROLE_MOUNT,
  APPROLE_ROLE,
  BENCH_POLICY,
  DEFAULT_SCHEDULE,
  type ExpectedFile,
  initConfig,
  initSecretPath,
  initSecretValue,
  KV1_MOUNT,
  type RunPaths,
  SIDECAR_KV1_PATH,
  SIDECAR_KV1_VALUE,
  SIDECAR_KV2_PATH,
  SIDECAR_KV2_VALUE,
  type SidecarSchedule,
  sidecarConfig,
} from './agent-config.js';
import { type Options, parseOptions } from './agent-options.js';
import { cpuSeconds, memoryMiB } from './agent-proc.js';
import { type CountingProxy, startCountingProxy } from './agent-proxy.js';
import {
  type AgentResult,
  goalLines,
  median,
  requestsTable,
  type SidecarResult,
  summaryTable,
} from './agent-report.js';
import { countKinds, expectedPerHour, perHour } from './agent-requests.js';
import { runMain } from './run-main.js';

/** An agent under test: how to start it on a config file. */
interface AgentUnderTest {
  readonly label: string;
  readonly command: string;
  readonly args: (configFile: string) => string[];
  readonly env: (home: string) => NodeJS.ProcessEnv;
}

// What the injector sets on the agent container (spec §2.12); everything else comes from the config file.
const agentEnv = (home: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  VAULT_LOG_LEVEL: 'info',
  VAULT_LOG_FORMAT: 'standard',
});

function vaultAgent(binary: string): AgentUnderTest {
  return {
    label: `Vault Agent ${VAULT_SERVER.version.replace(/^v/, '')}`,
    command: binary,
    args: (cfg) => ['agent', `-config=${cfg}`],
    env: agentEnv,
  };
}

/** How our agent runs: the runtime, the entry point, and the code cache the image ships. */
interface OurRuntime {
  readonly node: string;
  readonly nodeVersion: string;
  readonly entry: string;
  /** The code cache trained for this Node before timing, as Dockerfile.agent's build trains it; a note. */
  readonly codeCache: string;
}

/**
 * Our agent as the image runs it (`node dist/bundle/agent-launch.cjs agent -config=…` on the image's Node major,
 * with the code cache the image build trains), or why it cannot run. `--ours-entry` measures another script.
 */
function ourAgent(opts: Options, log: (m: string) => void): { agent: AgentUnderTest; runtime: OurRuntime } | string {
  const entry = opts.oursEntry ?? join(REPO_ROOT, 'dist', 'bundle', 'agent-launch.cjs');
  if (!existsSync(entry)) return `${entry} is missing${opts.oursEntry ? '' : ': run `npm run build` first'}`;
  let node: string;
  try {
    node = opts.node === 'image' ? ensureNodeRuntime(log) : opts.node === 'system' ? process.execPath : opts.node;
  } catch (err) {
    return `no Node.js for the agent: ${(err as Error).message} (--node=system runs it on this machine's Node)`;
  }
  let nodeVersion: string;
  try {
    nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
  } catch (err) {
    return `\`${node} --version\` failed: ${(err as Error).message}`;
  }
  // What the image build does (`npm run build` in Dockerfile.agent): train the code cache with this Node.
  let codeCache: string;
  try {
    codeCache = trainCodeCache(node);
  } catch (err) {
    return `training the code cache with ${node} failed: ${(err as Error).message}`;
  }
  const runtime = { node, nodeVersion, entry, codeCache };
  return {
    runtime,
    agent: {
      label: opts.oursEntry ? 'vault-injector agent (--ours-entry)' : 'vault-injector agent',
      command: node,
      args: (cfg) => [entry, 'agent', `-config=${cfg}`],
      env: (home) => ({ ...agentEnv(home), NODE_ENV: 'production' }),
    },
  };
}

/** Vault as both agents see it: AppRole, the policy, the secrets; returns the AppRole credentials. */
async function configureVault(root: VaultHttp, maxTemplates: number, schedule: SidecarSchedule) {
  await root.write(`sys/auth/${APPROLE_MOUNT}`, { type: 'approle' });
  await writePolicy(root, 'bench', BENCH_POLICY);
  await root.write(`auth/${APPROLE_MOUNT}/role/${APPROLE_ROLE}`, {
    token_policies: ['bench'],
    token_ttl: `${schedule.tokenTtlS}s`,
    secret_id_ttl: 0,
  });
  const roleId = (await root.read<{ role_id: string }>(`auth/${APPROLE_MOUNT}/role/${APPROLE_ROLE}/role-id`)).data
    .role_id;
  const secretId = (await root.write<{ secret_id: string }>(`auth/${APPROLE_MOUNT}/role/${APPROLE_ROLE}/secret-id`))
    ?.data.secret_id;
  if (!roleId || !secretId) throw new Error('Vault returned no AppRole role_id or secret_id');
  for (let i = 1; i <= maxTemplates; i++)
    await kvPut(root, 'secret', initSecretPath(i), { password: initSecretValue(i) });
  await kvPut(root, 'secret', SIDECAR_KV2_PATH, { password: SIDECAR_KV2_VALUE });
  await root.write(`sys/mounts/${KV1_MOUNT}`, { type: 'kv', options: { version: '1' } });
  await root.write(`${KV1_MOUNT}/${SIDECAR_KV1_PATH}`, { password: SIDECAR_KV1_VALUE, ttl: `${schedule.kv1TtlS}s` });
  await enablePki(root);
  return { roleId, secretId };
}

/** Why a rendered file is not what the template should give, or undefined when it is. */
function renderProblem(f: ExpectedFile): string | undefined {
  if (!existsSync(f.path)) return `${f.path} was not rendered`;
  const text = readFileSync(f.path, 'utf8');
  if (f.equals !== undefined && text !== f.equals) return `${f.path} has unexpected content (${text.length} bytes)`;
  if (f.includes !== undefined && !text.includes(f.includes)) return `${f.path} lacks ${JSON.stringify(f.includes)}`;
  return undefined;
}

/** A fresh directory and config file for one agent run. */
class RunDirs {
  private n = 0;
  constructor(
    private readonly root: string,
    private readonly credentials: { roleIdFile: string; secretIdFile: string },
  ) {}

  next(make: (paths: RunPaths) => AgentConfigFile): { home: string; configFile: string; config: AgentConfigFile } {
    const home = join(this.root, `run-${++this.n}`);
    const outDir = join(home, 'out');
    mkdirSync(outDir, { recursive: true });
    const config = make({ ...this.credentials, outDir });
    const configFile = join(home, 'config.json');
    writeFileSync(configFile, JSON.stringify(config.json, null, 2));
    return { home, configFile, config };
  }
}

const INIT_TIMEOUT_MS = 60_000;

/** One init-mode run: spawn to exit, in ms; fails unless it exits 0 with every file rendered. */
async function initRun(agent: AgentUnderTest, dirs: RunDirs, make: (p: RunPaths) => AgentConfigFile) {
  const run = dirs.next(make);
  const started = process.hrtime.bigint();
  const proc = new ManagedProcess({
    name: `${agent.label} (init)`,
    command: agent.command,
    args: agent.args(run.configFile),
    env: agent.env(run.home),
    logFile: join(run.home, 'agent.log'),
  });
  const status = await within(proc.exited, INIT_TIMEOUT_MS);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (status === undefined) {
    await proc.stop({ graceMs: 2000 });
    throw new Error(`${agent.label} did not exit in ${INIT_TIMEOUT_MS / 1000} s in init mode\n${proc.tail()}`);
  }
  await proc.stop({ graceMs: 0 }); // reap anything left in its group
  if (status.code !== 0) throw new Error(`${agent.label} init run failed (${describeExit(status)})\n${proc.tail()}`);
  const problem = run.config.expected.map(renderProblem).find((p) => p !== undefined);
  if (problem) throw new Error(`${agent.label} exited 0 but ${problem}`);
  return ms;
}

const RENDER_TIMEOUT_MS = 60_000;

/** A sidecar that has rendered every file; the caller stops it. */
interface StartedSidecar {
  readonly agent: AgentUnderTest;
  readonly proc: ManagedProcess;
  readonly pid: number;
  /** Spawn until every file was rendered. */
  readonly renderMs: number;
}

/** Sidecar mode, first part: spawn and wait until every file is rendered (undefined when interrupted). */
async function startSidecar(
  agent: AgentUnderTest,
  dirs: RunDirs,
  make: (p: RunPaths) => AgentConfigFile,
  stop: AbortSignal,
): Promise<StartedSidecar | undefined> {
  const run = dirs.next(make);
  const started = process.hrtime.bigint();
  const proc = new ManagedProcess({
    name: `${agent.label} (sidecar)`,
    command: agent.command,
    args: agent.args(run.configFile),
    env: agent.env(run.home),
    logFile: join(run.home, 'agent.log'),
  });
  try {
    const pid = proc.pid;
    if (pid === undefined) throw new Error(`${agent.label} has no pid\n${proc.tail()}`);
    const renderDeadline = Date.now() + RENDER_TIMEOUT_MS;
    for (;;) {
      if (!proc.running) throw new Error(`${agent.label} sidecar exited before rendering\n${proc.tail()}`);
      const problem = run.config.expected.map(renderProblem).find((p) => p !== undefined);
      if (problem === undefined) break;
      if (Date.now() >= renderDeadline) {
        throw new Error(`${agent.label} sidecar: ${problem} after ${RENDER_TIMEOUT_MS / 1000} s\n${proc.tail()}`);
      }
      if (stop.aborted) {
        await proc.stop({ graceMs: 5000 });
        return undefined;
      }
      await sleep(2);
    }
    return { agent, proc, pid, renderMs: Number(process.hrtime.bigint() - started) / 1e6 };
  } catch (err) {
    await proc.stop({ graceMs: 5000 });
    throw err;
  }
}

/** Sidecar mode, second part: settle, then an idle window of memory samples, CPU time and requests. */
async function measureIdle(
  sidecar: StartedSidecar,
  proxy: CountingProxy,
  opts: Options,
  stop: AbortSignal,
): Promise<SidecarResult | undefined> {
  const { agent, proc, pid } = sidecar;
  const exited = () => new Error(`${agent.label} sidecar exited during the idle window\n${proc.tail()}`);
  await sleep(opts.settleSeconds * 1000);
  const from = Date.now();
  const cpuBefore = cpuSeconds(pid);
  const end = from + opts.idleSeconds * 1000;
  const rss: number[] = [];
  for (let i = 0; i <= opts.idleSeconds; i++) {
    if (!proc.running) throw exited();
    if (stop.aborted) return undefined;
    rss.push(memoryMiB(pid, 'VmRSS'));
    const left = end - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(1000, left));
  }
  const to = Date.now();
  const cpu = cpuSeconds(pid) - cpuBefore;
  const peakMiB = memoryMiB(pid, 'VmHWM');
  if (!proc.running) throw exited();
  const windowSeconds = (to - from) / 1000;
  return {
    peakMiB,
    steadyMiB: median(rss),
    cpuSeconds: cpu,
    windowSeconds,
    perHour: perHour(countKinds(proxy.between(from, to)), windowSeconds),
  };
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const schedule = DEFAULT_SCHEDULE;
  const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
  const interrupt = new AbortController();
  const onSignal = () => {
    interrupt.abort();
    log('interrupted: stopping everything');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const vaultBinary = (await ensureGoBinary(vaultServerRecipe, log)).path;
    const workDir = makeTempDir('bench-agent');
    cleanups.push(async () => removeDir(workDir));
    const found = ourAgent(opts, log);
    const ours = typeof found === 'string' ? found : found.agent;
    if (typeof found === 'string') log(`our agent: n/a (${found})`);
    else
      log(
        `our agent: ${found.runtime.entry} on Node ${found.runtime.nodeVersion} (${found.runtime.node}); ${found.runtime.codeCache}`,
      );
    const agents = [...(typeof ours === 'string' ? [] : [ours]), vaultAgent(vaultBinary)];

    const vault = await startVaultServer(vaultBinary);
    cleanups.push(() => vault.stop());
    const { roleId, secretId } = await configureVault(vault.root, Math.max(...opts.templateCounts), schedule);
    const credentials = { roleIdFile: join(workDir, 'role-id'), secretIdFile: join(workDir, 'secret-id') };
    writeFileSync(credentials.roleIdFile, roleId, { mode: 0o600 });
    writeFileSync(credentials.secretIdFile, secretId, { mode: 0o600 });
    // one proxy per agent, so the side-by-side sidecars' requests are counted apart
    const proxies = new Map<string, CountingProxy>();
    for (const agent of agents) {
      const proxy = await startCountingProxy(vault.addr);
      cleanups.push(() => proxy.stop());
      proxies.set(agent.label, proxy);
    }
    const proxyOf = (agent: AgentUnderTest): CountingProxy => {
      const p = proxies.get(agent.label);
      if (!p) throw new Error(`no proxy for ${agent.label}`);
      return p;
    };
    const dirs = new RunDirs(workDir, credentials);

    const initMs = new Map(agents.map((a) => [a.label, new Map<number, number[]>()]));
    for (const n of opts.templateCounts) {
      const make = (agent: AgentUnderTest) => (p: RunPaths) => initConfig(proxyOf(agent).addr, p, n);
      log(`init mode, ${n} template(s): 1 warm-up + ${opts.runs} run(s) per agent, interleaved`);
      for (const agent of agents) await initRun(agent, dirs, make(agent));
      for (let r = 0; r < opts.runs; r++) {
        for (const agent of agents) {
          if (interrupt.signal.aborted) return 130;
          const ms = await initRun(agent, dirs, make(agent));
          const byCount = initMs.get(agent.label);
          byCount?.set(n, [...(byCount.get(n) ?? []), ms]);
        }
      }
    }

    // One sidecar of `agent` on the fixed secret set, through its own counting proxy.
    const sidecarOf = (agent: AgentUnderTest) =>
      startSidecar(agent, dirs, (p) => sidecarConfig(proxyOf(agent).addr, p, schedule), interrupt.signal);

    // Sidecar start-up: `--runs` starts per agent, interleaved, each stopped once every file is rendered.
    const sidecarStartMs = new Map(agents.map((a) => [a.label, [] as number[]]));
    log(`sidecar mode: ${opts.runs} start(s) per agent, interleaved, spawn to every file rendered`);
    for (let r = 0; r < opts.runs; r++) {
      for (const agent of agents) {
        const started = await sidecarOf(agent);
        if (!started) return 130;
        await started.proc.stop({ graceMs: 5000 });
        sidecarStartMs.get(agent.label)?.push(started.renderMs);
      }
    }

    // Sidecars start one at a time (so start-up times do not compete); the idle windows may overlap.
    const sidecars: PromiseSettledResult<SidecarResult | undefined>[] = [];
    const running: StartedSidecar[] = [];
    const idleLog = `settling ${opts.settleSeconds} s, then ${opts.idleSeconds} s idle window`;
    try {
      for (const agent of agents) {
        const proxy = proxyOf(agent);
        const started = await sidecarOf(agent);
        if (!started) return 130;
        running.push(started);
        log(`${agent.label}: sidecar rendered in ${started.renderMs.toFixed(0)} ms; ${idleLog}`);
        if (opts.sidecars === 'sequential') {
          sidecars.push(...(await Promise.allSettled([measureIdle(started, proxy, opts, interrupt.signal)])));
          await started.proc.stop({ graceMs: 5000 });
        }
      }
      if (opts.sidecars === 'parallel') {
        const windows = running.map((r) => measureIdle(r, proxyOf(r.agent), opts, interrupt.signal));
        sidecars.push(...(await Promise.allSettled(windows)));
      }
    } finally {
      for (const r of running) await r.proc.stop({ graceMs: 5000 });
    }
    if (interrupt.signal.aborted) return 130;
    const results = new Map<string, AgentResult>();
    agents.forEach((agent, i) => {
      const settled = sidecars[i];
      if (settled?.status === 'rejected') throw settled.reason;
      results.set(agent.label, {
        label: agent.label,
        initMs: initMs.get(agent.label) ?? new Map(),
        sidecarStartMs: sidecarStartMs.get(agent.label) ?? [],
        sidecar: settled?.value,
      });
    });

    const oursResult = typeof ours === 'string' ? undefined : results.get(ours.label);
    const theirs = results.get(vaultAgent(vaultBinary).label);
    const s = schedule;
    const out = [
      `${cpus().length} CPUs; reference: \`vault agent\` of Vault ${VAULT_SERVER.version} ` +
        '(OpenBao cannot be built here), same JSON config file, AppRole auto-auth, Vault dev server behind a counting proxy',
      typeof found === 'string'
        ? `ours: n/a (${found})`
        : `ours: ${relative(REPO_ROOT, found.runtime.entry)} on Node ${found.runtime.nodeVersion}` +
          ', with the code cache trained for that Node as the image build trains it',
      `init: exit_after_auth, KV v2 templates, ${opts.runs} run(s) per agent after 1 warm-up, spawn to exit`,
      `sidecar: KV v2 + KV v1 (ttl ${s.kv1TtlS}s) + pkiCert (ttl ${s.pkiTtlS}s), static_secret_render_interval ` +
        `${s.staticIntervalS}s, token_ttl ${s.tokenTtlS}s; ${opts.idleSeconds} s idle window after ${opts.settleSeconds} s ` +
        `settling, agents ${opts.sidecars === 'parallel' ? 'side by side' : 'one after the other'}`,
      '',
      ...summaryTable(oursResult, theirs, opts.templateCounts),
      '',
      ...requestsTable(oursResult, theirs, expectedPerHour(schedule)),
      '',
      ...goalLines(oursResult, theirs, opts.templateCounts),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } finally {
    for (const c of cleanups.reverse()) await c();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

runMain(main);
