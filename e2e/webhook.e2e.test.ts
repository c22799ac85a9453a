import assert from 'node:assert/strict';
import { type Cluster, startCluster } from './bed/cluster.js';
import { httpCall } from './bed/http.js';
import { KubeError } from './bed/kube.js';
import { defaultImageTable } from './bed/pod-runner/images.js';
import { runPod } from './bed/pod-runner/pod.js';
import type { Pod as RunnerPod } from './bed/pod-runner/types.js';
import { setupAksWalkthrough } from './bed/scenarios.js';
import { agentImageArgv } from './bed/stack.js';
import { sleep, waitFor } from './bed/time.js';
import { startVaultServer, type VaultServer } from './bed/vault-server.js';
import {
  pointWebhookAt,
  publishedCaBundle,
  registerForAutoTls,
  registerWebhook,
  startWebhookProcess,
  type WebhookProcess,
} from './bed/webhook-process.js';
import { bedBinaries } from './hooks.js';

interface StoredPod {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    initContainers?: { name: string; restartPolicy?: string; startupProbe?: unknown; image?: string }[];
    containers: { name: string; volumeMounts?: { name: string; mountPath: string }[] }[];
    volumes?: { name: string }[];
  };
}

const NS = 'app';
const MWC = 'vault-agent-injector-cfg';

function annotated(
  name: string,
  annotations: Record<string, string>,
  containers = [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }],
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`vault.hashicorp.com/${k}`, v])),
    },
    spec: { containers },
  };
}

