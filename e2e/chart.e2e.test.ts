import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { type Cluster, startCluster } from './bed/cluster.js';
import { freePort } from './bed/ports.js';
import { runToCompletion } from './bed/processes.js';
import { waitFor } from './bed/time.js';
import { makeTempDir, removeDir } from './bed/tmp.js';
import { pointWebhookAt, publishedCaBundle } from './bed/webhook-process.js';
import {
  CHART_DIR,
  type ChartWebhook,
  createAll,
  dryRunCreate,
  Helm,
  installServiceMonitorCrd,
  startChartWebhook,
  writeTokenKubeconfig,
} from './chart.js';
import {
  containerEnv,
  deploymentContainers,
  findObject,
  parseManifests,
  pointWebhooksAt,
  type RenderedObject,
  setArgs,
} from './chart-objects.js';
import { bedBinaries } from './hooks.js';

const RELEASE = 'vault';
const NAMESPACE = 'vault';
const CI_DIR = join(CHART_DIR, 'ci');

/** The walkthrough's Terraform `sets` (seed 002), exactly as its charts.json passes them to helm_release. */
const AKS_SETS = {
  'global.enabled': 'false',
  'injector.enabled': 'true',
  'injector.replicas': '3',
  'injector.leaderElector.enable': 'true',
  'injector.externalVaultAddr': 'https://vault.mydomain.com:8200',
  'injector.authPath': 'auth/aks',
  'injector.logLevel': 'info',
  'injector.image.tag': '1.2.1',
  'injector.agentImage.tag': '1.14.0',
  'server.serviceaccount.create': 'false',
};

interface PodSpecLike {
  hostNetwork?: boolean;
  automountServiceAccountToken?: boolean;
  securityContext?: Record<string, unknown>;
  imagePullSecrets?: { name: string }[];
  affinity?: unknown;
  topologySpreadConstraints?: unknown[];
  volumes?: unknown[];
}
interface Webhook {
  failurePolicy: string;
  matchPolicy: string;
  timeoutSeconds: number;
  clientConfig: { caBundle?: string; service?: { name: string; namespace: string } };
  namespaceSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  objectSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
}

const kinds = (objs: readonly RenderedObject[]) => objs.map((o) => o.kind).sort();
const envOf = (objs: readonly RenderedObject[]) => {
  const [c] = deploymentContainers(findObject(objs, 'Deployment'));
  assert.ok(c);
  return containerEnv(c, { name: 'p', namespace: 'ns' });
};
const podSpec = (objs: readonly RenderedObject[]) =>
  (findObject(objs, 'Deployment').spec as { template: { spec: PodSpecLike } }).template.spec;
const webhookOf = (objs: readonly RenderedObject[]) =>
  (findObject(objs, 'MutatingWebhookConfiguration').webhooks as Webhook[])[0] as Webhook;
const SELF_EXCLUSION = { key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['vault-agent-injector'] };

