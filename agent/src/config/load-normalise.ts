/**
 * Raw configuration (JSON, or HCL converted to JSON) → AgentConfig, as Vault Agent reads it (spec §2.1–2.10):
 * one file at a time into a partial config (unknown keys rejected, values typed), partials merged in order as
 * Vault merges `-config` files, then defaults, environment overrides and the cross-field checks applied once.
 * Pure: the caller passes the parsed objects and the environment.
 */
import type { Level, LogFormat } from '../../../cli/log.js';
import { AgentConfigError } from './load-errors.js';
import {
  type AgentConfig,
  type AgentTemplate,
  type ApiProxyConfig,
  AUTH_METHOD_TYPES,
  type AuthMethod,
  type AuthMethodType,
  type AutoAuthConfig,
  type CacheConfigBlock,
  CLIENT_KINDS,
  type ClientKind,
  type FileSinkConfig,
  type ListenerSpec,
  type LogRotate,
  type TelemetryConfig,
  type TemplateConfigBlock,
  type TemplateLanguage,
  type TemplateWait,
  type UseAutoAuthToken,
  type VaultBlock,
} from './load-types.js';
import {
  checkKeys,
  child,
  describe,
  fail,
  isObject,
  type Place,
  type RawObject,
  readBlock,
  readBlockList,
  readBool,
  readDuration,
  readEnum,
  readInt,
  readMode,
  readNonEmpty,
  readNumber,
  readString,
  readStringList,
} from './load-values.js';

export const DEFAULT_KUBERNETES_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const DEFAULT_SINK_MODE = 0o640;
export const DEFAULT_TEMPLATE_PERMS = 0o644;
export const DEFAULT_LISTENER_ADDRESS = '127.0.0.1:8200';

const DEFAULTS = Object.freeze({
  minBackoffMs: 1_000,
  maxBackoffMs: 300_000,
  numRetries: 12,
  commandTimeoutMs: 30_000,
  staticSecretRenderIntervalMs: 300_000,
  maxConnectionsPerHost: 10,
  leaseRenewalThreshold: 0.9,
});

const TOP_KEYS = [
  'vault',
  'auto_auth',
  'template',
  'template_config',
  'cache',
  'api_proxy',
  'listener',
  'exit_after_auth',
  'pid_file',
  'telemetry',
  'disable_idle_connections',
  'disable_keep_alives',
  'exec',
  'env_template',
  'log_level',
  'log_format',
  'log_file',
  'log_rotate_bytes',
  'log_rotate_duration',
  'log_rotate_max_files',
] as const;
const VAULT_KEYS = [
  'address',
  'ca_cert',
  'ca_path',
  'client_cert',
  'client_key',
  'tls_skip_verify',
  'tls_server_name',
  'namespace',
  'retry',
] as const;
const AUTO_AUTH_KEYS = ['method', 'sink', 'enable_reauth_on_new_credentials'] as const;
const METHOD_KEYS = [
  'type',
  'mount_path',
  'namespace',
  'wrap_ttl',
  'min_backoff',
  'max_backoff',
  'exit_on_err',
  'config',
] as const;
const SINK_KEYS = ['type', 'wrap_ttl', 'dh_type', 'dh_path', 'derive_key', 'aad', 'aad_env_var', 'config'] as const;
const SINK_CONFIG_KEYS = ['path', 'mode', 'owner', 'group'] as const;
const TEMPLATE_KEYS = [
  'source',
  'contents',
  'destination',
  'create_dest_dirs',
  'perms',
  'user',
  'group',
  'uid',
  'gid',
  'backup',
  'command',
  'command_timeout',
  'exec',
  'error_on_missing_key',
  'error_fatal',
  'left_delimiter',
  'right_delimiter',
  'wait',
  'sandbox_path',
  'function_denylist',
  'function_blacklist',
  'engine',
  'language',
] as const;
const TEMPLATE_CONFIG_KEYS = [
  'exit_on_retry_failure',
  'static_secret_render_interval',
  'max_connections_per_host',
  'lease_renewal_threshold',
] as const;
const CACHE_KEYS = ['use_auto_auth_token', 'persist', 'enforce_consistency', 'when_inconsistent'] as const;
const PERSIST_KEYS = ['type', 'path', 'keep_after_import', 'exit_on_err', 'service_account_token_file'] as const;
const API_PROXY_KEYS = ['use_auto_auth_token', 'enforce_consistency', 'when_inconsistent'] as const;
const LISTENER_KEYS = [
  'type',
  'address',
  'tls_disable',
  'tls_cert_file',
  'tls_key_file',
  'require_request_header',
  'role',
  'agent_api',
] as const;
/** Vault's telemetry stanza (spec vault-k8s §1.10) plus the three keys the agent itself reads. */
const TELEMETRY_KEYS = [
  'prometheus_retention_time',
  'disable_hostname',
  'metrics_prefix',
  'usage_gauge_period',
  'maximum_gauge_cardinality',
  'enable_hostname_label',
  'lease_metrics_epsilon',
  'num_lease_metrics_buckets',
  'add_lease_metrics_namespace_labels',
  'filter_default',
  'prefix_filter',
  'statsite_address',
  'statsd_address',
  'circonus_api_token',
  'circonus_api_app',
  'circonus_api_url',
  'circonus_submission_interval',
  'circonus_submission_url',
  'circonus_check_id',
  'circonus_check_force_metric_activation',
  'circonus_check_instance_id',
  'circonus_check_search_tag',
  'circonus_check_display_name',
  'circonus_check_tags',
  'circonus_broker_id',
  'circonus_broker_select_tag',
  'dogstatsd_addr',
  'dogstatsd_tags',
  'stackdriver_project_id',
  'stackdriver_location',
  'stackdriver_namespace',
  'stackdriver_debug_logs',
] as const;

