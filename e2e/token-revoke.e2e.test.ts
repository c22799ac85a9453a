import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInjectorConfig } from '../webhook/src/config.js';
import { denyMessage } from '../webhook/src/core/errors.js';
import { mutate } from '../webhook/src/core/mutate.js';
import type { Pod as WebhookPod } from '../webhook/src/core/pod-types.js';
import { type Cluster, startCluster } from './bed/cluster.js';
import { imageBinDir } from './bed/pod-runner/container.js';
import { defaultImageTable, type ImageRule, imagePattern } from './bed/pod-runner/images.js';
import { runPod } from './bed/pod-runner/pod.js';
import type { Pod as RunnerPod } from './bed/pod-runner/types.js';
import { freePort } from './bed/ports.js';
import { runToCompletion } from './bed/processes.js';
import { setupAksWalkthrough } from './bed/scenarios.js';
import { agentImageArgv } from './bed/stack.js';
import { waitFor } from './bed/time.js';
import { makeTempDir, removeDir } from './bed/tmp.js';
import { startVaultServer, VaultApiError, type VaultServer } from './bed/vault-server.js';
import { bedBinaries } from './hooks.js';

/**
 * `vault-injector token-revoke`, the preStop hook of our agent image, against a real Vault dev server:
 * the token comes from $HOME/.vault-token (the agent's sink) or VAULT_TOKEN, and is really revoked.
 */
