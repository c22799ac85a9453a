import { join } from 'node:path';
import type { KubeClient } from '../kube.js';
import { describeExit, type ExitStatus, type ManagedProcess } from '../processes.js';
import { sleep, waitFor, within } from '../time.js';
import { makeTempDir, removeDir } from '../tmp.js';
import { type Bind, containerArgv, execIn, imageBinDir, launch, prepareMountPoints } from './container.js';
import { expandVars, fieldValue } from './fields.js';
import { findImageRule, type ImageRule } from './images.js';
import { runHandler, runStartupProbe } from './probes.js';
import type { Container, Pod } from './types.js';
import { type MaterializedVolume, materializeVolume } from './volumes.js';

export interface PodRunnerOptions {
  readonly kube: KubeClient;
  readonly images: readonly ImageRule[];
  /** What KUBERNETES_SERVICE_HOST/PORT point at (the bed's API server), as in a real pod. */
  readonly apiServer: { readonly host: string; readonly port: number };
  /** Restarts allowed per container before the pod is declared Failed (bounded, unlike a kubelet). */
  readonly maxRestarts?: number;
  readonly restartDelayMs?: number;
  /** Upper bound on terminationGracePeriodSeconds, to keep tests short. */
  readonly maxGraceMs?: number;
  /** Drop to securityContext.runAsUser/runAsGroup (needs every program readable by that user). */
  readonly runAsUser?: boolean;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';
type Kind = 'init' | 'sidecar' | 'app';

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** One container of the pod, across its restarts. */
class ContainerRun {
  readonly instances: ManagedProcess[] = [];
  /** Set once the container will not be started again. */
  final: ExitStatus | undefined;
  private changed: () => void = () => {};
  readonly settled = new Promise<void>((resolve) => {
    this.changed = resolve;
  });

  constructor(
    readonly spec: Container,
    readonly kind: Kind,
    readonly env: Record<string, string>,
    readonly argv: readonly string[],
    readonly binds: readonly Bind[],
  ) {}

  get current(): ManagedProcess | undefined {
    return this.instances.at(-1);
  }

  finish(status: ExitStatus): void {
    this.final ??= status;
    this.changed();
  }
}

/** A pod running on this machine: what a kubelet would do, for tests. */
export class RunningPod {
  phase: PodPhase = 'Pending';
  readonly events: string[] = [];
  private readonly runs = new Map<string, ContainerRun>();
  private readonly volumes: MaterializedVolume[] = [];
  private readonly releases: Array<() => void> = [];
  private stopping = false;
  /** Set when the main containers are done for good: nothing restarts after that. */
  private completed = false;
  private stopped: Promise<void> | undefined;

  private constructor(
    readonly pod: Pod,
    readonly dir: string,
    private readonly opts: PodRunnerOptions,
  ) {}

  get key(): string {
    return `${this.pod.metadata.namespace}/${this.pod.metadata.name}`;
  }

  /** Materializes volumes, runs init containers in order (native sidecars stay up), then starts the containers. */
  static async start(pod: Pod, opts: PodRunnerOptions): Promise<RunningPod> {
    const dir = makeTempDir(`pod-${pod.metadata.name.slice(0, 40)}`);
    const self = new RunningPod(pod, dir, opts);
    try {
      await self.boot();
    } catch (err) {
      self.phase = 'Failed';
      await self.stop();
      throw err;
    }
    return self;
  }

  logs(container: string, opts: { previous?: boolean } = {}): string {
    const run = this.run(container);
    const inst = opts.previous ? run.instances.at(-2) : run.current;
    return inst?.text() ?? '';
  }

  restarts(container: string): number {
    return Math.max(0, this.run(container).instances.length - 1);
  }

  exitStatus(container: string): ExitStatus | undefined {
    return this.run(container).current?.exitStatus;
  }

  /** `kubectl exec`: a command inside the container's view of the filesystem. */
  exec(container: string, command: readonly string[], timeoutMs = 10_000) {
    const run = this.run(container);
    const proc = run.current;
    if (!proc) throw new Error(`${this.key}: container ${container} never started`);
    return execIn(proc, command, run.env, timeoutMs);
  }

  async readFile(container: string, path: string): Promise<string> {
    const r = await this.exec(container, ['cat', path]);
    if (r.code !== 0) throw new Error(`${this.key}:${container}: cat ${path} failed: ${r.output}`);
    return r.output;
  }

  /** Waits until the container has exited for good (no restart coming). */
  async waitForExit(container: string, timeoutMs: number): Promise<ExitStatus> {
    const run = this.run(container);
    const done =
      (await within(
        run.settled.then(() => true),
        timeoutMs,
      )) ?? false;
    if (!done || !run.final)
      throw new Error(`${this.key}:${container} still running after ${timeoutMs} ms\n${this.logs(container)}`);
    return run.final;
  }

  /** Waits for Succeeded or Failed (containers done; a Job's pod). */
  waitForCompletion(timeoutMs: number): Promise<PodPhase> {
    return waitFor(
      `pod ${this.key} to complete`,
      () => (this.phase === 'Succeeded' || this.phase === 'Failed' ? this.phase : undefined),
      {
        timeoutMs,
        intervalMs: 100,
      },
    );
  }