/** One file's contribution; sections it does not mention stay undefined so that merging can tell. */
export interface PartialAgentConfig {
  readonly source: string;
  readonly vault?: VaultBlock;
  readonly autoAuth?: AutoAuthConfig;
  readonly exitAfterAuth?: boolean;
  readonly pidFile?: string;
  readonly templates: readonly AgentTemplate[];
  readonly templateConfig?: TemplateConfigBlock;
  readonly cache?: CacheConfigBlock;
  readonly apiProxy?: ApiProxyConfig;
  readonly listeners: readonly ListenerSpec[];
  readonly telemetry?: TelemetryConfig;
  readonly disableIdleConnections?: ReadonlySet<ClientKind>;
  readonly disableKeepAlives?: ReadonlySet<ClientKind>;
  readonly logLevel?: Level;
  readonly logFormat?: LogFormat;
  readonly logFile?: string;
  readonly logRotate?: LogRotate;
}

/** One parsed file (or VAULT_CONFIG) → its typed partial config. `source` names it in errors. */
export function normaliseFile(raw: unknown, source: string): PartialAgentConfig {
  const root: Place = { key: '', source };
  if (!isObject(raw)) fail('CONFIG_BAD_TYPE', root, `the configuration must be an object, got ${describe(raw)}`);
  checkKeys(raw, TOP_KEYS, root);
  for (const unsupported of ['exec', 'env_template'] as const) {
    if (raw[unsupported] !== undefined) {
      fail(
        'CONFIG_UNSUPPORTED',
        child(root, unsupported),
        `${unsupported}: process supervisor mode (exec/env_template) is not supported by this agent; use template blocks`,
      );
    }
  }
  const at = (name: string) => child(root, name);
  const vault = readBlock(raw.vault, at('vault'));
  const autoAuth = readBlock(raw.auto_auth, at('auto_auth'));
  const templateConfig = readBlock(raw.template_config, at('template_config'));
  const cache = readBlock(raw.cache, at('cache'));
  const apiProxy = readBlock(raw.api_proxy, at('api_proxy'));
  const telemetry = readBlock(raw.telemetry, at('telemetry'));
  const logLevel = readNonEmpty(raw.log_level, at('log_level'));
  const logFormat = readNonEmpty(raw.log_format, at('log_format'));
  const logFile = readNonEmpty(raw.log_file, at('log_file'));
  const idle = readStringList(raw.disable_idle_connections, at('disable_idle_connections'));
  const keepAlives = readStringList(raw.disable_keep_alives, at('disable_keep_alives'));
  return {
    source,
    vault: vault && normaliseVault(vault, at('vault')),
    autoAuth: autoAuth && normaliseAutoAuth(autoAuth, at('auto_auth')),
    exitAfterAuth: readBool(raw.exit_after_auth, at('exit_after_auth')),
    pidFile: readNonEmpty(raw.pid_file, at('pid_file')),
    templates: readBlockList(raw.template, at('template')).map((t, i) =>
      normaliseTemplate(t, child(at('template'), i)),
    ),
    templateConfig: templateConfig && normaliseTemplateConfig(templateConfig, at('template_config')),
    cache: cache && normaliseCache(cache, at('cache')),
    apiProxy: apiProxy && normaliseApiProxy(apiProxy, at('api_proxy')),
    listeners: readLabelled(raw.listener, LISTENER_KEYS, at('listener')).map(([type, body], i) =>
      normaliseListener(type, body, child(at('listener'), i)),
    ),
    telemetry: telemetry && normaliseTelemetry(telemetry, at('telemetry')),
    disableIdleConnections: idle && clientKinds(idle, at('disable_idle_connections')),
    disableKeepAlives: keepAlives && clientKinds(keepAlives, at('disable_keep_alives')),
    logLevel: logLevel === undefined ? undefined : parseLogLevel(logLevel, at('log_level')),
    logFormat: logFormat === undefined ? undefined : parseLogFormat(logFormat, at('log_format')),
    logFile,
    logRotate: readLogRotate(raw, root),
  };
}

