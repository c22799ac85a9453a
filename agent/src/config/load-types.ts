/**
 * The agent's configuration after loading: every default applied, every duration in milliseconds, names in
 * camelCase. This is what the agent's modules read; the on-disk form (HCL or JSON, Vault's snake_case keys) is
 * described by schema.ts and parsed by load-normalise.ts.
 */
import type { Level, LogFormat } from '../../../cli/log.js';

export type AuthMethodType = 'kubernetes' | 'approle' | 'jwt';
export const AUTH_METHOD_TYPES: readonly AuthMethodType[] = Object.freeze(['kubernetes', 'approle', 'jwt']);

/** The clients Vault lets `disable_idle_connections` / `disable_keep_alives` name. */
export type ClientKind = 'auto-auth' | 'caching' | 'proxying' | 'templating';
export const CLIENT_KINDS: readonly ClientKind[] = Object.freeze(['auto-auth', 'caching', 'proxying', 'templating']);

export type UseAutoAuthToken = false | true | 'force';
export type TemplateLanguage = 'go' | 'handlebars';

export interface VaultBlock {
  /** Unset means "not in the config": the client applies env > config > default `https://127.0.0.1:8200`. */
  readonly address?: string;
  readonly caCert?: string;
  readonly caPath?: string;
  readonly clientCert?: string;
  readonly clientKey?: string;
  readonly tlsSkipVerify?: boolean;
  readonly tlsServerName?: string;
  readonly namespace?: string;
  /** `retry.num_retries`: 12 by default and for 0; -1 means no retries (the value stays -1). */
  readonly retry: { readonly numRetries: number };
}

export interface AuthMethod {
  readonly type: AuthMethodType;
  /** `auth/<type>` by default; trailing `/` trimmed. */
  readonly mountPath: string;
  readonly namespace?: string;
  readonly wrapTtlMs?: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly exitOnErr: boolean;
  /** The method's `config` map, string values as written (numbers and bools turned into their text). */
  readonly config: ReadonlyMap<string, string>;
  /** kubernetes: `token_path` (default the projected SA token path); approle: `role_id_file_path`; jwt: `path`. */
  readonly kubernetes?: { readonly role: string; readonly tokenPath: string };
  readonly approle?: {
    readonly roleIdFilePath: string;
    readonly secretIdFilePath?: string;
    readonly removeSecretIdFileAfterReading: boolean;
  };
  readonly jwt?: { readonly role: string; readonly path: string; readonly removeJwtAfterReading: boolean };
}

export interface FileSinkConfig {
  readonly type: 'file';
  readonly path: string;
  /** 0o640 by default. */
  readonly mode: number;
  readonly owner?: number;
  readonly group?: number;
  readonly wrapTtlMs?: number;
  readonly dhType?: 'curve25519';
  readonly dhPath?: string;
  readonly deriveKey: boolean;
  readonly aad?: string;
  readonly aadEnvVar?: string;
}

export interface AutoAuthConfig {
  readonly method: AuthMethod;
  readonly sinks: readonly FileSinkConfig[];
  readonly enableReauthOnNewCredentials: boolean;
}

export interface TemplateWait {
  readonly minMs: number;
  readonly maxMs: number;
}

export interface AgentTemplate {
  readonly source?: string;
  readonly contents?: string;
  readonly destination: string;
  readonly createDestDirs: boolean;
  /** Effective mode for a new file: the configured one, else 0o644. */
  readonly perms: number;
  /** False when `perms` was not configured: an existing file then keeps its mode. */
  readonly permsSet: boolean;
  readonly user?: string;
  readonly group?: string;
  readonly backup: boolean;
  /** `exec.command` or `command`, as a list; empty when none. One element with spaces runs under `sh -c`. */
  readonly command: readonly string[];
  readonly commandTimeoutMs: number;
  readonly errorOnMissingKey: boolean;
  readonly errorFatal: boolean;
  readonly leftDelimiter: string;
  readonly rightDelimiter: string;
  readonly wait?: TemplateWait;
  readonly sandboxPath?: string;
  readonly functionDenylist: readonly string[];
  /** Our extension: `engine` (or `language`) = "go" (default) | "handlebars". */
  readonly language: TemplateLanguage;
}

export interface TemplateConfigBlock {
  readonly exitOnRetryFailure: boolean;
  readonly staticSecretRenderIntervalMs: number;
  readonly maxConnectionsPerHost: number;
  readonly leaseRenewalThreshold: number;
}

export interface CacheConfigBlock {
  readonly useAutoAuthToken?: UseAutoAuthToken;
  readonly persist?: {
    readonly type: string;
    readonly path: string;
    readonly keepAfterImport: boolean;
    readonly exitOnErr: boolean;
    readonly serviceAccountTokenFile?: string;
  };
}

export interface ApiProxyConfig {
  readonly useAutoAuthToken: UseAutoAuthToken;
  readonly enforceConsistency: 'always' | 'never';
  readonly whenInconsistent: 'fail' | 'retry' | 'forward';
}

export interface ListenerSpec {
  readonly type: 'tcp' | 'unix';
  /** tcp: host:port (default 127.0.0.1:8200); unix: socket path. */
  readonly address: string;
  readonly tlsDisable: boolean;
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  readonly requireRequestHeader: boolean;
  readonly role: 'default' | 'metrics_only';
  readonly agentApi: { readonly enableQuit: boolean };
}

export interface TelemetryConfig {
  readonly prometheusRetentionTimeMs: number;
  readonly disableHostname: boolean;
  readonly metricsPrefix: string;
  /** Every other accepted telemetry key, as written (statsd, dogstatsd, circonus, stackdriver…). */
  readonly other: ReadonlyMap<string, unknown>;
}

export interface AgentConfig {
  readonly vault: VaultBlock;
  readonly autoAuth?: AutoAuthConfig;
  readonly exitAfterAuth: boolean;
  readonly pidFile?: string;
  readonly templates: readonly AgentTemplate[];
  readonly templateConfig: TemplateConfigBlock;
  readonly cache?: CacheConfigBlock;
  /** From `api_proxy`, or synthesised from `cache.use_auto_auth_token` as Vault does. */
  readonly apiProxy?: ApiProxyConfig;
  readonly listeners: readonly ListenerSpec[];
  readonly telemetry: TelemetryConfig;
  readonly disableIdleConnections: ReadonlySet<ClientKind>;
  readonly disableKeepAlives: ReadonlySet<ClientKind>;
  readonly logLevel: Level;
  readonly logFormat: LogFormat;
  readonly logFile?: string;
  /** `log_rotate_bytes` / `log_rotate_duration` / `log_rotate_max_files`, carried for the log writer. */
  readonly logRotate?: LogRotate;
}

export interface LogRotate {
  readonly bytes?: number;
  readonly durationMs?: number;
  readonly maxFiles?: number;
}
