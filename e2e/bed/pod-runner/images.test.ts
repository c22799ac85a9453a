import assert from 'node:assert/strict';
import { defaultImageTable, findImageRule } from './images.js';

describe('pod-runner image table', () => {
  const table = defaultImageTable({ vault: '/cache/vault', vaultInjector: ['node', 'cli.js'] });
  const cases = [
    ['hashicorp/vault:1.20.0', 'vault'],
    ['docker.io/hashicorp/vault:1.20.0', 'vault'],
    ['openbao/openbao:2.4.1', 'vault'],
    ['quay.io/openbao/openbao@sha256:abc', 'vault'],
    ['hashicorp/vault-injector:0.1.0', 'vault-injector'],
    ['busybox', 'shell'],
    ['docker.io/library/busybox:1.36', 'shell'],
    ['nginx:1.27', 'server'],
    ['hashicorp/vault-k8s:1.7.6', 'any'],
    ['registry.example.com/team/app:1', 'any'],
  ] as const;
  for (const [i, [image, rule]] of cases.entries()) {
    it(`${String(i + 1).padStart(3, '0')} ${image} -> ${rule}`, () => {
      assert.equal(findImageRule(table, image)?.name, rule);
    });
  }

  it('our agent image has vault-injector on PATH (probes, preStop) and HOME /home/vault, as Dockerfile.agent', () => {
    const rule = findImageRule(table, 'vault-injector/agent:0.1.0');
    assert.deepEqual(rule?.commands, { 'vault-injector': ['node', 'cli.js'] });
    assert.deepEqual(rule?.env, { HOME: '/home/vault' });
  });
});
