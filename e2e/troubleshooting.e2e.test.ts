import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Cluster, startCluster } from './bed/cluster.js';
import { httpCall } from './bed/http.js';
import { KubeError } from './bed/kube.js';
import { defaultImageTable } from './bed/pod-runner/images.js';
import { type RunningPod, runPod } from './bed/pod-runner/pod.js';
import type { Pod as RunnerPod } from './bed/pod-runner/types.js';
import { freePort } from './bed/ports.js';
import { ManagedProcess } from './bed/processes.js';
import { setupAksWalkthrough } from './bed/scenarios.js';
import { agentImageArgv, REPO_ROOT } from './bed/stack.js';
import { waitFor } from './bed/time.js';
import { makeTempDir, removeDir } from './bed/tmp.js';
import {
  startVaultServer,
  VaultApiError,
  VaultHttp,
  type VaultResponse,
  type VaultServer,
  writeKubernetesAuthRole,
} from './bed/vault-server.js';
import { registerWebhook, startWebhookProcess, type WebhookProcess } from './bed/webhook-process.js';
import { bedBinaries } from './hooks.js';
import { type CheckedExcerpt, checkedExcerpts, missingLines } from './troubleshooting-doc.js';

// Every failure docs/troubleshooting.md describes, run for real with our agent image (the webhook's default):
// the doc's checked log lines must appear in the output, so the doc cannot drift from what users see.

const DOC_PATH = join(REPO_ROOT, 'docs', 'troubleshooting.md');
const NS = 'busybox';
const MWC = 'vault-agent-injector-cfg';
const DEVOPS_TEMPLATE =
  '{{- with secret "secret/devops" -}}token value stored on path secret/devops is {{ .Data.data.token }}{{- end }}';

/** The bed's VaultHttp against a TLS Vault whose CA we were given (the helpers take a VaultHttp). */
class TlsVaultHttp extends VaultHttp {
  constructor(
    addr: string,
    token: string,
    private readonly ca: string,
  ) {
    super(addr, token);
  }

  override async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
    const res = await httpCall({
      url: `${this.addr}/v1/${path}`,
      method,
      body,
      ca: this.ca,
      headers: this.token ? { 'x-vault-token': this.token } : {},
      timeoutMs: 30_000,
    });
    const parsed =
      res.text.trim() === '' ? undefined : (JSON.parse(res.text) as VaultResponse<T> & { errors?: string[] });
    if (res.status >= 400) throw new VaultApiError(res.status, method, path, parsed?.errors ?? []);
    return { status: res.status, json: parsed };
  }
}