function readLogRotate(raw: RawObject, root: Place): LogRotate | undefined {
  const bytes = readInt(raw.log_rotate_bytes, child(root, 'log_rotate_bytes'));
  const durationMs = readDuration(raw.log_rotate_duration, child(root, 'log_rotate_duration'));
  const maxFiles = readInt(raw.log_rotate_max_files, child(root, 'log_rotate_max_files'));
  if (bytes === undefined && durationMs === undefined && maxFiles === undefined) return undefined;
  return { bytes, durationMs, maxFiles };
}

/**
 * Blocks with a label (`method "kubernetes" {}`, `sink "file" {}`, `listener "tcp" {}`) in every spelling:
 * JSON `{"type":"x",…}` or a list of those; hcl2json's `{"x":[{…}]}`; or a list of such label maps.
 * Returns [label, body] pairs, body without `type`.
 */
function readLabelled(value: unknown, fields: readonly string[], p: Place): Array<[string | undefined, RawObject]> {
  const out: Array<[string | undefined, RawObject]> = [];
  const isBody = (o: RawObject) => Object.keys(o).length === 0 || Object.keys(o).some((k) => fields.includes(k));
  const take = (o: RawObject, itemPlace: Place) => {
    if (isBody(o)) {
      const { type, ...body } = o;
      out.push([type === undefined ? undefined : readString(type, child(itemPlace, 'type')), body]);
      return;
    }
    for (const [label, bodies] of Object.entries(o)) {
      for (const body of readBlockList(bodies, child(itemPlace, label))) {
        if (body.type !== undefined && body.type !== label) {
          fail(
            'CONFIG_BAD_VALUE',
            child(itemPlace, label),
            `${p.key} "${label}" also sets type = ${describe(body.type)}`,
          );
        }
        const { type: _ignored, ...rest } = body;
        out.push([label, rest]);
      }
    }
  };
  if (value === undefined || value === null) return out;
  if (isObject(value)) take(value, p);
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) take(readBlock(item, child(p, i)) ?? {}, child(p, i));
  } else fail('CONFIG_BAD_TYPE', p, `${p.key}: expected a block or a list of blocks, got ${describe(value)}`);
  return out;
}

function normaliseVault(raw: RawObject, p: Place): VaultBlock {
  checkKeys(raw, VAULT_KEYS, p);
  const retry = readBlock(raw.retry, child(p, 'retry'));
  let numRetries: number = DEFAULTS.numRetries;
  if (retry) {
    checkKeys(retry, ['num_retries'], child(p, 'retry'));
    const n = readInt(retry.num_retries, child(child(p, 'retry'), 'num_retries')) ?? 0;
    if (n < -1) {
      fail(
        'CONFIG_BAD_VALUE',
        child(child(p, 'retry'), 'num_retries'),
        'vault.retry.num_retries: use -1 (no retries), 0 (default 12) or a positive count',
      );
    }
    numRetries = n === 0 ? DEFAULTS.numRetries : n;
  }
  return {
    address: readNonEmpty(raw.address, child(p, 'address')),
    caCert: readNonEmpty(raw.ca_cert, child(p, 'ca_cert')),
    caPath: readNonEmpty(raw.ca_path, child(p, 'ca_path')),
    clientCert: readNonEmpty(raw.client_cert, child(p, 'client_cert')),
    clientKey: readNonEmpty(raw.client_key, child(p, 'client_key')),
    tlsSkipVerify: readBool(raw.tls_skip_verify, child(p, 'tls_skip_verify')),
    tlsServerName: readNonEmpty(raw.tls_server_name, child(p, 'tls_server_name')),
    namespace: readNonEmpty(raw.namespace, child(p, 'namespace')),
    retry: { numRetries },
  };
}

function normaliseAutoAuth(raw: RawObject, p: Place): AutoAuthConfig {
  checkKeys(raw, AUTO_AUTH_KEYS, p);
  const methods = readLabelled(raw.method, METHOD_KEYS, child(p, 'method'));
  if (methods.length !== 1) {
    fail(
      methods.length === 0 ? 'CONFIG_MISSING' : 'CONFIG_DUPLICATE_BLOCK',
      child(p, 'method'),
      `auto_auth: exactly one "method" block is required, found ${methods.length}`,
    );
  }
  const [[type, body]] = methods as [[string | undefined, RawObject]];
  const method = normaliseMethod(type, body, child(p, 'method'));
  const sinks = readLabelled(raw.sink, SINK_KEYS, child(p, 'sink')).map(([t, b], i) =>
    normaliseSink(t, b, child(child(p, 'sink'), i)),
  );
  if (method.wrapTtlMs !== undefined) {
    if (sinks.length !== 1) {
      fail('CONFIG_INVALID', child(p, 'method.wrap_ttl'), 'auto_auth.method.wrap_ttl requires exactly one sink');
    }
    if (sinks.some((s) => s.wrapTtlMs !== undefined)) {
      fail(
        'CONFIG_INVALID',
        child(p, 'method.wrap_ttl'),
        'auto_auth: wrap_ttl may be set on the method or on the sink, not both',
      );
    }
  }
  return {
    method,
    sinks,
    enableReauthOnNewCredentials:
      readBool(raw.enable_reauth_on_new_credentials, child(p, 'enable_reauth_on_new_credentials')) ?? false,
  };
}

