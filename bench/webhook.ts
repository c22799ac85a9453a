/**
 * `npm run bench:webhook`: admission throughput, latency and memory of our webhook and of vault-k8s v1.7.6
 * on this machine. Each webhook runs alone, over TLS on 127.0.0.1, with the same settings, and gets the
 * same AdmissionReview (a typical pod: spec §3.9's, as the API server sends it) from `--concurrency`
 * keep-alive connections for `--seconds` after `--warmup` seconds. Prints requests/s, p50/p99 latency and
 * the webhook process's peak RSS (VmHWM), with ratios. Starts a throwaway etcd + kube-apiserver because
 * vault-k8s needs an in-cluster client; stops everything it started, also on Ctrl-C.
 *
 *   npm run bench:webhook -- --seconds=20 --warmup=3 --concurrency=16 --log-level=warn
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { type Cluster, startCluster } from '../e2e/bed/cluster.js';
import { httpCall } from '../e2e/bed/http.js';
import { freePort } from '../e2e/bed/ports.js';
import { ManagedProcess } from '../e2e/bed/processes.js';
import { vaultK8sMissing } from '../e2e/bed/reference.js';
import { provisionAll, vaultInjectorArgv } from '../e2e/bed/stack.js';
import { sleep } from '../e2e/bed/time.js';
import { makeTempDir, removeDir } from '../e2e/bed/tmp.js';
import { startVaultK8s, type VaultK8sProcess } from '../e2e/bed/vault-k8s.js';
import { webhookCerts } from '../e2e/bed/webhook-process.js';
import { runMain } from './run-main.js';

interface Options {
  readonly seconds: number;
  readonly warmup: number;
  readonly concurrency: number;
  readonly logLevel: string;
}

function parseOptions(argv: readonly string[]): Options {
  const get = (name: string, fallback: string) =>
    argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const num = (name: string, fallback: number, max: number) => {
    const v = Number(get(name, String(fallback)));
    if (!Number.isFinite(v) || v <= 0 || v > max) throw new Error(`--${name} must be a number in (0, ${max}]`);
    return v;
  };
  return {
    seconds: num('seconds', 20, 300),
    warmup: num('warmup', 3, 60),
    concurrency: Math.floor(num('concurrency', 16, 256)),
    logLevel: get('log-level', 'warn'),
  };
}

/** A webhook under test: where to send reviews, and which process to measure. */
interface Target {
  readonly label: string;
  readonly url: string;
  readonly caPem: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const SETTINGS = ['-vault-address=http://vault.vault.svc:8200', '-vault-image=hashicorp/vault:2.0.4'];

/** Our webhook as `vault-injector webhook` with file TLS; ready when /health/ready answers. */
async function startOurs(logLevel: string): Promise<Target> {
  const dir = makeTempDir('bench-webhook');
  const port = await freePort();
  const certs = await webhookCerts(dir);
  const [node, ...cli] = vaultInjectorArgv();
  const proc = new ManagedProcess({
    name: 'vault-injector webhook',
    command: node ?? process.execPath,
    args: [
      ...cli,
      'webhook',
      `-listen=127.0.0.1:${port}`,
      `-tls-cert-file=${certs.certFile}`,
      `-tls-key-file=${certs.keyFile}`,
      `-log-level=${logLevel}`,
      ...SETTINGS,
    ],
    env: { PATH: process.env.PATH ?? '', HOME: dir },
    logFile: join(dir, 'webhook.log'),
  });
  const stop = async () => {
    await proc.stop({ graceMs: 5000 });
    removeDir(dir);
  };
  try {
    for (let i = 0; ; i++) {
      if (!proc.running) throw new Error(`our webhook exited:\n${proc.tail()}`);
      const ok = await httpCall({ url: `https://127.0.0.1:${port}/health/ready`, ca: certs.caPem, timeoutMs: 1000 })
        .then((r) => r.status === 204)
        .catch(() => false);
      if (ok) break;
      if (i >= 150) throw new Error(`our webhook was not ready after 30 s:\n${proc.tail()}`);
      await sleep(200);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const pid = proc.pid;
  if (pid === undefined) throw new Error('our webhook has no pid');
  return { label: 'vault-injector', url: `https://127.0.0.1:${port}/mutate`, caPem: certs.caPem, pid, stop };
}

async function startTheirs(cluster: Cluster, binary: string, logLevel: string): Promise<Target> {
  const vk: VaultK8sProcess = await startVaultK8s({
    cluster,
    binary,
    args: [`-log-level=${logLevel}`, ...SETTINGS],
    namespace: 'vault-k8s',
  });
  return { label: 'vault-k8s v1.7.6', url: vk.url, caPem: vk.caPem, pid: vk.pid, stop: () => vk.stop() };
}

/** The request pod of spec §3.9, as the API server would send it (defaults and kube-api-access volume). */
async function typicalReview(cluster: Cluster): Promise<Buffer> {
  await cluster.admin.ensureNamespace('app');
  const pod = await cluster.admin.create<Record<string, unknown>>('/api/v1/namespaces/app/pods?dryRun=All', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'app-7d9f',
      labels: { app: 'app' },
      annotations: {
        'vault.hashicorp.com/agent-inject': 'true',
        'vault.hashicorp.com/role': 'myapp',
        'vault.hashicorp.com/agent-inject-secret-db': 'database/creds/db',
      },
    },
    spec: { containers: [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 3600'] }] },
  });
  return Buffer.from(
    JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: '7f0b2c1e-5b8a-4c1e-9d3a-2f6b8e4a1c90',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        namespace: 'app',
        operation: 'CREATE',
        userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
        object: pod,
        oldObject: null,
        dryRun: false,
      },
    }),
  );
}