/** What each ci/*.yaml must render to, beyond being accepted by the API server. */
const EXPECTED: Record<string, (objs: RenderedObject[]) => void> = {
  'default-values.yaml': (objs) => {
    assert.deepEqual(kinds(objs), [
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'MutatingWebhookConfiguration',
      'Pod',
      'Service',
      'ServiceAccount',
    ]);
    const env = envOf(objs);
    assert.equal(env.AGENT_INJECT_VAULT_ADDR, 'http://vault.vault.svc:8200');
    assert.equal(env.AGENT_INJECT_VAULT_IMAGE, 'vault-injector/agent:0.1.0');
    assert.equal(env.AGENT_INJECT_TLS_AUTO, 'vault-agent-injector-cfg');
    assert.equal(env.AGENT_INJECT_USE_LEADER_ELECTOR, undefined);
    assert.equal(env.AGENT_INJECT_NATIVE_SIDECAR, 'false');
    const [c] = deploymentContainers(findObject(objs, 'Deployment'));
    assert.equal(c?.image, 'vault-injector/webhook:0.1.0');
    assert.deepEqual(c?.args, ['webhook']);
    const w = webhookOf(objs);
    assert.equal(w.failurePolicy, 'Ignore');
    assert.deepEqual(w.objectSelector, { matchExpressions: [SELF_EXCLUSION] });
    assert.equal(w.namespaceSelector, undefined);
    assert.ok(podSpec(objs).affinity, 'the default anti-affinity');
    const test = findObject(objs, 'Pod');
    assert.equal(test.metadata.annotations?.['helm.sh/hook'], 'test');
  },
  'aks-walkthrough-values.yaml': (objs) => {
    assert.equal((findObject(objs, 'Deployment').spec as { replicas: number }).replicas, 3);
    const env = envOf(objs);
    assert.equal(env.AGENT_INJECT_VAULT_ADDR, 'https://vault.mydomain.com:8200');
    assert.equal(env.AGENT_INJECT_VAULT_AUTH_PATH, 'auth/aks');
    assert.equal(env.AGENT_INJECT_LOG_LEVEL, 'info');
    assert.equal(env.AGENT_INJECT_VAULT_IMAGE, 'vault-injector/agent:1.14.0');
    assert.equal(env.AGENT_INJECT_USE_LEADER_ELECTOR, 'true');
    assert.equal(deploymentContainers(findObject(objs, 'Deployment'))[0]?.image, 'vault-injector/webhook:1.2.1');
    findObject(objs, 'Role', 'vault-agent-injector-leader-elector-role');
    findObject(objs, 'Secret', 'vault-injector-certs');
    findObject(objs, 'ServiceAccount', 'vault-agent-injector'); // server.serviceaccount.* is not the injector's
  },
  'manual-certs-values.yaml': (objs) => {
    assert.deepEqual(kinds(objs), [
      'Deployment',
      'MutatingWebhookConfiguration',
      'Pod',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
    const env = envOf(objs);
    assert.equal(env.AGENT_INJECT_TLS_CERT_FILE, '/etc/webhook/certs/cert.pem');
    assert.equal(env.AGENT_INJECT_TLS_KEY_FILE, '/etc/webhook/certs/key.pem');
    assert.equal(env.AGENT_INJECT_TLS_AUTO, undefined);
    assert.equal(env.AGENT_INJECT_USE_LEADER_ELECTOR, undefined);
    assert.equal(podSpec(objs).automountServiceAccountToken, false);
    assert.match(webhookOf(objs).clientConfig.caBundle ?? '', /^LS0tLS1CRUdJTi/);
    assert.deepEqual((findObject(objs, 'PodDisruptionBudget').spec as { maxUnavailable: number }).maxUnavailable, 1);
  },
  'deprecated-aliases-values.yaml': (objs) => {
    const w = webhookOf(objs);
    assert.equal(w.failurePolicy, 'Fail');
    assert.deepEqual(w.namespaceSelector, {
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }],
    });
    assert.deepEqual(w.objectSelector, { matchLabels: { 'vault-inject': 'yes' }, matchExpressions: [SELF_EXCLUSION] });
    assert.equal(findObject(objs, 'MutatingWebhookConfiguration').metadata.annotations?.legacy, 'true');
    assert.ok(!objs.some((o) => o.kind === 'Role'), 'leaderElector.enabled=false: no leader objects');
    assert.equal(envOf(objs).AGENT_INJECT_USE_LEADER_ELECTOR, undefined);
    assert.equal(podSpec(objs).hostNetwork, true);
    assert.deepEqual(podSpec(objs).securityContext, {
      runAsNonRoot: true,
      runAsUser: 1234,
      runAsGroup: 5678,
      fsGroup: 5678,
    });
  },
  'full-values.yaml': (objs) => {
    for (const o of objs.filter(
      (x) => !['ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration'].includes(x.kind),
    ))
      assert.equal(o.metadata.namespace, 'secrets', `${o.kind} in global.namespace`);
    findObject(objs, 'Deployment', 'corp-vault-agent-injector');
    const sm = findObject(objs, 'ServiceMonitor');
    assert.equal(sm.metadata.labels?.release, 'prometheus');
    const env = envOf(objs);
    assert.equal(env.AGENT_INJECT_VAULT_ADDR, 'https://vault.example.com:8200');
    assert.equal(env.AGENT_INJECT_NATIVE_SIDECAR, 'true');
    assert.equal(env.AGENT_INJECT_TLS_AUTO_CERT_VALIDITY, '2160h');
    assert.equal(env.AGENT_INJECT_TELEMETRY_PATH, '/metrics');
    assert.equal(env.AGENT_INJECT_LISTEN, ':9443');
    assert.equal(env.AGENT_INJECT_LOG_FORMAT, 'json');
    assert.equal(env.AGENT_INJECT_DEFAULT_TEMPLATE, 'json');
    assert.equal(env.AGENT_INJECT_TEMPLATE_STATIC_SECRET_RENDER_INTERVAL, '5m');
    assert.equal(env.AGENT_INJECT_EPHEMERAL_LIMIT, '128Mi');
    assert.equal(env.AGENT_INJECT_PROXY_ADDR, 'http://proxy.example.com:3128');
    assert.equal(env.AGENT_INJECT_VAULT_NAMESPACE, 'team-a');
    assert.equal(env.AGENT_INJECT_USE_LEADER_ELECTOR, 'true');
    const w = webhookOf(objs);
    assert.deepEqual([w.failurePolicy, w.matchPolicy, w.timeoutSeconds], ['Fail', 'Equivalent', 10]);
    assert.deepEqual(w.objectSelector, { matchLabels: { 'inject-from': 'vault' }, matchExpressions: [SELF_EXCLUSION] });
    assert.deepEqual(podSpec(objs).imagePullSecrets, [{ name: 'regcred' }, { name: 'other-cred' }]);
    assert.equal(podSpec(objs).affinity, undefined, 'affinity: {} means none');
    assert.equal(podSpec(objs).topologySpreadConstraints?.length, 1);
  },
  'disabled-values.yaml': (objs) => {
    assert.deepEqual(objs, []);
  },
};

