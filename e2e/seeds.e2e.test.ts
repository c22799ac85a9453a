// The seed scenarios (/work/shared/seeds) end to end: a real API server calls our webhook, the pod runner runs
// the stored pod with the injected agent, and the app container reads what the agent rendered from a real Vault
// (KV v2, Kubernetes secrets engine, PostgreSQL credentials, PKI). The agent image is a parameter
// (E2E_AGENT_IMAGE, default our own agent); scenario 6 runs the real Vault Agent under the OpenBao image name.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import pg from 'pg';
import type { KubeObject } from './bed/kube.js';
import type { RunningPod } from './bed/pod-runner/pod.js';
import type { Pod } from './bed/pod-runner/types.js';
import { setupAksWalkthrough } from './bed/scenarios.js';
import {
  podForDeployment,
  podForJob,
  readBytes,
  type SeedStack,
  seedAgentImage,
  startSeedStack,
  tryReadText,
  vaultAnnotations,
} from './bed/seed-stack.js';
import { podIdentity, setupDatabaseSeed, setupKubernetesSecretsSeed, setupPkiSeed } from './bed/seed-vault.js';
import { waitFor } from './bed/time.js';
import { VaultApiError, writePolicy } from './bed/vault-server.js';
import { bedBinaries } from './hooks.js';

const AGENT_IMAGE = seedAgentImage();
/** The real Vault Agent under OpenBao's image name: the pod runner maps it to the bed's Vault binary. */
const OPENBAO_IMAGE = 'openbao/openbao:2.4.1';

const DEVOPS_TEMPLATE =
  '{{ with secret "secret/devops" }}token value stored on path secret/devops is {{ .Data.data.token }}{{ end }}';
const DEVOPS_EXPECTED = 'token value stored on path secret/devops is pat';
const BUSYBOX_POLICY = 'path "secret/*" { capabilities = ["list","read"] }';

/** Seed 002's Deployment: busybox with the walkthrough's annotations (plus any extra ones). */
function busyboxDeployment(extra: Record<string, string> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'busybox-deployment', labels: { app: 'busybox' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'busybox' } },
      template: {
        metadata: {
          labels: { app: 'busybox' },
          annotations: vaultAnnotations({
            'agent-inject': 'true',
            'agent-inject-secret-devops_token': 'secret/devops',
            'agent-inject-template-devops_token': DEVOPS_TEMPLATE,
            role: 'busybox',
            'log-level': 'debug',
            ...extra,
          }),
        },
        spec: {
          serviceAccountName: 'busybox',
          containers: [
            {
              name: 'busybox',
              image: 'busybox',
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', 'echo Container 1 is Running ; sleep 3600'],
            },
          ],
        },
      },
    },
  };
}

function busyboxJob(name: string, extra: Record<string, string>) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: {
          annotations: vaultAnnotations({
            'agent-inject': 'true',
            'agent-inject-secret-devops_token': 'secret/devops',
            'agent-inject-template-devops_token': DEVOPS_TEMPLATE,
            role: 'busybox',
            ...extra,
          }),
        },
        spec: {
          serviceAccountName: 'busybox',
          restartPolicy: 'Never',
          containers: [{ name: 'busybox', image: 'busybox', command: ['sh', '-c', 'cat /vault/secrets/devops_token'] }],
        },
      },
    },
  };
}

/** A plain long-running app pod in `namespace` as service account `sa`, with the given annotations. */
function appPod(name: string, sa: string, annotations: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations: vaultAnnotations({ 'agent-inject': 'true', ...annotations }) },
    spec: { serviceAccountName: sa, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] },
  };
}

/**
 * Vault Agent reads `template_config.lease_renewal_threshold` from 1.16 on (older ones ignore it and
 * re-fetch a 10-minute Kubernetes token only after 8.5-9.5 minutes); our agent reads it.
 */
