import { posix } from 'node:path';
import type {
  CacheConfig,
  ListenerConfig,
  TemplateConfigEntry,
  VaultConfig,
} from '../../../agent/src/config/schema.js';
import { canonicalJson } from '../../../agent/src/config/schema.js';
import { secretDestination } from './annotations.js';
import { persistentCache, placement } from './placement.js';
import type { AgentSpec, SecretSpec } from './spec.js';

export const TOKEN_SINK_PATH = '/home/vault/.vault-token';
export const PID_FILE = '/home/vault/.pid';
export const CACHE_PATH = '/vault/agent-cache';

/** Drops undefined and empty-string fields so omitted values never reach the JSON. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}

/** The built-in template for a secret with no template of its own (spec §4.3). */
export function defaultTemplate(kind: 'map' | 'json', path: string): string {
  return kind === 'json'
    ? `{{ with secret "${path}" }}{{ .Data | toJSON }}\n{{ end }}`
    : `{{ with secret "${path}" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}`;
}

function templateEntry(spec: AgentSpec, s: SecretSpec): TemplateConfigEntry {
  const contents =
    s.template !== '' ? s.template : s.templateFile === '' ? defaultTemplate(spec.defaultTemplate, s.path) : '';
  return compact({
    destination: secretDestination(s),
    contents,
    left_delimiter: s.leftDelimiter || '{{',
    right_delimiter: s.rightDelimiter || '}}',
    command: s.command,
    source: s.templateFile,
    perms: s.perms,
    error_on_missing_key: s.errorOnMissingKey ? true : undefined,
    // Only ours reads it; Vault Agent refuses unknown template keys, so the default stays unwritten.
    engine: s.engine === 'go' ? undefined : s.engine,
  });
}

function listenerAndCache(spec: AgentSpec, init: boolean): { listener?: ListenerConfig[]; cache?: CacheConfig } {
  const listenerAddress = `127.0.0.1:${spec.cache.listenerPort}`;
  let listener: ListenerConfig[] | undefined;
  let cache: CacheConfig | undefined;
  const persist = persistentCache(spec);
  const sidecarOnlyCache = spec.cache.enable && !placement(spec).init && !init;
  if (persist || sidecarOnlyCache) {
    listener = [{ type: 'tcp', address: listenerAddress, tls_disable: true }];
    cache = compact({
      use_auto_auth_token: spec.cache.useAutoAuthToken,
      persist: persist
        ? compact({
            type: 'kubernetes' as const,
            path: CACHE_PATH,
            exit_on_err: spec.cache.exitOnErr ? true : undefined,
          })
        : undefined,
    });
  }
  if (spec.enableQuit) {
    if (listener?.[0]) listener[0] = { ...listener[0], agent_api: { enable_quit: true } };
    else listener = [{ type: 'tcp', address: listenerAddress, tls_disable: true, agent_api: { enable_quit: true } }];
    cache ??= {};
  }
  return { listener, cache };
}

/** AgentSpec -> the Vault Agent JSON config for the init (`init`) or sidecar container (spec §4). */
export function agentConfig(spec: AgentSpec, init: boolean): VaultConfig {
  const sink: VaultConfig['auto_auth']['sink'] = [{ type: 'file', config: { path: TOKEN_SINK_PATH } }];
  if (spec.injectToken) sink.push({ type: 'file', config: { path: posix.join(spec.secretVolumePath, 'token') } });
  const config = spec.authConfig.size > 0 ? Object.fromEntries(spec.authConfig) : undefined;
  const { listener, cache } = listenerAndCache(spec, init);
  const templates = spec.secrets.map((s) => templateEntry(spec, s));
  return compact({
    auto_auth: {
      method: compact({
        type: spec.authType,
        mount_path: spec.authPath,
        min_backoff: spec.authMinBackoff,
        max_backoff: spec.authMaxBackoff,
        namespace: spec.vaultNamespace,
        config,
        exit_on_err: spec.autoAuthExitOnErr ? true : undefined,
      }),
      sink,
    },
    exit_after_auth: init,
    pid_file: PID_FILE,
    vault: {
      address: spec.address,
      ...compact({
        ca_cert: spec.caCert,
        ca_path: spec.caKey,
        tls_skip_verify: spec.tlsSkipVerify ? true : undefined,
        client_cert: spec.clientCert,
        client_key: spec.clientKey,
        tls_server_name: spec.tlsServerName,
      }),
    },
    template: templates.length > 0 ? templates : undefined,
    listener,
    cache,
    template_config: compact({
      exit_on_retry_failure: spec.templateConfig.exitOnRetryFailure,
      static_secret_render_interval: spec.templateConfig.staticSecretRenderInterval,
      max_connections_per_host: spec.templateConfig.maxConnectionsPerHost || undefined,
      lease_renewal_threshold: spec.templateConfig.leaseRenewalThreshold || undefined,
    }),
    disable_idle_connections: spec.disableIdleConnections.length > 0 ? [...spec.disableIdleConnections] : undefined,
    disable_keep_alives: spec.disableKeepAlives.length > 0 ? [...spec.disableKeepAlives] : undefined,
    telemetry: spec.telemetry ? { ...spec.telemetry } : undefined,
  });
}

/** The `VAULT_CONFIG` env value: base64 (standard, padded) of the canonical JSON. */
export function encodedAgentConfig(spec: AgentSpec, init: boolean): string {
  return Buffer.from(canonicalJson(agentConfig(spec, init)), 'utf8').toString('base64');
}