describe('token-revoke: the agent revokes its own token (real Vault)', () => {
  let vault: VaultServer;
  let home: string;

  before(async function () {
    this.timeout(60_000);
    vault = await startVaultServer(bedBinaries().vault);
  });

  after(async function () {
    this.timeout(30_000);
    await vault?.stop();
  });

  beforeEach(() => {
    home = makeTempDir('token-revoke');
  });

  afterEach(() => removeDir(home));

  async function newToken(): Promise<string> {
    const r = await vault.root.write('auth/token/create', { policies: ['default'], ttl: '1h' });
    const token = r?.auth?.client_token;
    assert.ok(token, 'Vault returned no token');
    return token;
  }

  const lookupStatus = (token: string) => lookupStatusOf(vault, token);

  async function revoke(args: string[], env: Record<string, string> = {}, argv = agentImageArgv()) {
    const [command, ...cli] = argv as [string, ...string[]];
    const started = Date.now();
    const r = await runToCompletion({
      name: 'token-revoke',
      command,
      args: [...cli, 'token-revoke', ...args],
      env: { PATH: process.env.PATH ?? '', HOME: home, ...env },
      timeoutMs: 30_000,
      okCodes: Array.from({ length: 256 }, (_, i) => i),
    });
    return { ...r, tookMs: Date.now() - started };
  }

  it('001 waits -wait, revokes the token of $HOME/.vault-token, exits 0; the token is then invalid', async () => {
    const token = await newToken();
    writeFileSync(join(home, '.vault-token'), token, { mode: 0o600 });
    assert.equal(await lookupStatus(token), 200);
    const r = await revoke(['-self', '-wait=1s', `-address=${vault.addr}`]);
    assert.equal(r.code, 0, r.output);
    assert.ok(r.tookMs >= 1000, `took ${r.tookMs} ms, expected the 1 s wait first`);
    assert.match(r.output, /token-revoke: revoked the Vault token from .*\.vault-token at http:\/\/127\.0\.0\.1:/);
    assert.equal(r.output.includes(token), false, 'the token is never printed');
    assert.equal(await lookupStatus(token), 403);
  });

  it('002 VAULT_TOKEN wins over the file and VAULT_ADDR gives the address, as in vault', async () => {
    const fileToken = await newToken();
    const envToken = await newToken();
    writeFileSync(join(home, '.vault-token'), `${fileToken}\n`);
    const r = await revoke(['-self'], { VAULT_TOKEN: envToken, VAULT_ADDR: vault.addr });
    assert.equal(r.code, 0, r.output);
    assert.equal(await lookupStatus(envToken), 403);
    assert.equal(await lookupStatus(fileToken), 200, 'the file token is left alone');
  });

  it('003 an address where nothing listens: non-zero, a clear message, the token untouched', async () => {
    const token = await newToken();
    writeFileSync(join(home, '.vault-token'), token);
    const port = await freePort();
    const r = await revoke(['-self', `-address=http://127.0.0.1:${port}`], { VAULT_MAX_RETRIES: '1' });
    assert.equal(r.code, 1, r.output);
    assert.match(
      r.output,
      /revoking the Vault token failed: PUT http:\/\/127\.0\.0\.1:\d+\/v1\/auth\/token\/revoke-self/,
    );
    assert.match(r.output, /cannot reach Vault: connect ECONNREFUSED/);
    assert.equal(r.output.includes(token), false);
    assert.equal(await lookupStatus(token), 200);
  });

  it('004 an already revoked token: exit 1 with Vault 403; no token file: exit 1 naming the file', async () => {
    const token = await newToken();
    writeFileSync(join(home, '.vault-token'), token);
    assert.equal((await revoke(['-self', `-address=${vault.addr}`])).code, 0);
    const again = await revoke(['-self', `-address=${vault.addr}`]);
    assert.equal(again.code, 1, again.output);
    assert.match(again.output, /HTTP 403: permission denied/);
    assert.equal(again.output.includes(token), false);

    const empty = makeTempDir('token-revoke-empty');
    try {
      const none = await revoke(['-self', `-address=${vault.addr}`], { HOME: empty });
      assert.equal(none.code, 1);
      assert.match(none.output, /no token to revoke: VAULT_TOKEN is empty and .*\.vault-token does not exist/);
    } finally {
      removeDir(empty);
    }
  });

  it('005 bad usage (no -self, unknown flag) exits 2 without touching the token', async () => {
    const token = await newToken();
    writeFileSync(join(home, '.vault-token'), token);
    const noSelf = await revoke([`-address=${vault.addr}`]);
    assert.equal(noSelf.code, 2);
    assert.match(noSelf.output, /-self is required/);
    const unknown = await revoke(['-self', '-accessor=abc', `-address=${vault.addr}`]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.output, /flag provided but not defined: -accessor/);
    assert.equal(await lookupStatus(token), 200);
  });

  it('006 the pod runner resolves `vault-injector` inside our agent image, as the preStop exec runs it', async () => {
    const table = defaultImageTable({ vaultInjector: agentImageArgv() });
    const bin = imageBinDir(table, { name: 'vault-agent', image: 'vault-injector/agent:0.1.0' }, join(home, 'bin'));
    assert.ok(bin, 'our agent image puts vault-injector on PATH');
    const token = await newToken();
    mkdirSync(join(home, 'vault'));
    writeFileSync(join(home, 'vault', '.vault-token'), token);
    const r = await revoke(
      ['-self', '-wait=0s', `-address=${vault.addr}`],
      { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: join(home, 'vault') },
      ['vault-injector'],
    );
    assert.equal(r.code, 0, r.output);
    assert.equal(await lookupStatus(token), 403);
  });
});

/**
 * The whole path in a pod: the webhook's mutation (our agent image, revoke on shutdown) run by the bed's pod
 * runner against the bed's API server and Vault; deleting the pod runs the preStop exec, which revokes the
 * sidecar's token. A control pod without the annotation keeps its token, so the revocation is the hook's.
 */