function post(agent: Agent, url: URL, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out after 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** VmHWM (peak resident set) or VmRSS (now) of a process, in MiB. */
function memoryMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no ${field} in /proc/${pid}/status`);
  return kb / 1024;
}

interface Result {
  readonly label: string;
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly rssMiB: number;
  readonly idleMiB: number;
}

/** Drives one target: warm-up, then the measured window; every loop is bounded by time and count. */
async function drive(target: Target, body: Buffer, opts: Options, stop: AbortSignal): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency, ca: target.caPem });
  const url = new URL(target.url);
  const idleMiB = memoryMiB(target.pid, 'VmRSS');
  try {
    const first = await post(agent, url, body);
    const parsed = JSON.parse(first.text) as { response?: { allowed?: boolean; patch?: string } };
    if (first.status !== 200 || parsed.response?.allowed !== true || !parsed.response.patch) {
      throw new Error(`${target.label}: the review was not injected: HTTP ${first.status} ${first.text.slice(0, 300)}`);
    }
    const warmupEnd = Date.now() + opts.warmup * 1000;
    const end = warmupEnd + opts.seconds * 1000;
    const latencies: number[] = [];
    let errors = 0;
    let lastError = '';
    let measuredStart = 0n;
    const worker = async () => {
      for (let i = 0; i < 10_000_000; i++) {
        const now = Date.now();
        if (now >= end || stop.aborted) return;
        const t0 = process.hrtime.bigint();
        try {
          const r = await post(agent, url, body);
          if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
        } catch (err) {
          if (now >= warmupEnd) errors++;
          lastError = (err as Error).message;
          continue;
        }
        if (now >= warmupEnd) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    };
    const started = sleep(opts.warmup * 1000).then(() => {
      // the measured window starts here; a request in flight at this moment counts if it started after warm-up
      measuredStart = process.hrtime.bigint();
    });
    await Promise.all([started, ...Array.from({ length: opts.concurrency }, worker)]);
    const elapsed = Number(process.hrtime.bigint() - measuredStart) / 1e9;
    if (errors > 0) process.stderr.write(`${target.label}: ${errors} errors, last: ${lastError}\n`);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
    return {
      label: target.label,
      requests: latencies.length,
      errors,
      rps: latencies.length / elapsed,
      p50: pct(50),
      p99: pct(99),
      rssMiB: memoryMiB(target.pid, 'VmHWM'),
      idleMiB,
    };
  } finally {
    agent.destroy();
  }
}

function table(results: readonly Result[], opts: Options): string {
  const head = ['webhook', 'req/s', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'idle RSS MiB', 'requests', 'errors'];
  const rows = results.map((r) => [
    r.label,
    r.rps.toFixed(0),
    r.p50.toFixed(2),
    r.p99.toFixed(2),
    r.rssMiB.toFixed(1),
    r.idleMiB.toFixed(1),
    String(r.requests),
    String(r.errors),
  ]);
  const [ours, theirs] = results;
  if (ours && theirs) {
    rows.push([
      'ours / vault-k8s',
      `${(ours.rps / theirs.rps).toFixed(2)}x`,
      `${(ours.p50 / theirs.p50).toFixed(2)}x`,
      `${(ours.p99 / theirs.p99).toFixed(2)}x`,
      `${(ours.rssMiB / theirs.rssMiB).toFixed(2)}x`,
      `${(ours.idleMiB / theirs.idleMiB).toFixed(2)}x`,
      '',
      '',
    ]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [
    `concurrency ${opts.concurrency}, ${opts.seconds} s after ${opts.warmup} s warm-up, TLS keep-alive, log level ${opts.logLevel}, one review (spec §3.9 pod)`,
    line(head),
    `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
  const { binaries } = await provisionAll(log);
  const cleanups: Array<() => Promise<void>> = [];
  const interrupt = new AbortController();
  const onSignal = () => {
    interrupt.abort();
    log('interrupted: stopping everything');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const cluster = await startCluster({ etcd: binaries.etcd, kubeApiserver: binaries.kubeApiserver });
    cleanups.push(() => cluster.stop());
    const body = await typicalReview(cluster);
    const results: Result[] = [];
    const reference = binaries.vaultK8s;
    if (!reference) log(vaultK8sMissing());
    const starters = [
      () => startOurs(opts.logLevel),
      ...(reference ? [() => startTheirs(cluster, reference, opts.logLevel)] : []),
    ];
    for (const start of starters) {
      if (interrupt.signal.aborted) return 130;
      const target = await start();
      try {
        log(`${target.label}: pid ${target.pid}, ${opts.warmup} s warm-up + ${opts.seconds} s at ${opts.concurrency}`);
        results.push(await drive(target, body, opts, interrupt.signal));
      } finally {
        await target.stop();
      }
    }
    if (interrupt.signal.aborted) return 130;
    process.stdout.write(`${table(results, opts)}\n`);
    return results.some((r) => r.errors > 0) ? 1 : 0;
  } finally {
    for (const c of cleanups.reverse()) await c();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

runMain(main);
