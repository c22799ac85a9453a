/**
 * The injector's settings: vault-k8s's `agent-inject` flags and AGENT_INJECT_* environment variables
 * (spec §2), plus our own additions. Built once by `config.ts` (pure: argv + env -> InjectorConfig).
 */
export interface InjectorConfig {
  readonly listen: string; // -listen, ":8080"
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  readonly logFormat: 'standard' | 'json';
  readonly templateConfigExitOnRetryFailure: boolean; // default true
  readonly templateStaticSecretRenderInterval: string; // ""
  readonly templateMaxConnectionsPerHost: number; // env only, 0
  readonly templateLeaseRenewalThreshold: number; // env only, parsed but never applied (vault-k8s quirk)
  readonly tlsAuto: string; // MutatingWebhookConfiguration name, ""
  readonly tlsAutoHosts: readonly string[]; // comma list, no trimming
  readonly tlsCaCertFile: string;
  readonly tlsCertFile: string;
  readonly tlsKeyFile: string;
  readonly vaultImage: string; // default agent image
  readonly vaultAddress: string; // required
  readonly vaultCaCertBytes: string; // decoded PEM or ""
  readonly proxyAddress: string;
  readonly vaultAuthType: string; // "kubernetes"
  readonly vaultAuthPath: string; // "auth/kubernetes"
  readonly vaultNamespace: string;
  readonly revokeOnShutdown: boolean;
  readonly runAsUser: string; // "100"
  readonly runAsGroup: string; // "1000"
  readonly runAsSameUser: boolean;
  readonly setSecurityContext: boolean; // true
  readonly telemetryPath: string;
  readonly useLeaderElector: boolean;
  readonly defaultTemplate: 'map' | 'json';
  readonly cpuRequest: string; // "250m"
  readonly memoryRequest: string; // "64Mi"
  readonly ephemeralStorageRequest: string;
  readonly cpuLimit: string; // "500m"
  readonly memoryLimit: string; // "128Mi"
  readonly ephemeralStorageLimit: string;
  readonly authMinBackoff: string; // Go duration or ""
  readonly authMaxBackoff: string;
  readonly disableIdleConnections: string;
  readonly disableKeepAlives: string;
  readonly tlsMinVersion: 'tls10' | 'tls11' | 'tls12' | 'tls13';
  readonly tlsCipherSuites: readonly string[];
  /** Ours: put vault-agent in initContainers with restartPolicy Always (native sidecar) by default. */
  readonly nativeSidecar: boolean;
  /** Ours: auto-TLS serving certificate lifetime in ms (renewed after two thirds). */
  readonly tlsAutoCertValidityMs: number;
  /** NAMESPACE env: where the injector runs (certs Secret, leader Lease). */
  readonly podNamespace: string;
  /** POD_NAME env. */
  readonly podName: string;
}