function normaliseMethod(type: string | undefined, raw: RawObject, p: Place): AuthMethod {
  checkKeys(
    raw,
    METHOD_KEYS.filter((k) => k !== 'type'),
    p,
  );
  if (type === undefined || type === '') fail('CONFIG_MISSING', child(p, 'type'), 'auto_auth.method.type is required');
  const methodType = readEnum<AuthMethodType>(type, AUTH_METHOD_TYPES, child(p, 'type')) as AuthMethodType;
  const mountPath = (readNonEmpty(raw.mount_path, child(p, 'mount_path')) ?? `auth/${methodType}`).replace(/\/+$/, '');
  const minBackoffMs = readDuration(raw.min_backoff, child(p, 'min_backoff')) || DEFAULTS.minBackoffMs;
  const maxBackoffMs = readDuration(raw.max_backoff, child(p, 'max_backoff')) || DEFAULTS.maxBackoffMs;
  if (minBackoffMs > maxBackoffMs) {
    fail(
      'CONFIG_BAD_VALUE',
      child(p, 'min_backoff'),
      'auto_auth.method.min_backoff must not be greater than max_backoff',
    );
  }
  const config = readConfigMap(raw.config, child(p, 'config'));
  const cfg = child(p, 'config');
  const required = (key: string): string => {
    const v = config.get(key);
    if (v === undefined || v === '') {
      fail(
        'CONFIG_MISSING',
        child(cfg, key),
        `auto_auth.method.config.${key} is required for the ${methodType} method`,
      );
    }
    return v;
  };
  const flag = (key: string, fallback: boolean) => readBool(config.get(key), child(cfg, key)) ?? fallback;
  const base = {
    type: methodType,
    mountPath,
    namespace: readNonEmpty(raw.namespace, child(p, 'namespace')),
    wrapTtlMs: readDuration(raw.wrap_ttl, child(p, 'wrap_ttl')) || undefined,
    minBackoffMs,
    maxBackoffMs,
    exitOnErr: readBool(raw.exit_on_err, child(p, 'exit_on_err')) ?? false,
    config,
  };
  switch (methodType) {
    case 'kubernetes':
      return {
        ...base,
        kubernetes: { role: required('role'), tokenPath: config.get('token_path') || DEFAULT_KUBERNETES_TOKEN_PATH },
      };
    case 'approle':
      return {
        ...base,
        approle: {
          roleIdFilePath: required('role_id_file_path'),
          secretIdFilePath: config.get('secret_id_file_path') || undefined,
          removeSecretIdFileAfterReading: flag('remove_secret_id_file_after_reading', true),
        },
      };
    case 'jwt':
      return {
        ...base,
        jwt: {
          role: required('role'),
          path: required('path'),
          removeJwtAfterReading: flag('remove_jwt_after_reading', true),
        },
      };
  }
}

/** A method's `config`: an HCL attribute (`config = {}`) or block (`config {}`), values kept as text. */
function readConfigMap(value: unknown, p: Place): Map<string, string> {
  const block = readBlock(value, p) ?? {};
  const out = new Map<string, string>();
  for (const key of Object.keys(block).sort()) {
    const v = block[key];
    if (typeof v === 'string') out.set(key, v);
    else if (typeof v === 'number' || typeof v === 'boolean') out.set(key, String(v));
    else fail('CONFIG_BAD_TYPE', child(p, key), `${p.key}.${key}: expected a string, got ${describe(v)}`);
  }
  return out;
}