function honoursLeaseRenewalThreshold(image: string): boolean {
  const m = /(?:^|\/)(?:hashicorp\/vault(?:-enterprise)?|vault):(\d+)\.(\d+)/.exec(image);
  return !m || Number(m[1]) > 1 || Number(m[2]) >= 16;
}

/** The pod's events and the last output of the named containers, for failure messages. */
function diagnostics(running: RunningPod, containers: readonly string[]): string {
  const logs = containers.map((c) => {
    try {
      return `--- ${c} ---\n${running.logs(c).slice(-2000)}`;
    } catch {
      return `--- ${c}: not in this pod ---`;
    }
  });
  return [`--- events ---`, ...running.events, ...logs].join('\n');
}

/** Output lines of the agent that say it wrote `destination` (Vault Agent's and ours read the same). */
function renders(log: string, destination: string): number {
  return log.split('\n').filter((l) => l.includes('(runner) rendered') && l.includes(`=> "${destination}"`)).length;
}

async function pgLogin(port: number, user: string, password: string) {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user,
    password,
    database: 'postgres',
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  try {
    return (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u;
  } finally {
    await client.end();
  }
}

describe(`seed scenarios end to end (agent image ${AGENT_IMAGE})`, () => {
  let stack: SeedStack;
  const timings: string[] = [];
  /** Scenario 1's rendered file, for the byte comparison of scenario 6. */
  let scenario1: { bytes: Buffer; mode: string } | undefined;

  before(async function () {
    this.timeout(180_000);
    stack = await startSeedStack({
      binaries: bedBinaries(),
      agentImage: AGENT_IMAGE,
      namespaces: ['busybox', 'ci', 'db', 'pki'],
    });
    await setupAksWalkthrough(stack.vault.root, stack.cluster);
  });
  afterEach(function () {
    const t = this.currentTest;
    if (t) timings.push(`${t.title.slice(0, 3)} ${t.state ?? 'not run'} ${((t.duration ?? 0) / 1000).toFixed(1)} s`);
  });
  after(async function () {
    this.timeout(60_000);
    await stack?.stop();
    process.stdout.write(`      seed timings (${AGENT_IMAGE}): ${timings.join(' | ')}\n`);
  });

  /** Runs `body` with the pod and always stops the pod afterwards. */
  async function withPod<T>(namespace: string, pod: KubeObject, body: (p: RunningPod) => Promise<T>): Promise<T> {
    const running = await stack.startPod(namespace, pod);
    try {
      return await body(running);
    } finally {
      await running.stop();
    }
  }

  it('001 [seed 002] a Deployment pod reads "token value stored on path secret/devops is pat" from /vault/secrets/devops_token', async function () {
    this.timeout(60_000);
    const deployment = await stack.cluster.admin.create<ReturnType<typeof busyboxDeployment>>(
      '/apis/apps/v1/namespaces/busybox/deployments',
      busyboxDeployment(),
    );
    await withPod('busybox', podForDeployment(deployment), async (running) => {
      assert.deepEqual(
        [...((running.pod as Pod).spec.initContainers ?? []), ...(running.pod as Pod).spec.containers].map((c) => [
          c.name,
          c.image,
        ]),
        [
          ['vault-agent-init', AGENT_IMAGE],
          ['busybox', 'busybox'],
          ['vault-agent', AGENT_IMAGE],
        ],
      );
      assert.equal(running.exitStatus('vault-agent-init')?.code, 0, running.logs('vault-agent-init'));
      const bytes = await readBytes(running, 'busybox', '/vault/secrets/devops_token');
      assert.equal(bytes.toString('utf8'), DEVOPS_EXPECTED);
      const mode = (await running.exec('busybox', ['stat', '-c', '%a', '/vault/secrets/devops_token'])).output.trim();
      scenario1 = { bytes, mode };
      await waitFor(
        'the app to start',
        () => (running.logs('busybox').startsWith('Container 1 is Running\n') ? true : undefined),
        { timeoutMs: 5000 },
      );
      await waitFor(
        'the sidecar to log in',
        () => (/authentication successful/.test(running.logs('vault-agent')) ? true : undefined),
        { timeoutMs: 15_000 },
      );
      assert.equal(running.exitStatus('vault-agent'), undefined, 'the sidecar keeps running');
    });
  });

  it('002 [seed 002] with the busybox policy removed, the vault-agent log shows the 403 on secret/devops', async function () {
    this.timeout(60_000);
    await stack.vault.root.delete('sys/policies/acl/busybox');
    try {
      // Pre-population off: the init container would retry the denied read and hold the pod in Init,
      // so the denial is read from the sidecar's log, as the seed's troubleshooting section does.
      const deployment = busyboxDeployment({ 'agent-pre-populate': 'false' });
      await withPod('busybox', podForDeployment(deployment), async (running) => {
        const log = await waitFor(
          'the 403 in the vault-agent log',
          () => {
            const text = running.logs('vault-agent');
            return /403/.test(text) && /permission denied/.test(text) ? text : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 200 },
        );
        assert.match(log, /secret\/(data\/)?devops/, 'the log names the path');
        assert.equal(await tryReadText(running, 'busybox', '/vault/secrets/devops_token'), undefined);
      });
    } finally {
      await writePolicy(stack.vault.root, 'busybox', BUSYBOX_POLICY);
    }
  });

  it('003 [seeds 000/001] Kubernetes secrets engine: tokens list pods in demo, 403 (or 200 with a cluster role binding) in default, a new one when the lease ends, 401 once revoked', async function () {
    this.timeout(120_000);
    const vault = stack.vault.root;
    const admin = stack.cluster.admin;
    await setupKubernetesSecretsSeed(vault, stack.cluster);
    await podIdentity(
      vault,
      stack.cluster,
      { namespace: 'ci', serviceAccount: 'pipeline', role: 'pipeline' },
      { name: 'k8s-creds', hcl: 'path "kubernetes/creds/*" { capabilities = ["update"] }' },
    );
    const creds = (role: string, ...params: string[]) =>
      `{{ with secret "kubernetes/creds/${role}" ${params.map((p) => JSON.stringify(p)).join(' ')} }}{{ .Data.service_account_token }}{{ end }}`;
    const pod = appPod('pipeline', 'pipeline', {
      role: 'pipeline',
      'agent-inject-secret-sample-app': 'kubernetes/creds/sample-app',
      'agent-inject-template-sample-app': creds('sample-app', 'kubernetes_namespace=demo'),
      'agent-inject-secret-existing-role': 'kubernetes/creds/existing-role',
      'agent-inject-template-existing-role': creds('existing-role', 'kubernetes_namespace=demo'),
      'agent-inject-secret-rules': 'kubernetes/creds/rules',
      'agent-inject-template-rules': creds('rules', 'kubernetes_namespace=demo', 'cluster_role_binding=true'),
      // Kubernetes issues no token under 10 minutes; a small threshold makes the agent re-fetch after
      // 1 % (± 5 %, clamped) of the lease instead of 85-95 %, i.e. within about 40 s.
      'template-lease-renewal-threshold': '0.01',
    });
    await withPod('ci', pod, async (running) => {
      const token = async (name: string) => {
        const t = await tryReadText(running, 'app', `/vault/secrets/${name}`);
        assert.ok(t?.startsWith('ey'), `a service account JWT in /vault/secrets/${name}`);
        return t ?? '';
      };
      const status = async (jwt: string, ns: string) =>
        (await admin.as(jwt).raw('GET', `/api/v1/namespaces/${ns}/pods`)).status;

      for (const name of ['sample-app', 'existing-role', 'rules']) {
        const jwt = await token(name);
        const list = await admin
          .as(jwt)
          .get<{ items: { metadata: { name: string } }[] }>('/api/v1/namespaces/demo/pods');
        assert.ok(
          list.items.some((p) => p.metadata.name === 'nginx'),
          `${name}: lists the pods in demo`,
        );
        assert.equal(await status(jwt, 'default'), name === 'rules' ? 200 : 403, `${name} in default`);
      }

      // The lease ends (for the agent: at its threshold) and the sidecar writes a new token.
      const dest = '/vault/secrets/existing-role';
      if (!honoursLeaseRenewalThreshold(AGENT_IMAGE)) {
        process.stdout.write(
          `      (${AGENT_IMAGE} ignores lease_renewal_threshold: lease-end re-fetch not checked)\n`,
        );
      } else {
        const first = await waitFor(
          "the sidecar's first render",
          () => (renders(running.logs('vault-agent'), dest) >= 1 ? true : undefined),
          { timeoutMs: 15_000 },
        ).then(() => token('existing-role'));
        await waitFor(
          'a new token after the lease ran out',
          () => (renders(running.logs('vault-agent'), dest) >= 2 ? true : undefined),
          { timeoutMs: 60_000, intervalMs: 250 },
        ).catch((err: Error) => {
          throw new Error(
            `${err.message}\n--- vault-agent log (tail) ---\n${running.logs('vault-agent').slice(-3000)}`,
          );
        });
        const second = await token('existing-role');
        assert.notEqual(second, first, 'the file holds a new token');
        assert.equal(await status(second, 'demo'), 200, 'the new token works');
        const leases = await vault.call<{ keys: string[] }>('LIST', 'sys/leases/lookup/kubernetes/creds/existing-role');
        assert.ok((leases.json?.data.keys.length ?? 0) >= 3, 'init, sidecar and the re-fetch each hold a lease');
      }

      // `vault lease revoke -prefix`: the generated service account is deleted, its token refused.
      const current = await token('existing-role');
      await vault.write('sys/leases/revoke-prefix/kubernetes/creds/existing-role');
      await waitFor(
        'the revoked token to get 401',
        async () => ((await status(current, 'demo')) === 401 ? true : undefined),
        { timeoutMs: 15_000, intervalMs: 250 },
      );
    });
  });

  it('004 [seed 003] PostgreSQL credentials: the app connects, the lease is renewed, revoked credentials are replaced, and the token is revoked when the pod stops', async function () {
    this.timeout(120_000);
    const vault = stack.vault.root;
    const pgPort = stack.postgres.port;
    await setupDatabaseSeed(vault, stack.postgres, { defaultTtl: '6s', maxTtl: '10m' });
    await podIdentity(
      vault,
      stack.cluster,
      { namespace: 'db', serviceAccount: 'app', role: 'db-app' },
      { name: 'db-read', hcl: 'path "database/creds/readonly" { capabilities = ["read"] }' },
    );
    const pod = appPod('hashicups', 'app', {
      role: 'db-app',
      'agent-inject-secret-db-creds': 'database/creds/readonly',
      'agent-inject-template-db-creds':
        '{{ with secret "database/creds/readonly" }}{{ .Data.username }} {{ .Data.password }}{{ end }}',
      'agent-revoke-on-shutdown': 'true',
      'agent-revoke-grace': '1',
      'log-level': 'trace',
    });
    const dest = '/vault/secrets/db-creds';
    const running = await stack.startPod('db', pod);
    let sinkToken: string;
    let user2: string;
    try {
      const renewed = async () => {
        const list = await vault.call<{ keys: string[] }>('LIST', 'sys/leases/lookup/database/creds/readonly');
        for (const id of list.json?.data.keys ?? []) {
          const info = await vault.write<{ last_renewal: string | null }>('sys/leases/lookup', {
            lease_id: `database/creds/readonly/${id}`,
          });
          if (info?.data.last_renewal) return id;
        }
        return undefined;
      };
      await waitFor('a renewed database lease', renewed, { timeoutMs: 20_000, intervalMs: 300 });
      await waitFor(
        'the sidecar to render',
        () => (renders(running.logs('vault-agent'), dest) >= 1 ? true : undefined),
        { timeoutMs: 10_000 },
      );
      const [user1, pass1] = ((await tryReadText(running, 'app', dest)) ?? '').split(' ');
      assert.ok(user1 && pass1, 'username and password rendered');
      assert.equal(await pgLogin(pgPort, user1, pass1), user1, 'the app connects with the rendered credentials');
      const agentLog = running.logs('vault-agent');
      assert.ok(
        agentLog
          .split('\n')
          .some((l) => l.includes('database/creds/readonly') && /renewed|successfully renewed/.test(l)),
        `the agent log shows the lease renewal:\n${agentLog.slice(-3000)}`,
      );

      await vault.write('sys/leases/revoke-prefix/database/creds/readonly');
      const next = await waitFor(
        'new credentials in the file after the revocation',
        async () => {
          const [u, p] = ((await tryReadText(running, 'app', dest)) ?? '').split(' ');
          return u && p && u !== user1 ? [u, p] : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      user2 = next[0] ?? '';
      assert.equal(await pgLogin(pgPort, user2, next[1] ?? ''), user2, 'the new credentials connect');
      await assert.rejects(pgLogin(pgPort, user1, pass1), 'the revoked user is gone');

      sinkToken = (await readBytes(running, 'vault-agent', '/home/vault/.vault-token')).toString('utf8').trim();
      const live = await vault.write<{ accessor: string }>('auth/token/lookup', { token: sinkToken });
      assert.ok(live?.data.accessor, 'the sidecar token is live before the pod stops');
    } finally {
      await running.stop();
    }
    assert.ok(
      running.events.some((e) => e.endsWith('preStop of vault-agent done')),
      `the revoke hook ran and succeeded:\n${running.events.join('\n')}`,
    );
    await assert.rejects(vault.write('auth/token/lookup', { token: sinkToken }), (e: unknown) => {
      assert.ok(e instanceof VaultApiError, String(e));
      assert.equal(e.status, 403);
      return true;
    });
    // Revoking the token revokes its leases: the database user it held is dropped.
    const su = new pg.Client({ connectionString: stack.postgres.url, connectionTimeoutMillis: 5000 });
    await su.connect();
    try {
      await waitFor(
        'the database user of the revoked token to be dropped',
        async () =>
          (await su.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user2])).rowCount === 0 ? true : undefined,
        { timeoutMs: 15_000, intervalMs: 250 },
      );
    } finally {
      await su.end();
    }
  });

  it('005 [PKI] a pkiCert certificate is re-issued near expiry and the template command runs again', async function () {
    this.timeout(90_000);
    const vault = stack.vault.root;
    const pki = await setupPkiSeed(vault);
    await podIdentity(
      vault,
      stack.cluster,
      { namespace: 'pki', serviceAccount: 'web', role: 'pki-web' },
      { name: 'pki-issue', hcl: `path "pki/issue/${pki.role}" { capabilities = ["update"] }` },
    );
    const pod = appPod('web', 'web', {
      role: 'pki-web',
      'agent-inject-secret-cert.pem': `pki/issue/${pki.role}`,
      'agent-inject-template-cert.pem': `{{ with pkiCert "pki/issue/${pki.role}" "common_name=app.example.com" "ttl=8s" }}{{ .Cert }}{{ .Key }}{{ .CA }}{{ end }}`,
      'agent-inject-command-cert.pem': 'echo run >> /vault/secrets/reloads',
    });
    await withPod('pki', pod, async (running) => {
      const cert = async () =>
        new X509Certificate((await tryReadText(running, 'app', '/vault/secrets/cert.pem')) ?? '');
      const runs = async () =>
        ((await tryReadText(running, 'app', '/vault/secrets/reloads')) ?? '').split('\n').filter(Boolean).length;
      const first = await waitFor('the certificate in /vault/secrets/cert.pem', () => cert().catch(() => undefined), {
        timeoutMs: 10_000,
        intervalMs: 200,
      }).catch(async (err: Error) => {
        const ls = await running
          .exec('app', ['ls', '-la', '/vault/secrets'])
          .catch((e: Error) => ({ output: e.message }));
        throw new Error(`${err.message}\n${ls.output}\n${diagnostics(running, ['vault-agent-init', 'vault-agent'])}`);
      });
      assert.match(first.subject, /CN=app\.example\.com/);
      assert.ok(first.verify(new X509Certificate(pki.caPem).publicKey), 'signed by the PKI root');
      assert.ok(Date.parse(first.validTo) - Date.parse(first.validFrom) <= 10_000, 'a short-lived certificate');
      const runsBefore = await runs();
      assert.ok(runsBefore >= 1, 'the command ran after the first render');
      const second = await waitFor(
        'a re-issued certificate',
        async () => {
          const c = await cert().catch(() => undefined);
          return c && c.serialNumber !== first.serialNumber ? c : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      assert.ok(Date.parse(second.validTo) > Date.parse(first.validTo));
      await waitFor('the command to run again', async () => ((await runs()) > runsBefore ? true : undefined), {
        timeoutMs: 10_000,
        intervalMs: 250,
      });
    });
  });

  it('006 [Job] with the native sidecar the Job pod completes; with agent-pre-populate-only too', async function () {
    this.timeout(90_000);
    const admin = stack.cluster.admin;
    const cases: { name: string; extra: Record<string, string> }[] = [
      { name: 'busybox-job-native', extra: { 'agent-native-sidecar': 'true' } },
      { name: 'busybox-job-prepop', extra: { 'agent-pre-populate-only': 'true' } },
    ];
    for (const c of cases) {
      const job = await admin.create<ReturnType<typeof busyboxJob> & { metadata: { uid: string } }>(
        '/apis/batch/v1/namespaces/busybox/jobs',
        busyboxJob(c.name, c.extra),
      );
      await withPod('busybox', podForJob(job), async (running) => {
        const spec = (running.pod as Pod).spec;
        if (c.name.endsWith('native')) {
          assert.deepEqual(
            spec.initContainers?.map((x) => [x.name, x.restartPolicy]),
            [['vault-agent', 'Always']],
          );
        } else {
          assert.deepEqual(
            spec.initContainers?.map((x) => x.name),
            ['vault-agent-init'],
          );
          assert.deepEqual(
            spec.containers.map((x) => x.name),
            ['busybox'],
          );
        }
        const phase = await running.waitForCompletion(30_000);
        assert.equal(
          phase,
          'Succeeded',
          `${c.name}\n${diagnostics(running, ['vault-agent', 'vault-agent-init', 'busybox'])}`,
        );
        assert.equal(running.logs('busybox'), `${DEVOPS_EXPECTED}\n`);
        if (c.name.endsWith('native')) {
          const side = await running.waitForExit('vault-agent', 15_000);
          assert.ok(side, 'the native sidecar is stopped once the Job container is done');
        }
      });
    }
  });

  it(`007 [seed 002] the real Vault Agent (agent-image ${OPENBAO_IMAGE}) renders scenario 1 byte for byte like the injected agent`, async function () {
    this.timeout(60_000);
    assert.ok(scenario1, 'scenario 1 ran first');
    const deployment = busyboxDeployment({ 'agent-image': OPENBAO_IMAGE });
    await withPod('busybox', podForDeployment(deployment), async (running) => {
      assert.equal(
        (running.pod as Pod).spec.initContainers?.[0]?.image,
        OPENBAO_IMAGE,
        'the annotation chose the image',
      );
      const bytes = await readBytes(running, 'busybox', '/vault/secrets/devops_token');
      const mode = (await running.exec('busybox', ['stat', '-c', '%a', '/vault/secrets/devops_token'])).output.trim();
      assert.equal(bytes.toString('hex'), scenario1?.bytes.toString('hex'), 'identical bytes');
      assert.equal(mode, scenario1?.mode, 'identical file mode');
      assert.match(running.logs('vault-agent-init'), /\(runner\) rendered .* => "\/vault\/secrets\/devops_token"/);
    });
  });
});
