/**
 * Vault Agent's JSON configuration, as the injector generates it (spec §4) and as the agent reads it.
 * Field order here is the order Vault's Go structs serialize in; `canonicalJson` keeps it.
 * This is the only agent module the webhook imports.
 */
export interface FileSink {
  type: 'file';
  config: { path: string };
}

export interface AutoAuthMethod {
  type: string;
  mount_path?: string;
  min_backoff?: string;
  max_backoff?: string;
  namespace?: string;
  config?: Record<string, string>;
  exit_on_err?: boolean;
}

export interface TemplateConfigEntry {
  create_dest_dirs?: boolean;
  destination: string;
  contents?: string;
  left_delimiter?: string;
  right_delimiter?: string;
  command?: string;
  source?: string;
  perms?: string;
  error_on_missing_key?: boolean;
  /** Ours: `handlebars` selects the second template language (absent means Go templates). */
  engine?: 'handlebars';
}

export interface ListenerConfig {
  type: 'tcp';
  address: string;
  tls_disable: boolean;
  agent_api?: { enable_quit: boolean };
}

export interface CacheConfig {
  use_auto_auth_token?: string;
  persist?: { type: 'kubernetes'; path: string; exit_on_err?: boolean };
}

export interface VaultConfig {
  auto_auth: { method: AutoAuthMethod; sink: FileSink[] };
  exit_after_auth: boolean;
  pid_file: string;
  vault: {
    address: string;
    ca_cert?: string;
    ca_path?: string;
    tls_skip_verify?: boolean;
    client_cert?: string;
    client_key?: string;
    tls_server_name?: string;
  };
  template?: TemplateConfigEntry[];
  listener?: ListenerConfig[];
  cache?: CacheConfig;
  template_config: {
    exit_on_retry_failure: boolean;
    static_secret_render_interval?: string;
    max_connections_per_host?: number;
    lease_renewal_threshold?: number;
  };
  disable_idle_connections?: string[];
  disable_keep_alives?: string[];
  telemetry?: Record<string, unknown>;
}

/**
 * JSON as Go's encoding/json writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped, keys in insertion
 * order, undefined fields left out. Byte-identical configs make diffs against vault-k8s meaningful.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}