describe('charts/vault-injector: lint, render, dry-run, deploy', () => {
  let cluster: Cluster;
  let helm: Helm;
  let dir: string;
  const webhooks: ChartWebhook[] = [];

  before(async function () {
    this.timeout(120_000);
    const bins = bedBinaries();
    dir = makeTempDir('chart');
    helm = new Helm(bins.helm, dir);
    cluster = await startCluster({ etcd: bins.etcd, kubeApiserver: bins.kubeApiserver });
    for (const ns of [NAMESPACE, 'secrets', 'app']) await cluster.admin.ensureNamespace(ns);
    await installServiceMonitorCrd(cluster.admin);
  });
  after(async function () {
    this.timeout(60_000);
    for (const w of webhooks) await w.process.stop({ graceMs: 5000 });
    await cluster?.stop();
    if (dir) removeDir(dir);
  });

  const valuesFiles = readdirSync(CI_DIR).filter((f) => f.endsWith('.yaml'));

  it('001 every ci/*.yaml has expectations here', () => {
    assert.deepEqual(valuesFiles.sort(), Object.keys(EXPECTED).sort());
  });

  for (const file of Object.keys(EXPECTED)) {
    it(`002 ${file}: helm lint --strict, helm template, every object accepted by the API server (dry run)`, async () => {
      await helm.run(['lint', '--strict', CHART_DIR, '--namespace', NAMESPACE, '-f', join(CI_DIR, file)]);
      const objs = parseManifests(
        await helm.template({ release: RELEASE, namespace: NAMESPACE, args: ['-f', join(CI_DIR, file)] }),
      );
      EXPECTED[file]?.(objs);
      await dryRunCreate(cluster.admin, objs);
    });
  }

  it('003 the walkthrough as Terraform passes it (--set) renders exactly what its values file does', async () => {
    const viaSet = await helm.template({ release: RELEASE, namespace: NAMESPACE, args: setArgs(AKS_SETS) });
    const viaFile = await helm.template({
      release: RELEASE,
      namespace: NAMESPACE,
      args: ['-f', join(CI_DIR, 'aks-walkthrough-values.yaml')],
    });
    assert.deepEqual(parseManifests(viaSet), parseManifests(viaFile));
  });

  it('004 values.schema.json refuses wrong types and values, accepts unknown global/server/other keys', async () => {
    const args = (...sets: string[]) => ['template', RELEASE, CHART_DIR, ...sets.flatMap((s) => ['--set', s])];
    assert.match(await helm.failure(args('injector.replicas=three')), /replicas.*(integer|number)/s);
    assert.match(await helm.failure(args('injector.webhook.failurePolicy=Sometimes')), /failurePolicy/);
    assert.match(await helm.failure(args('injector.agentDefaults.template=yaml')), /template/);
    assert.match(await helm.failure(args('injector.logLevel=loud')), /logLevel/);
    const objs = parseManifests(
      await helm.run(
        args('global.somethingNew=1', 'server.dataStorage.size=20Gi', 'csi.enabled=true', 'injector.futureKey.x=y'),
      ),
    );
    findObject(objs, 'Deployment');
  });

  it('005 deploy the walkthrough: RBAC + webhook configuration applied, 2 replicas as the Deployment runs them, a pod injected', async function () {
    this.timeout(120_000);
    const objs = parseManifests(
      await helm.template({ release: RELEASE, namespace: NAMESPACE, args: setArgs(AKS_SETS) }),
    );
    const deployment = findObject(objs, 'Deployment');
    const mwcName = 'vault-agent-injector-cfg';
    const ports = [await freePort(), await freePort()];
    const toApply = objs
      .filter((o) => !o.metadata.annotations?.['helm.sh/hook'])
      .map((o) =>
        o.kind === 'MutatingWebhookConfiguration' ? pointWebhooksAt(o, `https://127.0.0.1:${ports[0]}/mutate`) : o,
      );
    await createAll(cluster.admin, toApply);

    // The webhook runs as the chart's ServiceAccount, so the rendered RBAC is what it gets.
    const { token } = await cluster.admin.createToken(NAMESPACE, 'vault-agent-injector');
    const kubeconfig = writeTokenKubeconfig(dir, cluster.admin, token);
    for (const [i, port] of ports.entries()) {
      webhooks.push(
        await startChartWebhook({
          deployment,
          podName: `vault-agent-injector-5d8f9-${i}`,
          port: port ?? 0,
          kubeconfig,
          dir,
        }),
      );
    }
    const [first, second] = webhooks;
    assert.ok(first && second);
    assert.deepEqual(first.args, ['webhook']);
    for (const w of webhooks) await w.process.waitForLine(/listening/, 60_000);

    // One leader took the Lease, made the CA and certificate, stored them in the chart's Secret and published the CA.
    const lease = await cluster.admin.get<{ spec: { holderIdentity: string } }>(
      `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/vault-injector-leader`,
    );
    assert.match(lease.spec.holderIdentity, /^vault-agent-injector-5d8f9-[01]$/);
    const caPem = await waitFor(
      'the caBundle published by the leader',
      async () => (await publishedCaBundle(cluster.admin, mwcName)) || undefined,
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    const ca = new X509Certificate(caPem);

    // Both replicas serve the one certificate, signed by the published CA, for the chart's Service names.
    const served = await Promise.all(ports.map((p) => servedCertificate(p ?? 0)));
    assert.equal(served[0]?.fingerprint256, served[1]?.fingerprint256);
    assert.ok(served[0]?.verify(ca.publicKey));
    for (const name of [
      'vault-agent-injector-svc',
      'vault-agent-injector-svc.vault',
      'vault-agent-injector-svc.vault.svc',
    ])
      assert.ok(served[0]?.checkHost(name), `certificate covers ${name}`);

    for (const [i, port] of ports.entries()) {
      if (i > 0) await pointWebhookAt(cluster.admin, mwcName, `https://127.0.0.1:${port}/mutate`);
      const pod = await injectedPod(cluster, `walkthrough-${i}`);
      const init = pod.spec.initContainers?.find((c) => c.name === 'vault-agent-init');
      assert.ok(init, 'vault-agent-init in the stored pod');
      assert.equal(init.image, 'vault-injector/agent:1.14.0');
      const config = JSON.parse(
        Buffer.from(init.env?.find((e) => e.name === 'VAULT_CONFIG')?.value ?? '', 'base64').toString(),
      ) as { vault: { address: string }; auto_auth: { method: { mount_path: string } } };
      assert.equal(config.vault.address, 'https://vault.mydomain.com:8200');
      assert.equal(config.auto_auth.method.mount_path, 'auth/aks');
    }

    // The helm test pod's script passes against the running webhook (its Service address swapped for the port).
    const testPod = findObject(objs, 'Pod');
    const script = (testPod.spec as { containers: { args: string[] }[] }).containers[0]?.args[0] ?? '';
    const local = script.replaceAll('https://vault-agent-injector-svc.vault.svc:443', `https://127.0.0.1:${ports[1]}`);
    assert.notEqual(local, script);
    const run = await runToCompletion({
      name: 'helm test script',
      command: 'sh',
      args: ['-ec', local],
      timeoutMs: 30_000,
    });
    assert.match(run.output, /webhook ready and injecting/);
  });

  it('006 (after 005) the ServiceAccount has exactly what the webhook needs (SubjectAccessReview)', async () => {
    const can = async (
      verb: string,
      resource: string,
      opts: { group?: string; name?: string; namespace?: string } = {},
    ) => {
      const r = await cluster.admin.create<{ status: { allowed: boolean } }>(
        '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: `system:serviceaccount:${NAMESPACE}:vault-agent-injector`,
            groups: ['system:serviceaccounts', `system:serviceaccounts:${NAMESPACE}`, 'system:authenticated'],
            resourceAttributes: { verb, resource, group: opts.group ?? '', name: opts.name, namespace: opts.namespace },
          },
        },
      );
      return r.status.allowed;
    };
    const adm = { group: 'admissionregistration.k8s.io' };
    const coord = { group: 'coordination.k8s.io', namespace: NAMESPACE };
    const allowed: [string, string, Parameters<typeof can>[2]][] = [
      ['patch', 'mutatingwebhookconfigurations', { ...adm, name: 'vault-agent-injector-cfg' }],
      ['get', 'mutatingwebhookconfigurations', { ...adm, name: 'vault-agent-injector-cfg' }],
      ['create', 'leases', coord],
      ['update', 'leases', { ...coord, name: 'vault-injector-leader' }],
      ['get', 'secrets', { namespace: NAMESPACE, name: 'vault-injector-certs' }],
      ['update', 'secrets', { namespace: NAMESPACE, name: 'vault-injector-certs' }],
    ];
    const denied: [string, string, Parameters<typeof can>[2]][] = [
      ['patch', 'mutatingwebhookconfigurations', { ...adm, name: 'someone-elses-webhook' }],
      ['list', 'mutatingwebhookconfigurations', adm],
      ['update', 'leases', { ...coord, name: 'kube-scheduler' }],
      ['get', 'secrets', { namespace: NAMESPACE, name: 'vault-token-reviewer' }],
      ['list', 'secrets', { namespace: NAMESPACE }],
      ['create', 'secrets', { namespace: NAMESPACE }],
      ['get', 'secrets', { namespace: 'app', name: 'vault-injector-certs' }],
      ['delete', 'pods', { namespace: NAMESPACE }],
      ['get', 'nodes', {}],
      ['create', 'configmaps', { namespace: NAMESPACE }],
    ];
    for (const [verb, resource, opts] of allowed)
      assert.equal(await can(verb, resource, opts), true, `may ${verb} ${resource} ${JSON.stringify(opts)}`);
    for (const [verb, resource, opts] of denied)
      assert.equal(await can(verb, resource, opts), false, `may not ${verb} ${resource} ${JSON.stringify(opts)}`);
  });
});

