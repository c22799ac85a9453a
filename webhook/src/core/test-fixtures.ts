/** Fixtures of spec §8.0, shared by the conformance tests (not a test file itself). */

import { loadInjectorConfig } from '../config.js';
import type { InjectorConfig } from '../config-types.js';
import type { Pod } from './pod-types.js';

/** The injector's real defaults (only the Vault address given), so fixtures follow them. */
const BASE: InjectorConfig = loadInjectorConfig(['-vault-address=http://vault:8200'], {});

export function injectorConfig(overrides: Partial<InjectorConfig> = {}): InjectorConfig {
  return { ...BASE, ...overrides };
}

/** Config B (`basicAgentConfig`). */
export const CONFIG_B = injectorConfig({
  vaultImage: 'foobar-image',
  vaultAddress: 'http://foobar:8200',
  vaultAuthPath: 'test',
  revokeOnShutdown: true,
  proxyAddress: 'http://proxy:3128',
});

/** Config S (most sidecar tests). */
export const CONFIG_S = injectorConfig({
  vaultImage: 'foobar-image',
  vaultAddress: 'http://foobar:1234',
  vaultAuthPath: 'test',
  revokeOnShutdown: true,
  runAsUser: '1000',
  runAsGroup: '100',
});

/** Handler H (`basicHandler`). */
export const HANDLER_H = injectorConfig({
  vaultAddress: 'https://vault:8200',
  vaultAuthPath: 'kubernetes',
  vaultImage: 'vault',
  setSecurityContext: false,
  cpuRequest: '',
  memoryRequest: '',
  cpuLimit: '',
  memoryLimit: '',
  templateConfigExitOnRetryFailure: false,
});

/** testPod: pod `foo`, three containers, no volumes. */
export function testPod(annotations: Record<string, string> = {}): Pod {
  return {
    metadata: { name: 'foo', annotations: prefixed(annotations) },
    spec: {
      containers: [
        {
          name: 'foobar',
          volumeMounts: [
            { name: 'foobar', mountPath: 'serviceaccount/somewhere' },
            { name: 'tobecopied', mountPath: '/etc/somewhereelse' },
          ],
        },
        { name: 'foo1', volumeMounts: [{ name: 'foo1', mountPath: '/data/foo1' }] },
        { name: 'foo2', volumeMounts: [{ name: 'foo2', mountPath: '/data/foo2' }] },
      ],
    },
  };
}

/** testPodIRSA. */
export function testPodIrsa(annotations: Record<string, string> = {}): Pod {
  return {
    metadata: { name: 'foo', annotations: prefixed(annotations) },
    spec: {
      containers: [
        { name: 'foobar', volumeMounts: [{ name: 'foobar', mountPath: 'serviceaccount/somewhere' }] },
        {
          name: 'aws-iam-token',
          volumeMounts: [{ name: 'aws-iam-token', mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount' }],
        },
      ],
    },
  };
}

/** basicSpec: init container `web-init` and container `web`, no volumes. */
export function basicSpecPod(annotations: Record<string, string> = {}): Pod {
  return {
    metadata: { name: 'web', annotations: prefixed(annotations) },
    spec: {
      initContainers: [{ name: 'web-init', volumeMounts: [{ name: 'foobar', mountPath: 'serviceaccount/somewhere' }] }],
      containers: [{ name: 'web', volumeMounts: [{ name: 'foobar', mountPath: 'serviceaccount/somewhere' }] }],
    },
  };
}

/** Annotations are written without the `vault.hashicorp.com/` prefix in tests; other keys keep theirs. */
export function prefixed(a: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k.includes('/') ? k : `vault.hashicorp.com/${k}`, v]));
}