/** `vault server -dev -dev-tls`: a Vault on https with a CA of its own that nothing trusts yet. */
async function startTlsVault(
  bin: string,
): Promise<{ addr: string; caPem: string; http: VaultHttp; stop(): Promise<void> }> {
  const dir = makeTempDir('vault-tls');
  const port = await freePort();
  const addr = `https://127.0.0.1:${port}`;
  const proc = new ManagedProcess({
    name: 'vault-tls',
    command: bin,
    args: [
      'server',
      '-dev',
      '-dev-tls',
      `-dev-tls-cert-dir=${dir}`,
      '-dev-root-token-id=root',
      `-dev-listen-address=127.0.0.1:${port}`,
      '-log-level=warn',
    ],
    env: { PATH: process.env.PATH, HOME: dir },
    logFile: join(dir, 'vault.log'),
  });
  const stop = async () => {
    await proc.stop({ graceMs: 5000 });
    removeDir(dir);
  };
  try {
    const caFile = join(dir, 'vault-ca.pem');
    const caPem = await waitFor(
      'the TLS Vault to answer /v1/sys/health',
      async () => {
        if (!proc.running) throw new Error(`vault server exited\n${proc.tail()}`);
        if (!existsSync(caFile)) return undefined;
        const ca = readFileSync(caFile, 'utf8');
        const r = await httpCall({ url: `${addr}/v1/sys/health`, ca, timeoutMs: 1000 });
        return r.status === 200 ? ca : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    return { addr, caPem, http: new TlsVaultHttp(addr, 'root', caPem), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

describe('troubleshooting: every failure in docs/troubleshooting.md shows the documented log lines', () => {
  let cluster: Cluster;
  let vault: VaultServer;
  let webhook: WebhookProcess;
  const excerpts = checkedExcerpts(readFileSync(DOC_PATH, 'utf8'));
  const excerptsOf = (id: string): CheckedExcerpt[] => {
    const found = excerpts.filter((e) => e.id === id);
    assert.ok(found.length > 0, `docs/troubleshooting.md has no checked block for ${id}`);
    return found;
  };
  const scenarios = new Set<string>();
  let podCount = 0;

  before(async function () {
    this.timeout(120_000);
    const bins = bedBinaries();
    cluster = await startCluster({ etcd: bins.etcd, kubeApiserver: bins.kubeApiserver });
    vault = await startVaultServer(bins.vault);
    // The AKS walkthrough (seed 002) as the working baseline, and one broken role per failure.
    await setupAksWalkthrough(vault.root, cluster);
    await cluster.admin.ensureServiceAccount(NS, 'web');
    const role = (name: string, extra: Partial<Parameters<typeof writeKubernetesAuthRole>[2]>) =>
      writeKubernetesAuthRole(vault.root, name, {
        serviceAccounts: ['busybox'],
        namespaces: [NS],
        policies: ['busybox'],
        ...extra,
      });
    await role('busybox-no-policy', { policies: ['default'] });
    await role('web-only', { serviceAccounts: ['web'] });
    await role('busybox-prod-aud', { audience: 'vault-prod' });
    // Our agent image is the webhook's default: no -vault-image.
    webhook = await startWebhookProcess({ tls: 'files', args: [`-vault-address=${vault.addr}`] });
    await registerWebhook(cluster.admin, {
      name: MWC,
      url: webhook.url,
      caPem: webhook.caPem,
      failurePolicy: 'Fail',
      namespaces: [NS],
    });
  });
  after(async function () {
    this.timeout(60_000);
    await webhook?.stop();
    await vault?.stop();
    await cluster?.stop();
  });

  /** Creates the annotated busybox pod through the API server (so through the webhook) and returns it as stored. */
  function createPod(annotations: Record<string, string>, serviceAccount = 'busybox'): Promise<RunnerPod> {
    podCount++;
    return cluster.admin.create<RunnerPod>(`/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `busybox-${podCount}`,
        annotations: Object.fromEntries(
          Object.entries({ 'agent-inject': 'true', role: 'busybox', ...annotations }).map(([k, v]) => [
            `vault.hashicorp.com/${k}`,
            v,
          ]),
        ),
      },
      spec: {
        serviceAccountName: serviceAccount,
        containers: [{ name: 'busybox', image: 'busybox', command: ['sh', '-c', 'sleep 300'] }],
      },
    });
  }

  const runnerOptions = () => ({
    kube: cluster.admin,
    images: defaultImageTable({ vault: bedBinaries().vault, vaultInjector: agentImageArgv() }),
    apiServer: { host: '127.0.0.1', port: cluster.port },
    maxGraceMs: 3000,
    maxRestarts: 0,
    restartDelayMs: 100,
  });

  /** Asserts every checked line of the doc block is in `output` (bounded wait while the agent retries). */
  async function expectDocumented(excerpt: CheckedExcerpt, output: () => string, timeoutMs = 30_000) {
    try {
      await waitFor(
        `the lines of ${excerpt.id} (${excerpt.source})`,
        () => (missingLines(excerpt, output()).length === 0 ? true : undefined),
        { timeoutMs, intervalMs: 200 },
      );
    } catch {
      assert.fail(
        `docs/troubleshooting.md, ${excerpt.id}: ${excerpt.source} never printed\n  ${missingLines(excerpt, output()).join('\n  ')}\n--- ${excerpt.source} printed:\n${output()}`,
      );
    }
  }

  /**
   * A pod with the sidecar only (`agent-pre-populate: false`), so the runner returns while the agent retries
   * (vault-agent-init prints the same lines, but keeps the pod in Init until it succeeds).
   */
  async function sidecarShows(id: string, annotations: Record<string, string>, serviceAccount?: string) {
    scenarios.add(id);
    const stored = await createPod({ 'agent-pre-populate': 'false', ...annotations }, serviceAccount);
    const pod: RunningPod = await runPod(stored, runnerOptions());
    try {
      for (const excerpt of excerptsOf(id)) {
        assert.equal(excerpt.source, 'vault-agent', `${id}: this scenario runs the vault-agent container`);
        await expectDocumented(excerpt, () => pod.logs('vault-agent'));
      }
    } finally {
      await pod.stop();
    }
  }

  const secretAnnotations = (template = DEVOPS_TEMPLATE) => ({
    'agent-inject-secret-devops_token': 'secret/devops',
    'agent-inject-template-devops_token': template,
  });

  it('001 403 on the secret path: the role has no policy that reads it', async function () {
    this.timeout(60_000);
    await sidecarShows('policy-403', { role: 'busybox-no-policy', ...secretAnnotations() });
  });

  it('002 the role does not exist', async function () {
    this.timeout(60_000);
    await sidecarShows('role-not-found', { role: 'busybox-typo', ...secretAnnotations() });
  });

  it('003 the role is not bound to the pod service account', async function () {
    this.timeout(60_000);
    await sidecarShows('sa-not-bound', { role: 'web-only', ...secretAnnotations() });
  });

  it('004 the role expects another audience than the token has', async function () {
    this.timeout(60_000);
    await sidecarShows('wrong-audience', { role: 'busybox-prod-aud', ...secretAnnotations() });
  });

  it('005 Vault is unreachable (nothing listens at the address)', async function () {
    this.timeout(60_000);
    const closed = await freePort();
    await sidecarShows('vault-unreachable', { service: `http://127.0.0.1:${closed}`, ...secretAnnotations() });
  });

  it('006 a template that does not parse: vault-agent-init exits 1 at once', async function () {
    this.timeout(60_000);
    scenarios.add('template-parse');
    const stored = await createPod(secretAnnotations('{{ with secret "secret/devops" }}{{ .Data.data.token }'));
    // The init container fails before anything else runs; the runner gives up after it (maxRestarts 0)
    // and its error carries the init container's log.
    let output = '';
    await assert.rejects(runPod(stored, runnerOptions()), (err: Error) => {
      assert.match(err.message, /init container vault-agent-init failed \(exit code 1\)/);
      output = err.message;
      return true;
    });
    for (const excerpt of excerptsOf('template-parse')) {
      assert.equal(excerpt.source, 'vault-agent-init');
      await expectDocumented(excerpt, () => output, 0);
    }
  });

  it('007 a template that fails while rendering (a field of a string)', async function () {
    this.timeout(60_000);
    await sidecarShows(
      'template-exec',
      secretAnnotations('{{ with secret "secret/devops" }}{{ .Data.data.token.value }}{{ end }}'),
    );
  });

  it('008 the secret does not exist (404)', async function () {
    this.timeout(60_000);
    await sidecarShows('secret-404', {
      'agent-inject-secret-devops_token': 'secret/devopz',
    });
  });

  it('009 a bad annotation: the webhook denies the pod, the API server says why', async function () {
    this.timeout(60_000);
    scenarios.add('webhook-denied');
    let apiserver = '';
    await assert.rejects(createPod({ 'agent-pre-populate': 'yes', ...secretAnnotations() }), (err: unknown) => {
      assert.ok(err instanceof KubeError);
      apiserver = err.message;
      return true;
    });
    for (const excerpt of excerptsOf('webhook-denied')) {
      const output = excerpt.source === 'webhook' ? () => webhook.process.text() : () => apiserver;
      assert.ok(['webhook', 'apiserver'].includes(excerpt.source), excerpt.source);
      await expectDocumented(excerpt, output, 5000);
    }
  });

  it('010 Vault on TLS with a CA the agent does not trust; the ca-cert fix renders the secret', async function () {
    this.timeout(120_000);
    const tlsVault = await startTlsVault(bedBinaries().vault);
    try {
      await sidecarShows('tls-untrusted', { service: tlsVault.addr, ...secretAnnotations() });
      // The fix the doc gives: the CA in a Secret, mounted with tls-secret, named by ca-cert.
      await setupAksWalkthrough(tlsVault.http, cluster);
      await cluster.admin.ensure(`/api/v1/namespaces/${NS}/secrets`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'vault-tls' },
        data: { 'ca.crt': Buffer.from(tlsVault.caPem).toString('base64') },
      });
      const stored = await createPod({
        'agent-pre-populate': 'false',
        service: tlsVault.addr,
        'tls-secret': 'vault-tls',
        'ca-cert': '/vault/tls/ca.crt',
        ...secretAnnotations(),
      });
      const pod = await runPod(stored, runnerOptions());
      try {
        await waitFor(
          'the agent to render the secret over TLS',
          () =>
            /\(runner\) rendered .* => "\/vault\/secrets\/devops_token"/.test(pod.logs('vault-agent'))
              ? true
              : undefined,
          { timeoutMs: 30_000 },
        ).catch((err: Error) => assert.fail(`${err.message}\n${pod.logs('vault-agent')}`));
        assert.equal(
          (await pod.readFile('busybox', '/vault/secrets/devops_token')).trimEnd(),
          'token value stored on path secret/devops is pat',
        );
      } finally {
        await pod.stop();
      }
    } finally {
      await tlsVault.stop();
    }
  });

  it('011 the doc has a checked block for every scenario here and no other', () => {
    assert.deepEqual([...new Set(excerpts.map((e) => e.id))].sort(), [...scenarios].sort());
  });
});