  /** Deletes the pod from this machine: preStop, SIGTERM, grace period, SIGKILL; then cleans up everything. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private run(name: string): ContainerRun {
    const r = this.runs.get(name);
    if (!r) throw new Error(`${this.key} has no container ${name} (has: ${[...this.runs.keys()].join(', ')})`);
    return r;
  }

  private note(event: string): void {
    this.events.push(`${new Date().toISOString()} ${event}`);
  }

  private async boot(): Promise<void> {
    const { pod, opts } = this;
    const volumeDirs = new Map<string, string>();
    for (const v of pod.spec.volumes ?? []) {
      const m = await materializeVolume(opts.kube, pod, v, join(this.dir, 'volumes'), (msg) => this.note(msg));
      this.volumes.push(m);
      volumeDirs.set(v.name, m.hostPath);
    }
    const prepare = async (c: Container, kind: Kind) => {
      const env = await this.containerEnv(c);
      const vars = new Map(Object.entries(env));
      const argv = containerArgv(opts.images, c, (s) => expandVars(s, vars));
      const binds: Bind[] = (c.volumeMounts ?? []).map((m) => {
        const source = volumeDirs.get(m.name);
        if (source === undefined) throw new Error(`pod runner: ${c.name} mounts unknown volume ${m.name}`);
        return {
          source: m.subPath ? join(source, m.subPath) : source,
          target: m.mountPath,
          readOnly: m.readOnly ?? false,
        };
      });
      const binDir = imageBinDir(opts.images, c, join(this.dir, 'bin', c.name));
      if (binDir) env.PATH = `${binDir}:${env.PATH}`;
      this.releases.push(...prepareMountPoints(binds));
      const run = new ContainerRun(c, kind, env, argv, binds);
      this.runs.set(c.name, run);
      return run;
    };

    for (const c of pod.spec.initContainers ?? []) {
      if (this.stopping) return;
      const run = await prepare(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init');
      if (run.kind === 'sidecar') await this.startSidecar(run);
      else await this.runInit(run);
    }
    const apps = [];
    for (const c of pod.spec.containers) apps.push(await prepare(c, 'app'));
    this.phase = 'Running';
    for (const run of apps) this.supervise(run);
  }

  private async containerEnv(c: Container): Promise<Record<string, string>> {
    const { pod, opts } = this;
    const ns = pod.metadata.namespace;
    const env: Record<string, string> = {
      PATH: BASE_PATH,
      HOSTNAME: pod.metadata.name,
      HOME: '/root',
      KUBERNETES_SERVICE_HOST: opts.apiServer.host,
      KUBERNETES_SERVICE_PORT: String(opts.apiServer.port),
      KUBERNETES_SERVICE_PORT_HTTPS: String(opts.apiServer.port),
      ...findImageRule(opts.images, c.image ?? '')?.env,
    };
    for (const from of c.envFrom ?? []) {
      const ref = from.configMapRef ?? from.secretRef;
      if (!ref) continue;
      const path = from.configMapRef ? `configmaps/${ref.name}` : `secrets/${ref.name}`;
      const obj = await opts.kube.tryGet<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/${path}`);
      if (!obj && !ref.optional) throw new Error(`pod runner: ${c.name} envFrom ${path} not found`);
      for (const [k, v] of Object.entries(obj?.data ?? {})) {
        env[`${from.prefix ?? ''}${k}`] = from.secretRef ? Buffer.from(v, 'base64').toString('utf8') : v;
      }
    }
    const vars = new Map(Object.entries(env));
    for (const e of c.env ?? []) {
      let value = e.value !== undefined ? expandVars(e.value, vars) : '';
      const from = e.valueFrom;
      if (from?.fieldRef) value = fieldValue(pod, from.fieldRef.fieldPath);
      else if (from?.secretKeyRef || from?.configMapKeyRef) {
        const ref = (from.secretKeyRef ?? from.configMapKeyRef)!;
        const path = from.secretKeyRef ? `secrets/${ref.name}` : `configmaps/${ref.name}`;
        const obj = await opts.kube.tryGet<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/${path}`);
        const raw = obj?.data?.[ref.key];
        if (raw === undefined) {
          if (ref.optional) continue;
          throw new Error(`pod runner: ${c.name} env ${e.name}: ${path} key ${ref.key} not found`);
        }
        value = from.secretKeyRef ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      }
      env[e.name] = value;
      vars.set(e.name, value);
    }
    return env;
  }

  private startInstance(run: ContainerRun): ManagedProcess {
    const c = run.spec;
    const uid = c.securityContext?.runAsUser ?? this.pod.spec.securityContext?.runAsUser;
    const gid = c.securityContext?.runAsGroup ?? this.pod.spec.securityContext?.runAsGroup ?? uid;
    const proc = launch({
      podKey: this.key,
      container: c,
      argv: run.argv,
      env: run.env,
      binds: run.binds,
      user: this.opts.runAsUser && uid !== undefined ? { uid, gid: gid ?? uid } : undefined,
      logFile: join(this.dir, `${c.name}.${run.instances.length}.log`),
    });
    run.instances.push(proc);
    this.note(`started ${c.name} (instance ${run.instances.length}, pid ${proc.pid})`);
    return proc;
  }

  private async runInit(run: ContainerRun): Promise<void> {
    const maxRestarts = this.opts.maxRestarts ?? 5;
    for (let attempt = 0; attempt <= maxRestarts; attempt++) {
      const status = await this.startInstance(run).exited;
      this.note(`init container ${run.spec.name} exited (${describeExit(status)})`);
      if (status.code === 0) return run.finish(status);
      if (this.stopping || this.pod.spec.restartPolicy === 'Never') {
        run.finish(status);
        break;
      }
      await sleep(this.opts.restartDelayMs ?? 1000);
    }
    run.finish(run.current?.exitStatus ?? { code: null, signal: null });
    throw new Error(
      `pod ${this.key}: init container ${run.spec.name} failed (${describeExit(run.final!)})\n${this.logs(run.spec.name)}`,
    );
  }

  /** A native sidecar: started, and the next init container waits for its startup probe. */
  private async startSidecar(run: ContainerRun): Promise<void> {
    const maxRestarts = this.opts.maxRestarts ?? 5;
    for (let attempt = 0; attempt <= maxRestarts && !this.stopping; attempt++) {
      const proc = this.startInstance(run);
      const probe = run.spec.startupProbe;
      const started = probe ? await runStartupProbe(probe, run.spec, proc, run.env) : proc.running;
      if (started) {
        this.note(`sidecar ${run.spec.name} started`);
        this.supervise(run, proc);
        return;
      }
      this.note(`sidecar ${run.spec.name} failed its startup probe; restarting`);
      await proc.stop({ graceMs: this.graceMs() });
    }
    throw new Error(
      `pod ${this.key}: native sidecar ${run.spec.name} never passed its startup probe\n${this.logs(run.spec.name)}`,
    );
  }

