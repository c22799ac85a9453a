import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '../../certs/src/authority.js';
import { httpCall } from './http.js';
import { KubeClient } from './kube.js';
import { freePort } from './ports.js';
import { ManagedProcess } from './processes.js';
import { waitFor } from './time.js';
import { makeTempDir, removeDir } from './tmp.js';

/** The issuer and default audience a real cluster uses; Vault's Kubernetes auth expects them. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** Audiences the API server accepts for TokenReview; `vault` is what `vault.hashicorp.com/agent-service-account-token-audience`-style setups use. */
export const API_AUDIENCES = [SERVICE_ACCOUNT_ISSUER, 'vault'];

export interface ClusterBinaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
}

export interface Cluster {
  readonly server: string;
  readonly port: number;
  readonly caPem: string;
  readonly adminToken: string;
  readonly kubeconfigPath: string;
  readonly admin: KubeClient;
  readonly etcd: ManagedProcess;
  readonly apiserver: ManagedProcess;
  /** Whether init containers with `restartPolicy: Always` (native sidecars) are kept by this API server. */
  readonly nativeSidecars: boolean;
  stop(): Promise<void>;
}

/**
 * etcd and kube-apiserver on 127.0.0.1 (free ports) with service-account signing, RBAC, the
 * admission webhooks and a static admin token; a kubeconfig for it; torn down completely by stop().
 */
export async function startCluster(bins: ClusterBinaries, opts: { log?: (m: string) => void } = {}): Promise<Cluster> {
  const log = opts.log ?? (() => {});
  const dir = makeTempDir('cluster');
  const started: ManagedProcess[] = [];
  const stopAll = async () => {
    for (const p of started.reverse()) await p.stop({ graceMs: 5000 });
    removeDir(dir);
  };
  try {
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = new ManagedProcess({
      name: 'etcd',
      command: bins.etcd,
      args: [
        '--name=bed',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=bed=http://127.0.0.1:${etcdPeer}`,
        '--log-level=warn',
        '--quota-backend-bytes=1073741824',
        '--unsafe-no-fsync', // a throwaway store: durability buys nothing and costs seconds
      ],
      logFile: join(dir, 'etcd.log'),
    });
    started.push(etcd);
    await waitFor(
      'etcd health',
      async () => {
        const r = await httpCall({ url: `http://127.0.0.1:${etcdClient}/health`, timeoutMs: 1000 });
        return r.status === 200 && r.text.includes('true') ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${etcd.tail()}`);
    });
    log(`etcd ready on 127.0.0.1:${etcdClient}`);

    const now = new Date();
    const ca = await createCertificateAuthority({
      commonName: 'vault-injector e2e cluster CA',
      now,
      validForMs: 7 * 86400_000,
    });
    const serving = await issueCertificate(ca, {
      commonName: 'kube-apiserver',
      dnsNames: [
        'localhost',
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
      ],
      ipAddresses: ['127.0.0.1', '10.96.0.1'],
      usage: 'server',
      now,
      validForMs: 7 * 86400_000,
    });
    const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const adminToken = randomBytes(24).toString('hex');
    const files = {
      ca: join(dir, 'ca.crt'),
      cert: join(dir, 'apiserver.crt'),
      key: join(dir, 'apiserver.key'),
      saPub: join(dir, 'sa.pub'),
      saKey: join(dir, 'sa.key'),
      tokens: join(dir, 'tokens.csv'),
    };
    writeFileSync(files.ca, ca.certPem);
    writeFileSync(files.cert, serving.certPem);
    writeFileSync(files.key, serving.keyPem, { mode: 0o600 });
    writeFileSync(files.saPub, sa.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(files.saKey, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(files.tokens, `${adminToken},admin,admin,system:masters\n`, { mode: 0o600 });

    const apiserver = new ManagedProcess({
      name: 'kube-apiserver',
      command: bins.kubeApiserver,
      args: [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${join(dir, 'certs')}`,
        `--tls-cert-file=${files.cert}`,
        `--tls-private-key-file=${files.key}`,
        `--client-ca-file=${files.ca}`,
        `--token-auth-file=${files.tokens}`,
        '--authorization-mode=RBAC',
        `--service-account-key-file=${files.saPub}`,
        `--service-account-signing-key-file=${files.saKey}`,
        `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
        `--api-audiences=${API_AUDIENCES.join(',')}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        '--enable-admission-plugins=ServiceAccount,MutatingAdmissionWebhook,ValidatingAdmissionWebhook',
        '--allow-privileged=true',
        '--endpoint-reconciler-type=none',
        '--v=0',
      ],
      logFile: join(dir, 'kube-apiserver.log'),
    });
    started.push(apiserver);
    const server = `https://127.0.0.1:${apiPort}`;
    await waitFor(
      'kube-apiserver /readyz',
      async () => {
        if (!apiserver.running) throw new Error(`kube-apiserver exited\n${apiserver.tail(40)}`);
        const r = await httpCall({
          url: `${server}/readyz`,
          ca: ca.certPem,
          headers: { authorization: `Bearer ${adminToken}` },
          timeoutMs: 2000,
        });
        return r.status === 200 ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    log(`kube-apiserver ready at ${server}`);

    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfig(server, ca.certPem, adminToken), { mode: 0o600 });
    const admin = new KubeClient({ server, caPem: ca.certPem, token: adminToken });
    await admin.ensureNamespace('default');
    const nativeSidecars = await probeNativeSidecars(admin);
    return {
      server,
      port: apiPort,
      caPem: ca.certPem,
      adminToken,
      kubeconfigPath,
      admin,
      etcd,
      apiserver,
      nativeSidecars,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function kubeconfig(server: string, caPem: string, token: string): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'e2e', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } },
      ],
      users: [{ name: 'admin', user: { token } }],
      contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'admin', namespace: 'default' } }],
      'current-context': 'e2e',
    },
    null,
    2,
  );
}

/** Dry-run a pod with a native sidecar; old API servers silently drop `restartPolicy` on init containers. */
async function probeNativeSidecars(admin: KubeClient): Promise<boolean> {
  const pod = await admin.request<{ spec: { initContainers?: { restartPolicy?: string }[] } }>(
    'POST',
    '/api/v1/namespaces/default/pods?dryRun=All',
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'native-sidecar-probe' },
      spec: {
        initContainers: [{ name: 'side', image: 'busybox', restartPolicy: 'Always' }],
        containers: [{ name: 'app', image: 'busybox' }],
      },
    },
  );
  return pod.spec.initContainers?.[0]?.restartPolicy === 'Always';
}
