// The revoke-on-shutdown preStop hook for both kinds of agent image (spec §3.3; ours for our own image).
import assert from 'node:assert/strict';
import { denyMessage } from './errors.js';
import { mutate } from './mutate.js';
import type { Container } from './pod-types.js';
import { injectorConfig, testPod } from './test-fixtures.js';

function sidecar(image: string, annotations: Record<string, string>): Container {
  const cfg = injectorConfig({ vaultImage: image, vaultAddress: 'https://vault:8200', revokeOnShutdown: true });
  const r = mutate(testPod({ 'agent-inject': 'true', role: 'app', ...annotations }), 'app', cfg);
  if (r.kind !== 'inject')
    assert.fail(`expected injection, got ${r.kind}${r.kind === 'deny' ? `: ${denyMessage(r.error)}` : ''}`);
  const c = r.pod.spec?.containers?.find((x) => x.name === 'vault-agent');
  if (!c) assert.fail('no vault-agent container');
  return c;
}

const preStop = (c: Container) =>
  (c.lifecycle as { preStop?: { exec?: { command?: string[] } } } | undefined)?.preStop?.exec?.command;

describe('revoke-on-shutdown preStop hook', () => {
  it('a Vault image keeps vault-k8s exact shell line, TLS files included', () => {
    const c = sidecar('hashicorp/vault:1.21', {
      'agent-revoke-grace': '7',
      'ca-cert': '/vault/tls/ca.crt',
      'client-cert': '/vault/tls/tls.crt',
      'client-key': '/vault/tls/tls.key',
      'tls-skip-verify': 'true',
    });
    assert.deepEqual(preStop(c), [
      '/bin/sh',
      '-c',
      '/bin/sleep 7 && /bin/vault token revoke -address=https://vault:8200 -ca-cert=/vault/tls/ca.crt ' +
        '-client-cert=/vault/tls/tls.crt -client-key=/vault/tls/tls.key -self',
    ]);
  });

  it('a mirrored OpenBao image under any name gets the shell line too', () => {
    const cmd = preStop(sidecar('registry.internal/openbao/openbao:2.1.0', {}));
    assert.deepEqual(cmd, [
      '/bin/sh',
      '-c',
      '/bin/sleep 5 && /bin/vault token revoke -address=https://vault:8200 -self',
    ]);
  });

  it('our image execs our CLI without a shell, the grace as -wait', () => {
    const cmd = preStop(sidecar('vault-injector/agent:0.1.0', {}));
    assert.deepEqual(cmd, ['vault-injector', 'token-revoke', '-self', '-wait=5s', '-address=https://vault:8200']);
  });

  it('our image also gets the TLS settings and namespace the agent uses', () => {
    const cmd = preStop(
      sidecar('ghcr.io/example/vault-injector/agent:0.1.0', {
        'agent-revoke-grace': '0',
        'ca-cert': '/vault/tls/ca.crt',
        'ca-key': '/vault/tls/cas',
        'client-cert': '/vault/tls/tls.crt',
        'client-key': '/vault/tls/tls.key',
        'tls-skip-verify': 'true',
        'tls-server-name': 'vault.internal',
        namespace: 'team-a',
      }),
    );
    assert.deepEqual(cmd, [
      'vault-injector',
      'token-revoke',
      '-self',
      '-wait=0s',
      '-address=https://vault:8200',
      '-ca-cert=/vault/tls/ca.crt',
      '-client-cert=/vault/tls/tls.crt',
      '-client-key=/vault/tls/tls.key',
      '-ca-path=/vault/tls/cas',
      '-tls-skip-verify',
      '-tls-server-name=vault.internal',
      '-namespace=team-a',
    ]);
  });

  it('no hook for either image when revoke-on-shutdown is off', () => {
    for (const image of ['hashicorp/vault:1.21', 'vault-injector/agent:0.1.0'])
      assert.deepEqual(sidecar(image, { 'agent-revoke-on-shutdown': 'false' }).lifecycle, {});
  });
});