interface StoredPod {
  metadata: { annotations?: Record<string, string> };
  spec: { initContainers?: { name: string; image: string; env?: { name: string; value?: string }[] }[] };
}

/**
 * Creates annotated pods until one is stored injected (bounded): with the chart's failurePolicy Ignore a
 * call that fails lets the pod in un-injected, so the first may race the certificate's publication.
 */
async function injectedPod(cluster: Cluster, prefix: string): Promise<StoredPod> {
  let n = 0;
  return waitFor(
    `an injected pod (${prefix})`,
    async () => {
      n += 1;
      const pod = await cluster.admin.create<StoredPod>('/api/v1/namespaces/app/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${prefix}-${n}`,
          annotations: {
            'vault.hashicorp.com/agent-inject': 'true',
            'vault.hashicorp.com/role': 'busybox',
            'vault.hashicorp.com/agent-inject-secret-devops_token': 'secret/devops',
          },
        },
        spec: { serviceAccountName: 'default', containers: [{ name: 'busybox', image: 'busybox' }] },
      });
      return pod.metadata.annotations?.['vault.hashicorp.com/agent-inject-status'] === 'injected' ? pod : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 500 },
  );
}

/** The certificate a TLS server on 127.0.0.1:port presents (not verified: the caller checks it). */
function servedCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port, servername: 'vault-agent-injector-svc.vault.svc', rejectUnauthorized: false },
      () => {
        const raw = socket.getPeerX509Certificate();
        socket.end();
        if (raw) resolve(raw);
        else reject(new Error(`no certificate from 127.0.0.1:${port}`));
      },
    );
    socket.setTimeout(5000, () => socket.destroy(new Error(`TLS to 127.0.0.1:${port} timed out`)));
    socket.on('error', reject);
  });
}
