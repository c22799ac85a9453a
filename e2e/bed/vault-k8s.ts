import { readFileSync } from 'node:fs';
import type { Cluster } from './cluster.js';
import { httpCall } from './http.js';
import { defaultImageTable, type ImageRule, imagePattern } from './pod-runner/images.js';
import { type RunningPod, runPod } from './pod-runner/pod.js';
import type { Pod } from './pod-runner/types.js';
import { freePort } from './ports.js';
import { processTable } from './proc-table.js';
import { agentImageArgv } from './stack.js';
import { sleep } from './time.js';
import { loopbackServingCerts } from './webhook-process.js';

/**
 * The reference injector, hashicorp/vault-k8s `agent-inject`, running as a pod of the bed: it builds an
 * in-cluster Kubernetes client at start (KUBERNETES_SERVICE_HOST/PORT and the projected service-account
 * token the pod runner provides), lists and watches MutatingWebhookConfigurations before it serves its
 * certificate, and serves file-mode TLS from a Secret volume, as a Helm install with its own certs does.
 */

export const VAULT_K8S_IMAGE = 'hashicorp/vault-k8s:1.7.6';
const CERT_DIR = '/etc/webhook/certs';
const CLUSTER_ROLE = 'vault-k8s-reference-injector';

export interface VaultK8sProcess {
  /** https://127.0.0.1:<port>/mutate */
  readonly url: string;
  readonly port: number;
  /** The CA that signed the serving certificate (for 127.0.0.1). */
  readonly caPem: string;
  /** The vault-k8s process itself (for /proc/<pid>/status). */
  readonly pid: number;
  readonly pod: RunningPod;
  logs(): string;
  stop(): Promise<void>;
}

/** The pod runner's image rule for `hashicorp/vault-k8s`; put it before defaultImageTable's rules. */
export function vaultK8sImageRule(binary: string): ImageRule {
  return { name: 'vault-k8s', pattern: imagePattern('hashicorp/vault-k8s'), entrypoint: [binary] };
}

/** What Helm's injector ClusterRole grants, so the informer syncs and caBundle patches would work. */
async function ensureRbac(cluster: Cluster, namespace: string, serviceAccount: string): Promise<void> {
  await cluster.admin.ensureNamespace(namespace);
  await cluster.admin.ensureServiceAccount(namespace, serviceAccount);
  await cluster.admin.ensure('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: CLUSTER_ROLE },
    rules: [
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['mutatingwebhookconfigurations'],
        verbs: ['get', 'list', 'watch', 'patch'],
      },
    ],
  });
  await cluster.admin.bindClusterRole(`${CLUSTER_ROLE}-${namespace}-${serviceAccount}`, CLUSTER_ROLE, {
    namespace,
    name: serviceAccount,
  });
}

/** The pid of the process started from `binary` whose argv holds `marker` (bounded: one /proc scan). */
function findPid(binary: string, marker: string): number | undefined {
  for (const p of processTable()) {
    try {
      const argv = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0');
      if (argv[0] === binary && argv.includes(marker)) return p.pid;
    } catch {
      // ended while we looked
    }
  }
  return undefined;
}

/**
 * Starts `vault-k8s agent-inject` on 127.0.0.1 (a free port) with the given extra flags, and returns once
 * /health/ready answers 204 over TLS. stop() stops the pod and deletes what it created in the cluster.
 */
export async function startVaultK8s(opts: {
  cluster: Cluster;
  binary: string;
  /** Flags after `agent-inject -listen=… -tls-cert-file=… -tls-key-file=…`, e.g. `-vault-address=…`. */
  args?: readonly string[];
  /** Extra container environment, e.g. AGENT_INJECT_TEMPLATE_MAX_CONNECTIONS_PER_HOST (env overrides flags). */
  env?: Readonly<Record<string, string>>;
  namespace?: string;
  readyTimeoutMs?: number;
}): Promise<VaultK8sProcess> {
  const { cluster } = opts;
  const ns = opts.namespace ?? 'vault-k8s';
  const sa = 'vault-k8s';
  await ensureRbac(cluster, ns, sa);
  const port = await freePort();
  const name = `vault-k8s-${port}`;
  const pems = await loopbackServingCerts('vault-k8s reference CA');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  await cluster.admin.create(`/api/v1/namespaces/${ns}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(pems.certPem), 'tls.key': b64(pems.keyPem) },
  });
  const cleanupCluster = async () => {
    await cluster.admin.delete(`/api/v1/namespaces/${ns}/pods/${name}`);
    await cluster.admin.delete(`/api/v1/namespaces/${ns}/secrets/${name}`);
  };
  const listen = `-listen=127.0.0.1:${port}`;
  let running: RunningPod | undefined;
  try {
    const stored = await cluster.admin.create<Pod>(`/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'vault-agent-injector' } },
      spec: {
        serviceAccountName: sa,
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 5,
        containers: [
          {
            name: 'vault-k8s',
            image: VAULT_K8S_IMAGE,
            args: [
              'agent-inject',
              listen,
              `-tls-cert-file=${CERT_DIR}/tls.crt`,
              `-tls-key-file=${CERT_DIR}/tls.key`,
              ...(opts.args ?? []),
            ],
            env: [
              { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ...Object.entries(opts.env ?? {}).map(([k, value]) => ({ name: k, value })),
            ],
            volumeMounts: [{ name: 'webhook-certs', mountPath: CERT_DIR, readOnly: true }],
          },
        ],
        volumes: [{ name: 'webhook-certs', secret: { secretName: name } }],
      },
    });
    running = await runPod(stored, {
      kube: cluster.admin,
      images: [vaultK8sImageRule(opts.binary), ...defaultImageTable({ vaultInjector: agentImageArgv() })],
      apiServer: { host: '127.0.0.1', port: cluster.port },
      maxGraceMs: 5000,
      maxRestarts: 0,
    });
    const pod = running;
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
    let last = '';
    for (let attempt = 0; ; attempt++) {
      if (pod.exitStatus('vault-k8s') !== undefined) {
        throw new Error(`vault-k8s exited before it was ready:\n${pod.logs('vault-k8s')}`);
      }
      try {
        const r = await httpCall({ url: `https://127.0.0.1:${port}/health/ready`, ca: pems.caPem, timeoutMs: 2000 });
        if (r.status === 204) break;
        last = `HTTP ${r.status}`;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline || attempt > 1000) {
        throw new Error(`vault-k8s was not ready on 127.0.0.1:${port} (${last}):\n${pod.logs('vault-k8s')}`);
      }
      await sleep(200);
    }
    const pid = findPid(opts.binary, listen);
    if (pid === undefined) throw new Error(`vault-k8s serves on ${port} but its process was not found`);
    return {
      url: `https://127.0.0.1:${port}/mutate`,
      port,
      caPem: pems.caPem,
      pid,
      pod,
      logs: () => pod.logs('vault-k8s'),
      async stop() {
        await pod.stop();
        await cleanupCluster();
      },
    };
  } catch (err) {
    await running?.stop();
    await cleanupCluster();
    throw err;
  }
}
