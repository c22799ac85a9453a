/** Fixtures of spec §8.0, shared by the conformance tests (not a test file itself). */
import type { InjectorConfig } from '../config-types.js';
import type { Pod } from './pod-types.js';

const BASE: InjectorConfig = {
  listen: ':8080',
  logLevel: 'info',
  logFormat: 'standard',
  templateConfigExitOnRetryFailure: true,
  templateStaticSecretRenderInterval: '',
  templateMaxConnectionsPerHost: 0,
  templateLeaseRenewalThreshold: 0,
  tlsAuto: '',
  tlsAutoHosts: [],
  tlsCaCertFile: '',
  tlsCertFile: '',
  tlsKeyFile: '',
  vaultImage: 'hashicorp/vault:2.0.4',
  vaultAddress: 'http://vault:8200',
  vaultCaCertBytes: '',
  proxyAddress: '',
  vaultAuthType: 'kubernetes',
  vaultAuthPath: 'auth/kubernetes',
  vaultNamespace: '',
  revokeOnShutdown: false,
  runAsUser: '100',
  runAsGroup: '1000',
  runAsSameUser: false,
  setSecurityContext: true,
  telemetryPath: '',
  useLeaderElector: false,
  defaultTemplate: 'map',
  cpuRequest: '250m',
  memoryRequest: '64Mi',
  ephemeralStorageRequest: '',
  cpuLimit: '500m',
  memoryLimit: '128Mi',
  ephemeralStorageLimit: '',
  authMinBackoff: '',
  authMaxBackoff: '',
  disableIdleConnections: '',
  disableKeepAlives: '',
  tlsMinVersion: 'tls12',
  tlsCipherSuites: [],
  nativeSidecar: false,
  tlsAutoCertValidityMs: 365 * 86_400_000,
  podNamespace: 'default',
  podName: '',
};

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
