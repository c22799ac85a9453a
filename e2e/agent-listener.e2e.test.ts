/**
 * The agent's listener in front of a real Vault dev server: configuration loaded from the injector's
 * VAULT_CONFIG form (listener + cache), the API proxy reading a KV v2 secret for a client with no token,
 * the quit endpoint and the metrics endpoint.
 */
import assert from 'node:assert/strict';
import { loadAgentConfig } from '../agent/src/config/load.js';
import type { AgentConfig } from '../agent/src/config/load-types.js';
import { type AgentListener, startAgentListener } from '../agent/src/listener/server.js';
import { AgentMetrics } from '../agent/src/metrics.js';
import { httpCall } from './bed/http.js';
import { freePort } from './bed/ports.js';
import { kvPut, startVaultServer, type VaultServer, writePolicy } from './bed/vault-server.js';
import { bedBinaries } from './hooks.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

/** The sidecar config vault-k8s writes with agent-cache-enable and agent-enable-quit (vault-k8s §4.5). */
function sidecarConfig(vaultAddr: string, port: number) {
  return {
    auto_auth: {
      method: { type: 'kubernetes', mount_path: 'auth/kubernetes', config: { role: 'app' } },
      sink: [{ type: 'file', config: { path: '/home/vault/.vault-token' } }],
    },
    exit_after_auth: false,
    pid_file: '/home/vault/.pid',
    vault: { address: vaultAddr },
    listener: [{ type: 'tcp', address: `127.0.0.1:${port}`, tls_disable: true, agent_api: { enable_quit: true } }],
    cache: { use_auto_auth_token: 'true' },
    template_config: { exit_on_retry_failure: true },
  };
}

describe('agent listener against a real Vault', () => {
  let vault: VaultServer;
  let agentToken: string;
  let config: AgentConfig;
  let listener: AgentListener | undefined;
  let quits: number;
  const metrics = new AgentMetrics();

  before(async function () {
    this.timeout(120_000);
    vault = await startVaultServer(bedBinaries().vault);
    await writePolicy(vault.root, 'app-read', 'path "secret/data/app" { capabilities = ["read"] }');
    await kvPut(vault.root, 'secret', 'app', { password: 's3cr3t', port: 5432 });
    const created = await vault.root.write<Record<string, unknown>>('auth/token/create', {
      policies: ['app-read'],
      ttl: '10m',
    });
    agentToken = created?.auth?.client_token ?? '';
    assert.ok(agentToken.startsWith('hvs.'), 'a service token for the agent');
    config = await loadAgentConfig({ env: { VAULT_CONFIG: b64(sidecarConfig(vault.addr, await freePort())) } });
  });

  beforeEach(async () => {
    quits = 0;
    const spec = config.listeners[0];
    assert.ok(spec && config.apiProxy);
    listener = await startAgentListener({
      listener: spec,
      proxy: {
        vaultAddress: config.vault.address ?? '',
        useAutoAuthToken: config.apiProxy.useAutoAuthToken,
        getToken: () => agentToken,
      },
      enableQuit: spec.agentApi.enableQuit,
      onQuit: () => quits++,
      metricsText: () => metrics.text(),
      metrics,
    });
  });

  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  after(async function () {
    this.timeout(60_000);
    await vault?.stop();
  });

  const agentUrl = (path: string) => `http://${listener?.address}${path}`;

  it('001 the injected sidecar config asks for a proxy that adds the auto-auth token, on the configured port', () => {
    assert.equal(config.apiProxy?.useAutoAuthToken, true);
    assert.equal(listener?.address, config.listeners[0]?.address);
  });

  it('002 a client with no token reads a KV v2 secret through the proxy', async () => {
    const r = await httpCall({ url: agentUrl('/v1/secret/data/app'), timeoutMs: 10_000 });
    assert.equal(r.status, 200, r.text);
    const body = JSON.parse(r.text) as { data: { data: Record<string, unknown> } };
    assert.deepEqual(body.data.data, { password: 's3cr3t', port: 5432 });
  });

  it('003 it is the agent token that Vault sees: its policy, not the root one', async () => {
    const self = await httpCall({ url: agentUrl('/v1/auth/token/lookup-self'), timeoutMs: 10_000 });
    assert.equal(self.status, 200, self.text);
    const data = (JSON.parse(self.text) as { data: { policies: string[] } }).data;
    assert.deepEqual(data.policies, ['app-read', 'default']);
    const write = await httpCall({
      url: agentUrl('/v1/secret/data/app'),
      method: 'POST',
      body: { data: { password: 'changed' } },
      timeoutMs: 10_000,
    });
    assert.equal(write.status, 403, 'the agent token may only read');
  });

  it('004 a client token is kept (use_auto_auth_token=true): a bad one is refused by Vault', async () => {
    const r = await httpCall({
      url: agentUrl('/v1/secret/data/app'),
      headers: { 'x-vault-token': 'hvs.not-a-real-token' },
      timeoutMs: 10_000,
    });
    assert.equal(r.status, 403);
    assert.match(r.text, /permission denied|invalid token/);
  });

  it('005 POST /agent/v1/quit answers 200 and triggers shutdown; GET is 405', async () => {
    assert.equal((await httpCall({ url: agentUrl('/agent/v1/quit'), timeoutMs: 5000 })).status, 405);
    const r = await httpCall({ url: agentUrl('/agent/v1/quit'), method: 'POST', timeoutMs: 5000 });
    assert.deepEqual([r.status, r.text], [200, '']);
    assert.equal(quits, 1);
  });

  it('006 GET /agent/v1/metrics serves the agent metrics, proxy traffic counted', async () => {
    await httpCall({ url: agentUrl('/v1/sys/health'), timeoutMs: 10_000 });
    const r = await httpCall({ url: agentUrl('/agent/v1/metrics?format=prometheus'), timeoutMs: 5000 });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    const success = Number(/^vault_agent_proxy_success (\d+)$/m.exec(r.text)?.[1]);
    assert.ok(success >= 1, r.text);
    assert.match(r.text, /^vault_agent_authenticated 0$/m);
  });
});
