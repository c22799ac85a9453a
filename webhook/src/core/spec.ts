import type { Operation } from 'fast-json-patch';
import type { EnvVar, VolumeMount } from './pod-types.js';

/** One templated file the agent renders (spec §1.3). Closed: nothing after parsing reads annotations. */
export interface SecretSpec {
  /** The annotation suffix as written; the key of all its sibling annotations. */
  readonly rawName: string;
  /** File name: rawName lower-cased unless preserve-secret-case applies. */
  readonly name: string;
  /** Vault path for the default template ('' for template-only entries). */
  readonly path: string;
  readonly template: string;
  readonly templateFile: string;
  readonly mountPath: string;
  readonly filePathAndName: string;
  readonly perms: string;
  readonly command: string;
  readonly leftDelimiter: string;
  readonly rightDelimiter: string;
  readonly errorOnMissingKey: boolean;
  /** Ours: the template language; anything but `go` needs our own agent image. */
  readonly engine: TemplateEngine;
}

export const TEMPLATE_ENGINES = ['go', 'handlebars'] as const;
export type TemplateEngine = (typeof TEMPLATE_ENGINES)[number];

export interface ServiceAccountTokenSpec {
  readonly volumeName: string;
  readonly mountPath: string;
  readonly tokenPath: string;
}

export interface ResourceSpec {
  readonly limits: Readonly<Record<string, string>>;
  readonly requests: Readonly<Record<string, string>>;
}

/** Everything the mutation needs, parsed and validated from the pod and the injector's settings. */
export interface AgentSpec {
  readonly podName: string;
  readonly requestNamespace: string;
  readonly image: string;
  readonly address: string;
  readonly proxyAddress: string;
  readonly tlsSkipVerify: boolean;
  readonly tlsServerName: string;
  readonly caCert: string;
  /** vault-k8s maps `ca-key` to `ca_path` (spec §1.5 quirk, kept). */
  readonly caKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly clientMaxRetries: string;
  readonly clientTimeout: string;
  readonly vaultCaCertBytes: string;
  readonly authType: string;
  readonly authPath: string;
  readonly role: string;
  /** auth-config-* with dashes turned to underscores, plus token_path and role, sorted by key. */
  readonly authConfig: ReadonlyMap<string, string>;
  readonly authMinBackoff: string;
  readonly authMaxBackoff: string;
  readonly autoAuthExitOnErr: boolean;
  readonly vaultNamespace: string;
  readonly secrets: readonly SecretSpec[];
  readonly defaultTemplate: 'map' | 'json';
  readonly secretVolumePath: string;
  readonly injectToken: boolean;
  readonly prePopulate: boolean;
  readonly prePopulateOnly: boolean;
  readonly initFirst: boolean;
  readonly revokeOnShutdown: boolean;
  readonly revokeGrace: number;
  readonly setSecurityContext: boolean;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly runAsSameUser: boolean;
  /** undefined: the annotation was not given and the pod is left alone. */
  readonly shareProcessNamespace: boolean | undefined;
  readonly resources: ResourceSpec;
  readonly logLevel: string;
  readonly logFormat: string;
  readonly goMaxProcs: string;
  readonly cache: {
    readonly enable: boolean;
    readonly listenerPort: string;
    /** undefined when the annotation was explicitly empty (then omitted from the config). */
    readonly useAutoAuthToken: string | undefined;
    readonly exitOnErr: boolean;
  };
  readonly enableQuit: boolean;
  readonly injectContainers: readonly string[];
  readonly configMap: string;
  readonly extraSecret: string;
  readonly tlsSecret: string;
  readonly copyVolumeMountsFrom: string;
  readonly serviceAccountToken: ServiceAccountTokenSpec;
  /** auth-type aws: the EKS web-identity token mount found in the app containers, if any (spec §3.6). */
  readonly awsIamTokenMount: VolumeMount | undefined;
  readonly awsEnv: readonly EnvVar[];
  readonly templateConfig: {
    readonly exitOnRetryFailure: boolean;
    readonly staticSecretRenderInterval: string;
    readonly maxConnectionsPerHost: number;
    readonly leaseRenewalThreshold: number;
  };
  readonly disableIdleConnections: readonly string[];
  readonly disableKeepAlives: readonly string[];
  readonly telemetry: Readonly<Record<string, unknown>> | undefined;
  readonly agentJsonPatch: readonly Operation[] | undefined;
  readonly agentInitJsonPatch: readonly Operation[] | undefined;
  /** Ours: vault-agent as a native sidecar (initContainers, restartPolicy Always, startup probe). */
  readonly nativeSidecar: boolean;
}