describe('webhook admission through the real API server', () => {
  let cluster: Cluster;
  let webhook: WebhookProcess | undefined;

  before(async function () {
    this.timeout(120_000);
    const bins = bedBinaries();
    cluster = await startCluster({ etcd: bins.etcd, kubeApiserver: bins.kubeApiserver });
    await cluster.admin.ensureNamespace(NS);
  });
  after(async function () {
    this.timeout(60_000);
    await webhook?.stop();
    await cluster?.stop();
  });

  const createPod = (pod: unknown) => cluster.admin.create<StoredPod>(`/api/v1/namespaces/${NS}/pods`, pod);

  it('001 an annotated pod is stored injected; an unannotated one untouched', async () => {
    webhook = await startWebhookProcess({ tls: 'files', args: ['-vault-address=http://vault.vault.svc:8200'] });
    await registerWebhook(cluster.admin, {
      name: MWC,
      url: webhook.url,
      caPem: webhook.caPem,
      failurePolicy: 'Fail',
      namespaces: [NS],
    });
    const pod = await createPod(
      annotated('injected', { 'agent-inject': 'true', role: 'app', 'agent-inject-secret-db': 'secret/db' }),
    );
    assert.equal(pod.metadata.annotations?.['vault.hashicorp.com/agent-inject-status'], 'injected');
    assert.deepEqual(
      pod.spec.initContainers?.map((c) => c.name),
      ['vault-agent-init'],
    );
    assert.deepEqual(
      pod.spec.containers.map((c) => c.name),
      ['app', 'vault-agent'],
    );
    assert.deepEqual(
      pod.spec.volumes?.map((v) => v.name).filter((n) => !n.startsWith('kube-api-access')),
      ['home-init', 'home-sidecar', 'vault-secrets'],
    );
    assert.ok(
      pod.spec.containers[0]?.volumeMounts?.some((m) => m.name === 'vault-secrets' && m.mountPath === '/vault/secrets'),
    );
    const plain = await createPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'plain' },
      spec: { containers: [{ name: 'app', image: 'busybox' }] },
    });
    assert.deepEqual(
      plain.spec.containers.map((c) => c.name),
      ['app'],
    );
    assert.equal(plain.spec.initContainers, undefined);
    assert.match(webhook.process.text(), /admission: namespace=app pod=injected uid=\S+ decision=injected/);
  });

  it('002 a bad annotation is refused with the annotation, value and what is allowed', async () => {
    await assert.rejects(
      createPod(annotated('bad', { 'agent-inject': 'true', role: 'app', 'agent-pre-populate': 'yes' })),
      (e: unknown) => {
        assert.ok(e instanceof KubeError);
        assert.equal(e.status, 400);
        assert.match(
          e.message,
          /admission webhook "vault.hashicorp.com" denied the request: error creating new agent sidecar: invalid value "yes" for annotation vault.hashicorp.com\/agent-pre-populate: expected a boolean/,
        );
        return true;
      },
    );
  });

  it('003 agent-native-sidecar puts vault-agent in initContainers with restartPolicy Always and a startup probe', async () => {
    const pod = await createPod(
      annotated('native', {
        'agent-inject': 'true',
        role: 'app',
        'agent-native-sidecar': 'true',
        'agent-inject-secret-db': 'secret/db',
      }),
    );
    assert.deepEqual(
      pod.spec.initContainers?.map((c) => [c.name, c.restartPolicy]),
      [['vault-agent', 'Always']],
    );
    assert.ok(pod.spec.initContainers?.[0]?.startupProbe);
    assert.deepEqual(
      pod.spec.containers.map((c) => c.name),
      ['app'],
    );
  });

  it('004 with the webhook down, failurePolicy Fail refuses pods and Ignore lets them in un-injected', async () => {
    const url = webhook?.url ?? '';
    await webhook?.stop();
    webhook = undefined;
    await assert.rejects(createPod(annotated('down-fail', { 'agent-inject': 'true', role: 'app' })), (e: unknown) => {
      assert.ok(e instanceof KubeError);
      assert.match(e.message, /failed calling webhook "vault.hashicorp.com"/);
      return true;
    });
    await registerWebhook(cluster.admin, { name: MWC, url, caPem: 'x', failurePolicy: 'Ignore', namespaces: [NS] });
    const pod = await createPod(annotated('down-ignore', { 'agent-inject': 'true', role: 'app' }));
    assert.deepEqual(
      pod.spec.containers.map((c) => c.name),
      ['app'],
    );
    assert.equal(pod.metadata.annotations?.['vault.hashicorp.com/agent-inject-status'], undefined);
  });

  it('005 auto TLS: the webhook makes its own CA and publishes it in the caBundle', async () => {
    await registerForAutoTls(cluster.admin, MWC, [NS]);
    webhook = await startWebhookProcess({
      tls: { auto: MWC, kubeconfig: cluster.kubeconfigPath },
      args: ['-vault-address=http://vault:8200'],
    });
    const bundle = await publishedCaBundle(cluster.admin, MWC);
    assert.match(bundle, /BEGIN CERTIFICATE/);
    await pointWebhookAt(cluster.admin, MWC, webhook.url);
    const pod = await waitFor(
      'an injected pod through the auto-TLS webhook',
      async () => createPod(annotated(`auto-${Date.now()}`, { 'agent-inject': 'true', role: 'app' })),
      {
        timeoutMs: 15_000,
        intervalMs: 500,
      },
    );
    assert.equal(pod.metadata.annotations?.['vault.hashicorp.com/agent-inject-status'], 'injected');
  });

  it('006 auto TLS rotation under continuous admission traffic: no request fails', async function () {
    this.timeout(90_000);
    await webhook?.stop();
    await registerForAutoTls(cluster.admin, MWC, [NS]);
    // a 6 s certificate, renewed every 4 s: several rotations (and the first leaf's expiry) within the run
    webhook = await startWebhookProcess({
      tls: { auto: MWC, kubeconfig: cluster.kubeconfigPath },
      args: ['-vault-address=http://vault:8200', '-tls-auto-cert-validity=6s'],
    });
    await pointWebhookAt(cluster.admin, MWC, webhook.url);
    const until = Date.now() + 15_000;
    let ok = 0;
    const failures: string[] = [];
    const worker = async (w: number) => {
      for (let i = 0; Date.now() < until && i < 10_000; i++) {
        try {
          const pod = await cluster.admin.create<StoredPod>(
            `/api/v1/namespaces/${NS}/pods?dryRun=All`,
            annotated(`rot-${w}-${i}`, { 'agent-inject': 'true', role: 'app' }),
          );
          if (pod.metadata.annotations?.['vault.hashicorp.com/agent-inject-status'] === 'injected') ok++;
          else failures.push(`rot-${w}-${i}: not injected`);
        } catch (err) {
          failures.push(`rot-${w}-${i}: ${(err as Error).message}`);
        }
      }
    };
    // fresh TLS handshakes too (the API server keeps its connections), verified against the published caBundle
    const bundle = () => publishedCaBundle(cluster.admin, MWC);
    const ca = await bundle();
    let handshakes = 0;
    const prober = async () => {
      const url = webhook?.url.replace('/mutate', '/health/ready') ?? '';
      for (let i = 0; Date.now() < until && i < 1000; i++) {
        try {
          const r = await httpCall({ url, ca, timeoutMs: 5000 });
          if (r.status === 204) handshakes++;
          else failures.push(`handshake ${i}: HTTP ${r.status}`);
        } catch (err) {
          failures.push(`handshake ${i}: ${(err as Error).message}`);
        }
        await sleep(100);
      }
    };
    await Promise.all([worker(0), worker(1), worker(2), worker(3), prober()]);
    assert.equal(await bundle(), ca, 'the CA did not change, so the caBundle stayed valid');
    const renewals = webhook.process.lines.filter((l) => l.includes('renewed the serving certificate')).length;
    process.stdout.write(
      `      rotation under traffic: ${ok} admissions and ${handshakes} fresh handshakes, ${failures.length} failed, ${renewals} certificate renewals\n`,
    );
    assert.deepEqual(failures, []);
    assert.ok(renewals >= 2, `only ${renewals} renewals`);
    assert.ok(ok >= 50, `only ${ok} admissions`);
  });

  it('007 two replicas with leader election share one CA; the leader stops and the other takes over; nothing fails', async function () {
    this.timeout(120_000);
    await webhook?.stop();
    webhook = undefined;
    await cluster.admin.ensureNamespace('vault-injector');
    await registerForAutoTls(cluster.admin, MWC, [NS]);
    const replica = (name: string) =>
      startWebhookProcess({
        tls: { auto: MWC, kubeconfig: cluster.kubeconfigPath },
        args: ['-vault-address=http://vault:8200', '-tls-auto-cert-validity=9s', '-use-leader-elector'],
        env: { NAMESPACE: 'vault-injector', POD_NAME: name },
      });
    const a = await replica('injector-a');
    let b: WebhookProcess | undefined;
    try {
      b = await replica('injector-b');
      await pointWebhookAt(cluster.admin, MWC, b.url);
      const ca = await publishedCaBundle(cluster.admin, MWC);
      const failures: string[] = [];
      let admissions = 0;
      let handshakes = 0;
      const until = Date.now() + 25_000;
      const review = JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { uid: 'u', namespace: NS, object: annotated('direct', { 'agent-inject': 'true', role: 'app' }) },
      });
      // Like a Service, stop sending to a replica once it is being shut down.
      const retired = new Set<string>();
      const direct = async (target: WebhookProcess, label: string) => {
        for (let i = 0; Date.now() < until && i < 1000; i++) {
          if (retired.has(label)) return;
          try {
            const r = await httpCall({
              url: target.url,
              ca,
              body: review,
              headers: { 'content-type': 'application/json' },
              timeoutMs: 5000,
            });
            if (r.status === 200 && r.text.includes('"uid":"u"')) handshakes++;
            else failures.push(`${label} ${i}: HTTP ${r.status}`);
          } catch (err) {
            if (!retired.has(label)) failures.push(`${label} ${i}: ${(err as Error).message}`);
          }
          await sleep(150);
        }
      };
      const viaApiServer = async () => {
        for (let i = 0; Date.now() < until && i < 10_000; i++) {
          try {
            const pod = await cluster.admin.create<StoredPod>(
              `/api/v1/namespaces/${NS}/pods?dryRun=All`,
              annotated(`ha-${i}`, { 'agent-inject': 'true', role: 'app' }),
            );
            if (pod.metadata.annotations?.['vault.hashicorp.com/agent-inject-status'] === 'injected') admissions++;
            else failures.push(`ha-${i}: not injected`);
          } catch (err) {
            failures.push(`ha-${i}: ${(err as Error).message}`);
          }
        }
      };
      const leaderHandover = async () => {
        await sleep(8000);
        retired.add('a');
        await sleep(500); // let its last in-flight request finish
        await a.stop(); // the first replica led; stopping it hands the lease over
      };
      await Promise.all([direct(a, 'a'), direct(b, 'b'), viaApiServer(), leaderHandover()]);
      const took = b.process.lines.some((l) => l.includes('became the leader'));
      const renewedByB = b.process.lines.filter((l) =>
        /renewed the serving certificate|issued the serving certificate/.test(l),
      ).length;
      process.stdout.write(
        `      leader handover under traffic: ${admissions} admissions, ${handshakes} direct requests, ${failures.length} failed, b renewed ${renewedByB}x\n`,
      );
      assert.deepEqual(failures, []);
      assert.ok(
        a.process.lines.some((l) => l.includes('became the leader')),
        'a led first',
      );
      assert.ok(took, 'b took over');
      assert.ok(renewedByB >= 1, 'b renewed the certificate after taking over');
      assert.equal(await publishedCaBundle(cluster.admin, MWC), ca, 'one CA throughout');
    } finally {
      await b?.stop();
      await a.stop();
    }
  });

  describe('the injected pod runs: Vault Agent renders the secret the app reads (AKS walkthrough)', () => {
    let vault: VaultServer;
    before(async function () {
      this.timeout(60_000);
      vault = await startVaultServer(bedBinaries().vault);
      await setupAksWalkthrough(vault.root, cluster);
      await webhook?.stop();
      webhook = await startWebhookProcess({
        tls: 'files',
        args: [`-vault-address=${vault.addr}`, '-vault-image=hashicorp/vault:1.14.8'],
      });
      await registerWebhook(cluster.admin, {
        name: MWC,
        url: webhook.url,
        caPem: webhook.caPem,
        failurePolicy: 'Fail',
        namespaces: ['busybox'],
      });
    });
    after(async function () {
      this.timeout(30_000);
      await vault?.stop();
    });

    it('008 /vault/secrets/devops_token reads "token value stored on path secret/devops is pat"', async function () {
      this.timeout(90_000);
      const stored = await cluster.admin.create<RunnerPod>('/api/v1/namespaces/busybox/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'busybox-7d9f',
          annotations: {
            'vault.hashicorp.com/agent-inject': 'true',
            'vault.hashicorp.com/agent-inject-secret-devops_token': 'secret/devops',
            'vault.hashicorp.com/agent-inject-template-devops_token':
              '{{- with secret "secret/devops" -}}token value stored on path secret/devops is {{ .Data.data.token }}{{- end }}',
            'vault.hashicorp.com/role': 'busybox',
          },
        },
        spec: {
          serviceAccountName: 'busybox',
          containers: [
            {
              name: 'busybox',
              image: 'busybox',
              command: ['sh', '-c', 'cat /vault/secrets/devops_token; echo; sleep 300'],
            },
          ],
        },
      });
      const running = await runPod(stored, {
        kube: cluster.admin,
        images: defaultImageTable({ vault: bedBinaries().vault, vaultInjector: agentImageArgv() }),
        apiServer: { host: '127.0.0.1', port: cluster.port },
        maxGraceMs: 5000,
      });
      try {
        await waitFor(
          'the app to print the secret',
          () => (running.logs('busybox').includes('is pat') ? true : undefined),
          { timeoutMs: 30_000 },
        );
        assert.equal(running.logs('busybox'), 'token value stored on path secret/devops is pat\n');
        assert.equal(running.exitStatus('vault-agent-init')?.code, 0);
        assert.match(running.logs('vault-agent-init'), /\(runner\) rendered .* => "\/vault\/secrets\/devops_token"/);
        // the sidecar logged in too and keeps running (it leaves an unchanged file alone)
        await waitFor(
          'the sidecar to authenticate',
          () => (/authentication successful/.test(running.logs('vault-agent')) ? true : undefined),
          {
            timeoutMs: 15_000,
          },
        );
        assert.equal(running.exitStatus('vault-agent'), undefined);
      } finally {
        await running.stop();
      }
    });
  });
});