function normaliseSink(type: string | undefined, raw: RawObject, p: Place): FileSinkConfig {
  checkKeys(
    raw,
    SINK_KEYS.filter((k) => k !== 'type'),
    p,
  );
  if (type === undefined || type === '')
    fail('CONFIG_MISSING', child(p, 'type'), `${p.key}.type is required; use "file"`);
  readEnum(type, ['file'] as const, child(p, 'type'));
  const config = readBlock(raw.config, child(p, 'config')) ?? {};
  const cp = child(p, 'config');
  checkKeys(config, SINK_CONFIG_KEYS, cp);
  const path = readNonEmpty(config.path, child(cp, 'path'));
  if (path === undefined) fail('CONFIG_MISSING', child(cp, 'path'), `${p.key}.config.path is required for a file sink`);
  const dhType = readNonEmpty(raw.dh_type, child(p, 'dh_type'));
  const dhPath = readNonEmpty(raw.dh_path, child(p, 'dh_path'));
  if (dhType !== undefined) readEnum(dhType, ['curve25519'] as const, child(p, 'dh_type'));
  if ((dhType === undefined) !== (dhPath === undefined)) {
    fail('CONFIG_INVALID', child(p, 'dh_type'), `${p.key}: dh_type and dh_path must be set together`);
  }
  return {
    type: 'file',
    path,
    mode: readMode(config.mode, child(cp, 'mode')) ?? DEFAULT_SINK_MODE,
    owner: readInt(config.owner, child(cp, 'owner')),
    group: readInt(config.group, child(cp, 'group')),
    wrapTtlMs: readDuration(raw.wrap_ttl, child(p, 'wrap_ttl')) || undefined,
    dhType: dhType as 'curve25519' | undefined,
    dhPath,
    deriveKey: readBool(raw.derive_key, child(p, 'derive_key')) ?? false,
    aad: readNonEmpty(raw.aad, child(p, 'aad')),
    aadEnvVar: readNonEmpty(raw.aad_env_var, child(p, 'aad_env_var')),
  };
}

function normaliseTemplate(raw: RawObject, p: Place): AgentTemplate {
  checkKeys(raw, TEMPLATE_KEYS, p);
  const at = (k: string) => child(p, k);
  const destination = readNonEmpty(raw.destination, at('destination'));
  if (destination === undefined) fail('CONFIG_MISSING', at('destination'), `${p.key}.destination is required`);
  const source = readNonEmpty(raw.source, at('source'));
  const contents = readNonEmpty(raw.contents, at('contents'));
  if (source !== undefined && contents !== undefined) {
    fail('CONFIG_INVALID', at('contents'), `${p.key}: set either source or contents, not both`);
  }
  if (source === undefined && contents === undefined) {
    fail('CONFIG_MISSING', at('contents'), `${p.key}: one of source or contents is required`);
  }
  const exec = readBlock(raw.exec, at('exec'));
  let command = readStringList(raw.command, at('command')) ?? [];
  let commandTimeoutMs = readDuration(raw.command_timeout, at('command_timeout'));
  if (exec) {
    checkKeys(exec, ['command', 'timeout'], at('exec'));
    command = readStringList(exec.command, child(at('exec'), 'command')) ?? command;
    commandTimeoutMs = readDuration(exec.timeout, child(at('exec'), 'timeout')) ?? commandTimeoutMs;
  }
  const perms = readMode(raw.perms, at('perms'));
  const user = readNonEmpty(raw.user, at('user')) ?? readNonEmpty(raw.uid, at('uid'));
  const group = readNonEmpty(raw.group, at('group')) ?? readNonEmpty(raw.gid, at('gid'));
  const denylist =
    readStringList(raw.function_denylist, at('function_denylist')) ??
    readStringList(raw.function_blacklist, at('function_blacklist')) ??
    [];
  const engine = raw.engine ?? raw.language;
  const language =
    readEnum<TemplateLanguage>(engine, ['go', 'handlebars'], at(raw.engine !== undefined ? 'engine' : 'language')) ??
    'go';
  return {
    source,
    contents,
    destination,
    createDestDirs: readBool(raw.create_dest_dirs, at('create_dest_dirs')) ?? true,
    perms: perms || DEFAULT_TEMPLATE_PERMS,
    permsSet: perms !== undefined && perms !== 0,
    user,
    group,
    backup: readBool(raw.backup, at('backup')) ?? false,
    command: command.filter((c) => c !== ''),
    commandTimeoutMs: commandTimeoutMs || DEFAULTS.commandTimeoutMs,
    errorOnMissingKey: readBool(raw.error_on_missing_key, at('error_on_missing_key')) ?? false,
    errorFatal: readBool(raw.error_fatal, at('error_fatal')) ?? true,
    leftDelimiter: readNonEmpty(raw.left_delimiter, at('left_delimiter')) ?? '{{',
    rightDelimiter: readNonEmpty(raw.right_delimiter, at('right_delimiter')) ?? '}}',
    wait: readWait(raw.wait, at('wait')),
    sandboxPath: readNonEmpty(raw.sandbox_path, at('sandbox_path')),
    functionDenylist: denylist,
    language,
  };
}

