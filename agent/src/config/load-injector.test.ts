/**
 * Round trip with our own injector: the VAULT_CONFIG the webhook writes into the init and sidecar containers
 * (with the container's VAULT_LOG_* variables) loads, and the agent sees what the annotations asked for.
 */
import assert from 'node:assert/strict';
import { mutate } from '../../../webhook/src/core/mutate.js';
import type { Container, Pod } from '../../../webhook/src/core/pod-types.js';
import { CONFIG_B, testPod } from '../../../webhook/src/core/test-fixtures.js';
import { loadAgentConfig } from './load.js';
import type { AgentConfig } from './load-types.js';

function containerEnv(pod: Pod, name: string): Record<string, string> {
  const c = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
    (x: Container) => x.name === name,
  );
  assert.ok(c, `no container ${name}`);
  return Object.fromEntries((c.env ?? []).flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])));
}

async function agentConfigs(
  annotations: Record<string, string>,
): Promise<{ init?: AgentConfig; sidecar?: AgentConfig }> {
  const r = mutate(testPod({ 'agent-inject': 'true', role: 'app', ...annotations }), 'test', CONFIG_B);
  assert.equal(r.kind, 'inject');
  if (r.kind !== 'inject') return {};
  const names = [...(r.pod.spec?.initContainers ?? []), ...(r.pod.spec?.containers ?? [])].map((c) => c.name);
  return {
    init: names.includes('vault-agent-init')
      ? await loadAgentConfig({ env: containerEnv(r.pod, 'vault-agent-init') })
      : undefined,
    sidecar: names.includes('vault-agent')
      ? await loadAgentConfig({ env: containerEnv(r.pod, 'vault-agent') })
      : undefined,
  };
}

describe('agent config: what our injector writes, the agent loads', () => {
  it('001 a basic pod: init exits after auth, sidecar keeps running, one template each', async () => {
    const { init, sidecar } = await agentConfigs({ 'agent-inject-secret-db': 'secret/data/db' });
    assert.equal(init?.exitAfterAuth, true);
    assert.equal(sidecar?.exitAfterAuth, false);
    for (const c of [init, sidecar]) {
      assert.equal(c?.vault.address, 'http://foobar:8200');
      assert.equal(c?.autoAuth?.method.mountPath, 'test');
      assert.equal(c?.autoAuth?.method.kubernetes?.role, 'app');
      assert.deepEqual(
        c?.templates.map((t) => t.destination),
        ['/vault/secrets/db'],
      );
      assert.match(c?.templates[0]?.contents ?? '', /with secret "secret\/data\/db"/);
      assert.equal(c?.templateConfig.exitOnRetryFailure, true);
      assert.equal(c?.pidFile, '/home/vault/.pid');
      assert.equal(c?.logLevel, 'info');
    }
  });

  it('002 every feature annotation at once', async () => {
    const { init, sidecar } = await agentConfigs({
      'agent-inject-secret-db': 'database/creds/app',
      'agent-inject-template-db': '{{ with secret "database/creds/app" }}{{ .Data.username }}{{ end }}',
      'agent-inject-command-db': 'pkill -HUP app',
      'agent-inject-perms-db': '0600',
      'agent-template-left-delim-db': '[[',
      'agent-template-right-delim-db': ']]',
      'error-on-missing-key-db': 'true',
      'agent-inject-token': 'true',
      'agent-cache-enable': 'true',
      'agent-cache-use-auto-auth-token': 'force',
      'agent-cache-exit-on-err': 'true',
      'agent-enable-quit': 'true',
      'template-static-secret-render-interval': '2m',
      'template-max-connections-per-host': '4',
      'template-lease-renewal-threshold': '0.5',
      'agent-disable-idle-connections': 'templating,auto-auth',
      'agent-disable-keep-alives': 'caching',
      'agent-telemetry-prometheus_retention_time': '30s',
      'agent-telemetry-disable_hostname': 'true',
      'auth-min-backoff': '3s',
      'auth-max-backoff': '30s',
      'agent-auto-auth-exit-on-err': 'true',
      'auth-config-token-path': '/var/run/secrets/vault/token',
      namespace: 'team-a',
      'tls-skip-verify': 'true',
      'tls-server-name': 'vault.internal',
      'ca-cert': '/vault/tls/ca.crt',
    });
    for (const c of [init, sidecar]) {
      assert.ok(c);
      const [t] = c.templates;
      assert.deepEqual(
        [t?.command, t?.perms, t?.permsSet, t?.leftDelimiter, t?.rightDelimiter, t?.errorOnMissingKey],
        [['pkill -HUP app'], 0o600, true, '[[', ']]', true],
      );
      assert.deepEqual(
        c.autoAuth?.sinks.map((s) => s.path),
        ['/home/vault/.vault-token', '/vault/secrets/token'],
      );
      assert.equal(c.apiProxy?.useAutoAuthToken, 'force');
      assert.equal(c.cache?.persist?.exitOnErr, true);
      assert.equal(c.listeners[0]?.agentApi.enableQuit, true);
      assert.equal(c.listeners[0]?.address, '127.0.0.1:8200');
      assert.deepEqual(c.templateConfig, {
        exitOnRetryFailure: true,
        staticSecretRenderIntervalMs: 120_000,
        maxConnectionsPerHost: 4,
        leaseRenewalThreshold: 0.5,
      });
      assert.deepEqual([...c.disableIdleConnections].sort(), ['auto-auth', 'templating']);
      assert.deepEqual([...c.disableKeepAlives], ['caching']);
      assert.equal(c.telemetry.prometheusRetentionTimeMs, 30_000);
      assert.equal(c.telemetry.disableHostname, true);
      const m = c.autoAuth?.method;
      assert.deepEqual([m?.minBackoffMs, m?.maxBackoffMs, m?.exitOnErr, m?.namespace], [3000, 30_000, true, 'team-a']);
      assert.equal(m?.kubernetes?.tokenPath, '/var/run/secrets/vault/token');
      assert.deepEqual(
        [c.vault.tlsSkipVerify, c.vault.tlsServerName, c.vault.caCert],
        [true, 'vault.internal', '/vault/tls/ca.crt'],
      );
    }
  });
});