describe('token-revoke: the preStop hook of our agent image in a pod (real API server and Vault)', () => {
  let cluster: Cluster;
  let vault: VaultServer;

  before(async function () {
    this.timeout(240_000);
    const bins = bedBinaries();
    cluster = await startCluster({ etcd: bins.etcd, kubeApiserver: bins.kubeApiserver });
    vault = await startVaultServer(bins.vault);
    await setupAksWalkthrough(vault.root, cluster);
  });

  after(async function () {
    this.timeout(60_000);
    await vault?.stop();
    await cluster?.stop();
  });

  /**
   * Our agent image, with one stand-in: the `agent` sub-command of our CLI is still being written, so Vault's
   * agent (same VAULT_CONFIG, same sink /home/vault/.vault-token) produces the token here. Everything the test
   * is about is ours: the mutation, the preStop exec, `vault-injector token-revoke` on the image's PATH.
   */
  function agentImageTable(): ImageRule[] {
    const bins = bedBinaries();
    const standIn: ImageRule = {
      name: 'vault-injector (Vault agent stand-in)',
      pattern: imagePattern('vault-injector/agent'),
      entrypoint: [
        '/bin/sh',
        '-c',
        'echo "$VAULT_CONFIG" | base64 -d > "$HOME/config.json" && exec vault agent -config="$HOME/config.json"',
        'agent-stand-in',
      ],
      commands: { 'vault-injector': agentImageArgv(), vault: bins.vault },
      env: { HOME: '/home/vault' },
    };
    return [standIn, ...defaultImageTable({ vaultInjector: agentImageArgv() })];
  }

  async function sidecarTokenAfterStop(name: string, revoke: boolean) {
    const cfg = loadInjectorConfig([`-vault-address=${vault.addr}`, '-vault-image=vault-injector/agent:0.1.0'], {});
    const pod: WebhookPod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'busybox',
        annotations: {
          'vault.hashicorp.com/agent-inject': 'true',
          'vault.hashicorp.com/role': 'busybox',
          'vault.hashicorp.com/agent-inject-secret-devops': 'secret/devops',
          'vault.hashicorp.com/agent-revoke-on-shutdown': String(revoke),
          'vault.hashicorp.com/agent-revoke-grace': '1',
        },
      },
      spec: {
        serviceAccountName: 'busybox',
        containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'sleep 300'] }],
      },
    };
    // as the API server hands it to the webhook: defaulted, with the service-account token volume
    const admitted = await cluster.admin.request<WebhookPod>('POST', '/api/v1/namespaces/busybox/pods?dryRun=All', pod);
    const m = mutate(admitted, 'busybox', cfg);
    if (m.kind !== 'inject')
      assert.fail(`expected injection, got ${m.kind}${m.kind === 'deny' ? `: ${denyMessage(m.error)}` : ''}`);
    const hook = (m.pod.spec?.containers?.find((c) => c.name === 'vault-agent')?.lifecycle ?? {}) as {
      preStop?: { exec?: { command?: string[] } };
    };
    if (revoke)
      assert.deepEqual(hook.preStop?.exec?.command?.slice(0, 4), [
        'vault-injector',
        'token-revoke',
        '-self',
        '-wait=1s',
      ]);
    const stored = await cluster.admin.create<RunnerPod>('/api/v1/namespaces/busybox/pods', m.pod);
    const running = await runPod(stored, {
      kube: cluster.admin,
      images: agentImageTable(),
      apiServer: { host: '127.0.0.1', port: cluster.port },
      maxGraceMs: 10_000,
    });
    let token = '';
    try {
      await waitFor(
        'the sidecar to write its token',
        async () => {
          if (!/authentication successful/.test(running.logs('vault-agent'))) return undefined;
          const r = await running.exec('vault-agent', ['cat', '/home/vault/.vault-token']);
          return r.code === 0 && r.output.trim() !== '' ? true : undefined;
        },
        { timeoutMs: 60_000 },
      );
      token = (await running.readFile('vault-agent', '/home/vault/.vault-token')).trim();
      assert.equal(await lookupStatusOf(vault, token), 200);
    } finally {
      await running.stop();
    }
    return lookupStatusOf(vault, token);
  }

  it('001 deleting the pod revokes the sidecar token; without the annotation it stays valid', async function () {
    this.timeout(180_000);
    assert.equal(await sidecarTokenAfterStop('revoke-on', true), 403, 'the preStop hook revoked the token');
    assert.equal(await sidecarTokenAfterStop('revoke-off', false), 200, 'no hook, no revocation');
  });
});

/** HTTP status of lookup-self with `token`: 200 while it is valid, 403 once revoked. */
async function lookupStatusOf(vault: VaultServer, token: string): Promise<number> {
  try {
    return (await vault.root.withToken(token).call('GET', 'auth/token/lookup-self')).status;
  } catch (err) {
    if (err instanceof VaultApiError) return err.status;
    throw err;
  }
}