/** consul-template `wait`: `"5s:30s"`, `"5s"` (max = 4 × min) or `{ min, max }`; absent or zero = disabled. */
function readWait(value: unknown, p: Place): TemplateWait | undefined {
  if (value === undefined || value === null) return undefined;
  let minMs: number | undefined;
  let maxMs: number | undefined;
  if (typeof value === 'string') {
    const [min, max, extra] = value.split(':');
    if (extra !== undefined) fail('CONFIG_BAD_VALUE', p, `${p.key}: use "min:max", e.g. "5s:30s"`);
    minMs = readDuration(min, p);
    maxMs = max === undefined ? undefined : readDuration(max, p);
  } else {
    const block = readBlock(value, p) ?? {};
    checkKeys(block, ['min', 'max'], p);
    minMs = readDuration(block.min, child(p, 'min'));
    maxMs = readDuration(block.max, child(p, 'max'));
  }
  if (!minMs) return undefined;
  const max = maxMs || minMs * 4;
  if (max < minMs) fail('CONFIG_BAD_VALUE', p, `${p.key}: max must not be less than min`);
  return { minMs, maxMs: max };
}

function normaliseTemplateConfig(raw: RawObject, p: Place): TemplateConfigBlock {
  checkKeys(raw, TEMPLATE_CONFIG_KEYS, p);
  const threshold = readNumber(raw.lease_renewal_threshold, child(p, 'lease_renewal_threshold'));
  if (threshold !== undefined && (threshold < 0 || threshold > 1)) {
    fail(
      'CONFIG_BAD_VALUE',
      child(p, 'lease_renewal_threshold'),
      'template_config.lease_renewal_threshold must be between 0 and 1',
    );
  }
  const maxConns = readInt(raw.max_connections_per_host, child(p, 'max_connections_per_host'));
  if (maxConns !== undefined && maxConns < 0) {
    fail(
      'CONFIG_BAD_VALUE',
      child(p, 'max_connections_per_host'),
      'template_config.max_connections_per_host must not be negative',
    );
  }
  return {
    exitOnRetryFailure: readBool(raw.exit_on_retry_failure, child(p, 'exit_on_retry_failure')) ?? false,
    staticSecretRenderIntervalMs:
      readDuration(raw.static_secret_render_interval, child(p, 'static_secret_render_interval')) ||
      DEFAULTS.staticSecretRenderIntervalMs,
    maxConnectionsPerHost: maxConns || DEFAULTS.maxConnectionsPerHost,
    leaseRenewalThreshold: threshold || DEFAULTS.leaseRenewalThreshold,
  };
}

/** `use_auto_auth_token`: a bool, a strconv bool string, or "force" (any case), as Vault reads it. */
function readUseAutoAuthToken(value: unknown, p: Place): UseAutoAuthToken | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.toLowerCase() === 'force') return 'force';
  if (typeof value === 'boolean' || typeof value === 'string') {
    try {
      return readBool(value, p);
    } catch {
      // fall through to the message that lists every allowed value
    }
  }
  return fail('CONFIG_BAD_VALUE', p, `${p.key}: ${describe(value)} is not allowed; use true, false or "force"`);
}

function normaliseCache(raw: RawObject, p: Place): CacheConfigBlock {
  checkKeys(raw, CACHE_KEYS, p);
  const persist = readBlock(raw.persist, child(p, 'persist'));
  const pp = child(p, 'persist');
  if (persist) checkKeys(persist, PERSIST_KEYS, pp);
  const persistType = persist && readNonEmpty(persist.type, child(pp, 'type'));
  const persistPath = persist && readNonEmpty(persist.path, child(pp, 'path'));
  if (persist && persistType === undefined)
    fail('CONFIG_MISSING', child(pp, 'type'), 'cache.persist.type is required; use "kubernetes"');
  if (persist && persistPath === undefined) fail('CONFIG_MISSING', child(pp, 'path'), 'cache.persist.path is required');
  return {
    useAutoAuthToken: readUseAutoAuthToken(raw.use_auto_auth_token, child(p, 'use_auto_auth_token')),
    persist: persist && {
      type: persistType as string,
      path: persistPath as string,
      keepAfterImport: readBool(persist.keep_after_import, child(pp, 'keep_after_import')) ?? false,
      exitOnErr: readBool(persist.exit_on_err, child(pp, 'exit_on_err')) ?? false,
      serviceAccountTokenFile: readNonEmpty(
        persist.service_account_token_file,
        child(pp, 'service_account_token_file'),
      ),
    },
  };
}

function normaliseApiProxy(raw: RawObject, p: Place): ApiProxyConfig {
  checkKeys(raw, API_PROXY_KEYS, p);
  return {
    useAutoAuthToken: readUseAutoAuthToken(raw.use_auto_auth_token, child(p, 'use_auto_auth_token')) ?? false,
    enforceConsistency:
      readEnum(raw.enforce_consistency, ['always', 'never'] as const, child(p, 'enforce_consistency')) ?? 'never',
    whenInconsistent:
      readEnum(raw.when_inconsistent, ['fail', 'retry', 'forward'] as const, child(p, 'when_inconsistent')) ?? 'fail',
  };
}

