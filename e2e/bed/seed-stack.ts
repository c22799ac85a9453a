import { randomBytes } from 'node:crypto';
import { type Cluster, startCluster } from './cluster.js';
import type { KubeObject } from './kube.js';
import { defaultImageTable } from './pod-runner/images.js';
import { type PodRunnerOptions, type RunningPod, runPod } from './pod-runner/pod.js';
import type { Pod } from './pod-runner/types.js';
import { type Postgres, startPostgres } from './postgres.js';
import type { BedBinaries } from './provision.js';
import { agentImageArgv } from './stack.js';
import { startVaultServer, type VaultServer } from './vault-server.js';
import { registerWebhook, startWebhookProcess, type WebhookProcess } from './webhook-process.js';

/** The webhook's default agent image: our own agent. */
export const OUR_AGENT_IMAGE = 'vault-injector/agent:0.1.0';

/**
 * The agent image the seed scenarios inject: E2E_AGENT_IMAGE when set (e.g. `hashicorp/vault:1.14.8`, the
 * real Vault Agent), else the webhook's default, our agent.
 */
export function seedAgentImage(env: NodeJS.ProcessEnv = process.env): string {
  return env.E2E_AGENT_IMAGE?.trim() || OUR_AGENT_IMAGE;
}

/** One cluster, Vault, PostgreSQL and webhook shared by every seed scenario; pods run by the pod runner. */
export interface SeedStack {
  readonly cluster: Cluster;
  readonly vault: VaultServer;
  readonly postgres: Postgres;
  readonly webhook: WebhookProcess;
  readonly agentImage: string;
  readonly runner: PodRunnerOptions;
  /** Creates the pod through the API server (so through the webhook) and runs what was stored. */
  startPod(namespace: string, pod: KubeObject): Promise<RunningPod>;
  /** Stops every pod started here, then the webhook, PostgreSQL, Vault and the cluster. */
  stop(): Promise<void>;
}

const WEBHOOK_NAME = 'vault-agent-injector-cfg';

export async function startSeedStack(opts: {
  readonly binaries: BedBinaries;
  readonly agentImage: string;
  /** Namespaces the webhook is registered for (each is created). */
  readonly namespaces: readonly string[];
}): Promise<SeedStack> {
  const pods = new Set<RunningPod>();
  let cluster: Cluster | undefined;
  let vault: VaultServer | undefined;
  let postgres: Postgres | undefined;
  let webhook: WebhookProcess | undefined;
  const stop = async () => {
    for (const p of pods) await p.stop();
    pods.clear();
    await webhook?.stop();
    await postgres?.stop();
    await vault?.stop();
    await cluster?.stop();
  };
  try {
    const bins = opts.binaries;
    [cluster, vault, postgres] = await Promise.all([
      startCluster({ etcd: bins.etcd, kubeApiserver: bins.kubeApiserver }),
      startVaultServer(bins.vault),
      startPostgres(bins.postgres),
    ]);
    for (const ns of opts.namespaces) await cluster.admin.ensureNamespace(ns);
    const imageArgs = opts.agentImage === OUR_AGENT_IMAGE ? [] : [`-vault-image=${opts.agentImage}`];
    webhook = await startWebhookProcess({ tls: 'files', args: [`-vault-address=${vault.addr}`, ...imageArgs] });
    await registerWebhook(cluster.admin, {
      name: WEBHOOK_NAME,
      url: webhook.url,
      caPem: webhook.caPem,
      failurePolicy: 'Fail',
      namespaces: opts.namespaces,
    });
    const runner: PodRunnerOptions = {
      kube: cluster.admin,
      images: defaultImageTable({ vault: bins.vault, vaultInjector: agentImageArgv() }),
      apiServer: { host: '127.0.0.1', port: cluster.port },
      maxGraceMs: 10_000,
      restartDelayMs: 500,
    };
    const admin = cluster.admin;
    return {
      cluster,
      vault,
      postgres,
      webhook,
      agentImage: opts.agentImage,
      runner,
      async startPod(namespace, pod) {
        const stored = await admin.create<Pod>(`/api/v1/namespaces/${namespace}/pods`, pod);
        const running = await runPod(stored, runner);
        pods.add(running);
        return running;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A 5-character suffix like the ones controllers give the pods they create. */
export function podSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/**
 * What the ReplicaSet controller would create for a Deployment (the bed runs no controllers): a pod
 * named `<deployment>-<hash>-<suffix>` with the template's labels, annotations and spec.
 */
export function podForDeployment(deployment: { metadata: { name: string }; spec: { template: PodTemplate } }) {
  const hash = randomBytes(5).toString('hex').slice(0, 10);
  const t = structuredClone(deployment.spec.template);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${deployment.metadata.name}-${hash}-${podSuffix()}`,
      labels: { ...t.metadata?.labels, 'pod-template-hash': hash },
      annotations: { ...t.metadata?.annotations },
    },
    spec: t.spec,
  };
}

/** What the Job controller would create: a pod owned by the Job, labelled with its name and uid. */
export function podForJob(job: { metadata: { name: string; uid?: string }; spec: { template: PodTemplate } }) {
  const t = structuredClone(job.spec.template);
  const uid = job.metadata.uid ?? '';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${job.metadata.name}-${podSuffix()}`,
      labels: { ...t.metadata?.labels, 'batch.kubernetes.io/job-name': job.metadata.name, 'controller-uid': uid },
      annotations: { ...t.metadata?.annotations },
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: job.metadata.name,
          uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: t.spec,
  };
}

/** `vault.hashicorp.com/<k>` for every key. */
export function vaultAnnotations(a: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [`vault.hashicorp.com/${k}`, v]));
}

/** A file's exact bytes as the container sees it (`cat` through the log capture would add a newline). */
export async function readBytes(pod: RunningPod, container: string, path: string): Promise<Buffer> {
  const r = await pod.exec(container, ['base64', '-w0', path]);
  if (r.code !== 0) throw new Error(`${pod.key}:${container}: reading ${path} failed: ${r.output.trim()}`);
  return Buffer.from(r.output.trim(), 'base64');
}

/** The file's content, or undefined while it does not exist (or cannot be read yet). */
export async function tryReadText(pod: RunningPod, container: string, path: string): Promise<string | undefined> {
  try {
    return (await readBytes(pod, container, path)).toString('utf8');
  } catch {
    return undefined;
  }
}
