import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';
import { type Cluster, startCluster } from './bed/cluster.js';
import { KubeError } from './bed/kube.js';
import { defaultImageTable } from './bed/pod-runner/images.js';
import { type RunningPod, runPod } from './bed/pod-runner/pod.js';
import type { Pod } from './bed/pod-runner/types.js';
import { type Postgres, startPostgres } from './bed/postgres.js';
import { setupAksWalkthrough } from './bed/scenarios.js';
import { agentImageArgv } from './bed/stack.js';
import { waitFor } from './bed/time.js';
import { makeTempDir, removeDir } from './bed/tmp.js';
import {
  enableDatabaseEngine,
  enableKubernetesSecretsEngine,
  enablePki,
  kubernetesLogin,
  startVaultServer,
  VaultApiError,
  type VaultServer,
  writeDatabaseRole,
} from './bed/vault-server.js';
import { bedBinaries } from './hooks.js';

/** Claims of a JWT, without verifying it (the API server verifies; we only look). */
function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function pgConnect(url: string) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  return client;
}

describe('test bed smoke: the real components work together', () => {
  let cluster: Cluster;
  let vault: VaultServer;
  let postgres: Postgres;

  before(async function () {
    this.timeout(240_000);
    const bins = bedBinaries();
    cluster = await startCluster({ etcd: bins.etcd, kubeApiserver: bins.kubeApiserver });
    vault = await startVaultServer(bins.vault);
    postgres = await startPostgres(bins.postgres);
  });

  after(async function () {
    this.timeout(60_000);
    await postgres?.stop();
    await vault?.stop();
    await cluster?.stop();
  });

  it('001 the API server keeps native sidecars (restartPolicy: Always on an init container)', () => {
    assert.equal(cluster.nativeSidecars, true);
  });

  it('002 a bound service account logs in through Kubernetes auth and reads KV v2; an unbound one gets 403', async () => {
    const admin = cluster.admin;
    await setupAksWalkthrough(vault.root, cluster);
    await admin.ensureServiceAccount('busybox', 'intruder');

    const { token: jwt } = await admin.createToken('busybox', 'busybox', { expirationSeconds: 600 });
    const auth = await kubernetesLogin(vault.root, 'busybox', jwt);
    assert.ok(auth.policies.includes('busybox'), `policies: ${auth.policies}`);
    const secret = await vault.root
      .withToken(auth.client_token)
      .read<{ data: { token: string } }>('secret/data/devops');
    assert.equal(secret.data.data.token, 'pat');

    const { token: other } = await admin.createToken('busybox', 'intruder', { expirationSeconds: 600 });
    await assert.rejects(kubernetesLogin(vault.root, 'busybox', other), (err: unknown) => {
      assert.ok(err instanceof VaultApiError);
      assert.equal(err.status, 403);
      return true;
    });
  });

  it('003 database credentials are a real PostgreSQL role that connects, and revoking the lease drops it', async () => {
    await enableDatabaseEngine(vault.root, postgres);
    await writeDatabaseRole(vault.root, 'readonly', { defaultTtl: '1h' });
    const creds = await vault.root.read<{ username: string; password: string }>('database/creds/readonly');
    assert.ok(creds.lease_id.startsWith('database/creds/readonly/'));
    const { username, password } = creds.data;

    const asApp = await pgConnect(
      `postgresql://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${postgres.port}/postgres`,
    );
    const who = await asApp.query<{ u: string }>('SELECT current_user AS u');
    assert.equal(who.rows[0]?.u, username);
    await asApp.end();

    const su = await pgConnect(postgres.url);
    try {
      const before = await su.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username]);
      assert.equal(before.rowCount, 1);
      await vault.root.write('sys/leases/revoke', { lease_id: creds.lease_id });
      const gone = await waitFor(
        'the role to be dropped',
        async () =>
          (await su.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).rowCount === 0 ? true : undefined,
        { timeoutMs: 15_000, intervalMs: 200 },
      );
      assert.equal(gone, true);
    } finally {
      await su.end();
    }
  });

  it('004 Kubernetes secrets engine tokens list pods in their namespace, get 403 elsewhere and 401 once revoked', async () => {
    const admin = cluster.admin;
    await admin.ensureNamespace('demo');
    await enableKubernetesSecretsEngine(vault.root, cluster);
    await vault.root.write('kubernetes/roles/rules', {
      allowed_kubernetes_namespaces: ['demo'],
      kubernetes_role_type: 'Role',
      token_default_ttl: '1h',
      generated_role_rules: JSON.stringify({
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'get'] }],
      }),
    });
    const creds = await vault.root.write<{ service_account_token: string; service_account_namespace: string }>(
      'kubernetes/creds/rules',
      {
        kubernetes_namespace: 'demo',
      },
    );
    assert.ok(creds);
    assert.equal(creds.data.service_account_namespace, 'demo');
    const asCreds = admin.as(creds.data.service_account_token);

    const list = await asCreds.get<{ kind: string }>('/api/v1/namespaces/demo/pods');
    assert.equal(list.kind, 'PodList');
    await assert.rejects(
      asCreds.get('/api/v1/namespaces/default/pods'),
      (e: unknown) => e instanceof KubeError && e.status === 403,
    );

    await vault.root.write('sys/leases/revoke-prefix/kubernetes/creds/rules');
    await waitFor(
      'the revoked token to be refused with 401',
      async () => ((await asCreds.raw('GET', '/api/v1/namespaces/demo/pods')).status === 401 ? true : undefined),
      { timeoutMs: 15_000, intervalMs: 250 },
    );
  });

  it('005 the PKI engine issues a certificate for a role, signed by its root', async () => {
    const pki = await enablePki(vault.root, { role: 'example-dot-com', domain: 'example.com' });
    const issued = await vault.root.write<{ certificate: string; private_key: string; serial_number: string }>(
      `pki/issue/${pki.role}`,
      { common_name: 'app.example.com', ttl: '1h' },
    );
    assert.ok(issued);
    const cert = new X509Certificate(issued.data.certificate);
    assert.match(cert.subject, /CN=app\.example\.com/);
    assert.ok(cert.verify(new X509Certificate(pki.caPem).publicKey));
    await assert.rejects(
      vault.root.write(`pki/issue/${pki.role}`, { common_name: 'app.other.org' }),
      (e: unknown) => e instanceof VaultApiError && e.status === 400,
    );
  });

  describe('pod runner', () => {
    let running: RunningPod | undefined;
    afterEach(async () => {
      await running?.stop();
      running = undefined;
    });

    const runnerOpts = () => ({
      kube: cluster.admin,
      images: defaultImageTable({ vault: bedBinaries().vault, vaultInjector: agentImageArgv() }),
      apiServer: { host: '127.0.0.1', port: cluster.port },
      maxGraceMs: 5000,
    });

    async function createPod(ns: string, spec: Pod['spec'], name: string): Promise<Pod> {
      await cluster.admin.ensureNamespace(ns);
      return cluster.admin.create<Pod>(`/api/v1/namespaces/${ns}/pods`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec,
      });
    }

    it('006 runs a two-container pod that shares an emptyDir and reads its projected, pod-bound token', async () => {
      const pod = await createPod(
        'runner',
        {
          restartPolicy: 'Never',
          volumes: [{ name: 'shared', emptyDir: { medium: 'Memory' } }],
          containers: [
            {
              name: 'writer',
              image: 'busybox:1.36',
              command: ['sh', '-c', 'echo "hello from $POD_NAME" > /shared/msg; sleep 300'],
              env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
            },
            {
              name: 'reader',
              image: 'busybox:1.36',
              command: [
                'sh',
                '-c',
                'i=0; while [ ! -s /shared/msg ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; cat /shared/msg; sleep 300',
              ],
              volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
            },
          ],
        },
        'two-containers',
      );
      // the ServiceAccount admission plugin added the standard projected token volume
      assert.ok(pod.spec.volumes?.some((v) => v.projected?.sources.some((s) => s.serviceAccountToken)));
      running = await runPod(pod, runnerOpts());
      const p = running;
      await waitFor(
        'the reader to print the message',
        () => (p.logs('reader').includes('hello from two-containers') ? true : undefined),
        {
          timeoutMs: 20_000,
        },
      );
      // the mount is private to the containers: the host's /shared is an empty mount point
      assert.deepEqual(readdirSync('/shared'), []);

      const token = (await p.readFile('reader', '/var/run/secrets/kubernetes.io/serviceaccount/token')).trim();
      const c = claims(token) as { sub: string; 'kubernetes.io': { pod: { name: string } } };
      assert.equal(c.sub, 'system:serviceaccount:runner:default');
      assert.equal(c['kubernetes.io'].pod.name, 'two-containers');
      const review = await cluster.admin.create<{ status: { authenticated?: boolean; user?: { username: string } } }>(
        '/apis/authentication.k8s.io/v1/tokenreviews',
        { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
      );
      assert.equal(review.status.authenticated, true);
      assert.equal(review.status.user?.username, 'system:serviceaccount:runner:default');
      assert.equal(
        (await p.readFile('writer', '/var/run/secrets/kubernetes.io/serviceaccount/namespace')).trim(),
        'runner',
      );

      await p.stop();
      assert.equal(existsSync('/shared'), false, 'the mount point the runner made is removed');
      assert.equal(p.exitStatus('writer')?.signal, 'SIGTERM');
    });

    it('007 starts the app only after a native sidecar passes its startup probe, and a Job completes', async () => {
      const pod = await createPod(
        'runner',
        {
          restartPolicy: 'Never',
          volumes: [{ name: 'data', emptyDir: {} }],
          initContainers: [
            {
              name: 'init',
              image: 'busybox',
              command: ['sh', '-c', 'echo init-ran > /data/init'],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
            {
              name: 'side',
              image: 'busybox',
              restartPolicy: 'Always',
              command: [
                'sh',
                '-c',
                'sleep 1; echo ready > /data/ready; trap "echo side-got-term; exit 0" TERM; while true; do sleep 0.2; done',
              ],
              startupProbe: {
                exec: { command: ['test', '-f', '/data/ready'] },
                periodSeconds: 1,
                failureThreshold: 10,
              },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          containers: [
            {
              name: 'job',
              image: 'busybox',
              command: ['sh', '-c', 'cat /data/init /data/ready'],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
        },
        'native-sidecar',
      );
      running = await runPod(pod, runnerOpts());
      const phase = await running.waitForCompletion(30_000);
      assert.equal(phase, 'Succeeded');
      assert.equal(running.logs('job'), 'init-ran\nready\n');
      assert.equal(running.exitStatus('init')?.code, 0);
      // the sidecar was stopped after the job finished, with SIGTERM
      await running.waitForExit('side', 10_000);
      assert.match(running.logs('side'), /side-got-term/);
    });

    it('008 restarts by policy, and on stop runs preStop before SIGTERM', async () => {
      const out = makeTempDir('prestop');
      try {
        const pod = await createPod(
          'runner',
          {
            restartPolicy: 'OnFailure',
            terminationGracePeriodSeconds: 3,
            volumes: [{ name: 'out', hostPath: { path: out } }],
            containers: [
              {
                name: 'flaky',
                image: 'busybox',
                command: [
                  'sh',
                  '-c',
                  'if [ ! -f /out/ran-once ]; then touch /out/ran-once; exit 3; fi; echo second-run; ' +
                    'trap "[ -f /out/prestop ] && echo term-after-prestop; exit 0" TERM; while true; do sleep 0.2; done',
                ],
                volumeMounts: [{ name: 'out', mountPath: '/out' }],
                lifecycle: { preStop: { exec: { command: ['touch', '/out/prestop'] } } },
              },
            ],
          },
          'restarts',
        );
        running = await runPod(pod, { ...runnerOpts(), restartDelayMs: 200 });
        const p = running;
        await waitFor('the second run', () => (p.logs('flaky').includes('second-run') ? true : undefined), {
          timeoutMs: 15_000,
        });
        assert.equal(p.restarts('flaky'), 1);
        assert.equal(p.exitStatus('flaky'), undefined, 'still running');
        await p.stop();
        assert.match(p.logs('flaky'), /term-after-prestop/);
        assert.equal(p.exitStatus('flaky')?.code, 0);
      } finally {
        removeDir(out);
      }
    });

    it('009 runs the real Vault Agent (hashicorp/vault image) in a pod: it logs in with the projected token and renders', async () => {
      // Kubernetes auth role `busybox` and secret/devops come from test 002.
      const config = {
        auto_auth: {
          method: {
            type: 'kubernetes',
            mount_path: 'auth/kubernetes',
            config: { role: 'busybox', token_path: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
          },
          sink: [{ type: 'file', config: { path: '/home/vault/.vault-token' } }],
        },
        exit_after_auth: true,
        pid_file: '/home/vault/.pid',
        vault: { address: vault.addr },
        template: [
          {
            destination: '/vault/secrets/devops_token',
            contents: '{{ with secret "secret/data/devops" }}token={{ .Data.data.token }}{{ end }}',
          },
        ],
      };
      const pod = await createPod(
        'busybox',
        {
          serviceAccountName: 'busybox',
          restartPolicy: 'Never',
          volumes: [
            { name: 'home-init', emptyDir: { medium: 'Memory' } },
            { name: 'vault-secrets', emptyDir: { medium: 'Memory' } },
          ],
          initContainers: [
            {
              name: 'vault-agent-init',
              image: 'hashicorp/vault:1.14.8',
              command: ['/bin/sh', '-ec'],
              args: [
                'echo ${VAULT_CONFIG?} | base64 -d > /home/vault/config.json && vault agent -config=/home/vault/config.json',
              ],
              env: [{ name: 'VAULT_CONFIG', value: Buffer.from(JSON.stringify(config)).toString('base64') }],
              volumeMounts: [
                { name: 'home-init', mountPath: '/home/vault' },
                { name: 'vault-secrets', mountPath: '/vault/secrets' },
              ],
            },
          ],
          containers: [
            {
              name: 'app',
              image: 'busybox',
              command: ['sh', '-c', 'cat /vault/secrets/devops_token'],
              volumeMounts: [{ name: 'vault-secrets', mountPath: '/vault/secrets' }],
            },
          ],
        },
        'vault-agent',
      );
      running = await runPod(pod, runnerOpts());
      assert.equal(await running.waitForCompletion(30_000), 'Succeeded', running.logs('vault-agent-init'));
      assert.equal(running.logs('app'), 'token=pat\n');
      assert.match(running.logs('vault-agent-init'), /\(runner\) rendered .*devops_token/);
    });
  });
});