function normaliseListener(type: string | undefined, raw: RawObject, p: Place): ListenerSpec {
  checkKeys(
    raw,
    LISTENER_KEYS.filter((k) => k !== 'type'),
    p,
  );
  if (type === undefined || type === '')
    fail('CONFIG_MISSING', child(p, 'type'), `${p.key}.type is required; use "tcp" or "unix"`);
  const listenerType = readEnum(type, ['tcp', 'unix'] as const, child(p, 'type')) as 'tcp' | 'unix';
  const address = readNonEmpty(raw.address, child(p, 'address'));
  if (listenerType === 'unix' && address === undefined) {
    fail('CONFIG_MISSING', child(p, 'address'), `${p.key}.address (the socket path) is required for a unix listener`);
  }
  const tlsDisable = readBool(raw.tls_disable, child(p, 'tls_disable')) ?? false;
  const tlsCertFile = readNonEmpty(raw.tls_cert_file, child(p, 'tls_cert_file'));
  const tlsKeyFile = readNonEmpty(raw.tls_key_file, child(p, 'tls_key_file'));
  if (!tlsDisable && (tlsCertFile === undefined || tlsKeyFile === undefined)) {
    fail(
      'CONFIG_MISSING',
      child(p, tlsCertFile === undefined ? 'tls_cert_file' : 'tls_key_file'),
      `${p.key}: tls_cert_file and tls_key_file are required unless tls_disable = true`,
    );
  }
  const agentApi = readBlock(raw.agent_api, child(p, 'agent_api'));
  if (agentApi) checkKeys(agentApi, ['enable_quit'], child(p, 'agent_api'));
  return {
    type: listenerType,
    address: address ?? DEFAULT_LISTENER_ADDRESS,
    tlsDisable,
    tlsCertFile,
    tlsKeyFile,
    requireRequestHeader: readBool(raw.require_request_header, child(p, 'require_request_header')) ?? false,
    role: readEnum(raw.role, ['default', 'metrics_only'] as const, child(p, 'role')) ?? 'default',
    agentApi: { enableQuit: readBool(agentApi?.enable_quit, child(p, 'agent_api.enable_quit')) ?? false },
  };
}

function normaliseTelemetry(raw: RawObject, p: Place): TelemetryConfig {
  checkKeys(raw, TELEMETRY_KEYS, p);
  const { prometheus_retention_time, disable_hostname, metrics_prefix, ...rest } = raw;
  return {
    prometheusRetentionTimeMs: readDuration(prometheus_retention_time, child(p, 'prometheus_retention_time')) ?? 0,
    disableHostname: readBool(disable_hostname, child(p, 'disable_hostname')) ?? false,
    metricsPrefix: readNonEmpty(metrics_prefix, child(p, 'metrics_prefix')) ?? 'vault',
    other: new Map(
      Object.keys(rest)
        .sort()
        .map((k) => [k, rest[k]]),
    ),
  };
}

const EMPTY_TELEMETRY: TelemetryConfig = Object.freeze({
  prometheusRetentionTimeMs: 0,
  disableHostname: false,
  metricsPrefix: 'vault',
  other: new Map<string, unknown>(),
});

function clientKinds(values: readonly string[], p: Place): Set<ClientKind> {
  return new Set(values.map((v, i) => readEnum<ClientKind>(v.trim(), CLIENT_KINDS, child(p, i)) as ClientKind));
}

const LOG_LEVELS: ReadonlyMap<string, Level> = new Map([
  ['trace', 'trace'],
  ['debug', 'debug'],
  ['info', 'info'],
  ['notice', 'info'],
  ['warn', 'warn'],
  ['warning', 'warn'],
  ['err', 'error'],
  ['error', 'error'],
]);

function parseLogLevel(text: string, p: Place): Level {
  const level = LOG_LEVELS.get(text.trim().toLowerCase());
  if (level === undefined) {
    fail(
      'CONFIG_BAD_VALUE',
      p,
      `${p.key}: ${JSON.stringify(text)} is not a log level; use trace, debug, info, warn or error`,
    );
  }
  return level;
}

function parseLogFormat(text: string, p: Place): LogFormat {
  const format = text.trim().toLowerCase();
  if (format === 'standard' || format === 'json') return format;
  return fail('CONFIG_BAD_VALUE', p, `${p.key}: ${JSON.stringify(text)} is not a log format; use "standard" or "json"`);
}

/** Later files win for single blocks and scalars; templates and listeners add up; exit_after_auth is an OR. */
export function mergePartials(parts: readonly PartialAgentConfig[]): Omit<PartialAgentConfig, 'source'> {
  const last = <K extends keyof PartialAgentConfig>(key: K) =>
    parts.reduce<PartialAgentConfig[K] | undefined>((acc, part) => part[key] ?? acc, undefined);
  const exits = parts.map((part) => part.exitAfterAuth).filter((v) => v !== undefined);
  return {
    vault: last('vault'),
    autoAuth: last('autoAuth'),
    exitAfterAuth: exits.length === 0 ? undefined : exits.some(Boolean),
    pidFile: last('pidFile'),
    templates: parts.flatMap((part) => part.templates),
    templateConfig: last('templateConfig'),
    cache: last('cache'),
    apiProxy: last('apiProxy'),
    listeners: parts.flatMap((part) => part.listeners),
    telemetry: last('telemetry'),
    disableIdleConnections: last('disableIdleConnections'),
    disableKeepAlives: last('disableKeepAlives'),
    logLevel: last('logLevel'),
    logFormat: last('logFormat'),
    logFile: last('logFile'),
    logRotate: last('logRotate'),
  };
}