  /** Restarts a container by its policy until it is done for good, then updates the pod phase. */
  private supervise(run: ContainerRun, already?: ManagedProcess): void {
    const policy = run.kind === 'sidecar' ? 'Always' : (this.pod.spec.restartPolicy ?? 'Always');
    const maxRestarts = this.opts.maxRestarts ?? 5;
    const loop = async () => {
      let proc = already ?? this.startInstance(run);
      for (;;) {
        const status = await proc.exited;
        this.note(`${run.spec.name} exited (${describeExit(status)})`);
        const again =
          !this.stopping && !this.completed && (policy === 'Always' || (policy === 'OnFailure' && status.code !== 0));
        if (!again || run.instances.length > maxRestarts) {
          run.finish(status);
          break;
        }
        await sleep(this.opts.restartDelayMs ?? 1000);
        if (this.stopping || this.completed) {
          run.finish(status);
          break;
        }
        proc = this.startInstance(run);
      }
      if (run.kind === 'app') await this.appFinished();
    };
    void loop();
  }

  private async appFinished(): Promise<void> {
    const apps = [...this.runs.values()].filter((r) => r.kind === 'app');
    if (this.stopping || apps.some((r) => r.final === undefined)) return;
    this.phase = apps.every((r) => r.final?.code === 0) ? 'Succeeded' : 'Failed';
    this.note(`pod ${this.phase}`);
    this.completed = true;
    // As the kubelet does for Jobs: once the main containers are done, native sidecars are stopped.
    await this.terminate([...this.runs.values()].filter((r) => r.kind === 'sidecar').reverse());
  }

  private graceMs(): number {
    const spec = (this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    return Math.min(spec, this.opts.maxGraceMs ?? 30_000);
  }

  /** preStop hooks, SIGTERM, grace, SIGKILL for the given containers, all at once. */
  private async terminate(runs: readonly ContainerRun[]): Promise<void> {
    const grace = this.graceMs();
    await Promise.all(
      runs.map(async (run) => {
        const proc = run.current;
        if (!proc?.running) return;
        const deadline = Date.now() + grace;
        const preStop = run.spec.lifecycle?.preStop;
        if (preStop) {
          const ok = await runHandler(preStop, run.spec, proc, run.env, grace);
          this.note(`preStop of ${run.spec.name} ${ok ? 'done' : 'failed'}`);
        }
        await proc.stop({ graceMs: Math.max(0, deadline - Date.now()) });
      }),
    );
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    const all = [...this.runs.values()];
    await this.terminate(all.filter((r) => r.kind === 'app'));
    await this.terminate(all.filter((r) => r.kind === 'sidecar').reverse());
    for (const run of all) {
      for (const p of run.instances) await p.stop({ graceMs: 0 });
      run.finish(run.current?.exitStatus ?? { code: null, signal: null });
    }
    if (this.phase === 'Running' || this.phase === 'Pending') this.phase = 'Failed';
    for (const v of this.volumes) v.release();
    for (const r of this.releases) r();
    removeDir(this.dir);
  }
}

/** Runs a pod as stored by the API server (mutated by any webhook). */
export function runPod(pod: Pod, opts: PodRunnerOptions): Promise<RunningPod> {
  return RunningPod.start(pod, opts);
}