export interface FinaliseOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Command-line flags, which beat the environment. */
  readonly logLevelFlag?: string;
  readonly logFormatFlag?: string;
}

/** Defaults for absent sections, environment overrides, and Vault's `ValidateConfig` checks (spec §2.1). */
export function finaliseConfig(merged: Omit<PartialAgentConfig, 'source'>, opts: FinaliseOptions): AgentConfig {
  const env = (name: string) => {
    const v = opts.env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const envPlace = (name: string): Place => ({ key: name, source: 'environment' });
  const flagPlace = (name: string): Place => ({ key: name, source: 'command line' });

  const levelText = opts.logLevelFlag ?? env('VAULT_LOG_LEVEL');
  const formatText = opts.logFormatFlag ?? env('VAULT_LOG_FORMAT');
  const levelPlace = opts.logLevelFlag !== undefined ? flagPlace('-log-level') : envPlace('VAULT_LOG_LEVEL');
  const formatPlace = opts.logFormatFlag !== undefined ? flagPlace('-log-format') : envPlace('VAULT_LOG_FORMAT');
  const envKinds = (name: string) => {
    const v = env(name);
    return v === undefined ? undefined : clientKinds(v.split(','), envPlace(name));
  };

  const cache = merged.cache;
  // Vault: a legacy `cache { use_auto_auth_token }` without `api_proxy` stands for an api_proxy block.
  const apiProxy =
    merged.apiProxy ??
    (cache?.useAutoAuthToken !== undefined
      ? {
          useAutoAuthToken: cache.useAutoAuthToken,
          enforceConsistency: 'never' as const,
          whenInconsistent: 'fail' as const,
        }
      : undefined);
  const config: AgentConfig = {
    vault: merged.vault ?? { retry: { numRetries: DEFAULTS.numRetries } },
    autoAuth: merged.autoAuth,
    exitAfterAuth: merged.exitAfterAuth ?? false,
    pidFile: merged.pidFile,
    templates: merged.templates,
    templateConfig: merged.templateConfig ?? {
      exitOnRetryFailure: false,
      staticSecretRenderIntervalMs: DEFAULTS.staticSecretRenderIntervalMs,
      maxConnectionsPerHost: DEFAULTS.maxConnectionsPerHost,
      leaseRenewalThreshold: DEFAULTS.leaseRenewalThreshold,
    },
    cache,
    apiProxy,
    listeners: merged.listeners,
    telemetry: merged.telemetry ?? EMPTY_TELEMETRY,
    disableIdleConnections:
      envKinds('VAULT_AGENT_DISABLE_IDLE_CONNECTIONS') ?? merged.disableIdleConnections ?? new Set(),
    disableKeepAlives: envKinds('VAULT_AGENT_DISABLE_KEEP_ALIVES') ?? merged.disableKeepAlives ?? new Set(),
    logLevel: levelText !== undefined ? parseLogLevel(levelText, levelPlace) : (merged.logLevel ?? 'info'),
    logFormat: formatText !== undefined ? parseLogFormat(formatText, formatPlace) : (merged.logFormat ?? 'standard'),
    logFile: merged.logFile,
    logRotate: merged.logRotate,
  };
  validate(config);
  return config;
}

function validate(c: AgentConfig): void {
  const invalid = (key: string | undefined, message: string): never => {
    throw new AgentConfigError('CONFIG_INVALID', message, key);
  };
  const proxyUsesToken = c.apiProxy !== undefined && c.apiProxy.useAutoAuthToken !== false;
  if (c.autoAuth && c.autoAuth.sinks.length === 0 && c.templates.length === 0 && !proxyUsesToken) {
    invalid(
      'auto_auth',
      'auto_auth requires at least one sink or at least one template or api_proxy.use_auto_auth_token=true',
    );
  }
  if (proxyUsesToken && !c.autoAuth) {
    invalid('api_proxy.use_auto_auth_token', 'api_proxy.use_auto_auth_token is set but there is no auto_auth block');
  }
  if (c.cache && c.listeners.length < 1 && c.templates.length < 1) {
    invalid('cache', 'enabling the cache requires at least 1 template or 1 listener to be defined');
  }
  if (!c.autoAuth && !c.cache && c.listeners.length === 0) {
    invalid(undefined, 'no auto_auth, cache, or listener block found in config');
  }
}
