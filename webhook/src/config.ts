/**
 * The injector's settings from its command line and environment (spec §2), as vault-k8s `agent-inject`
 * reads them: Go `flag` syntax, then AGENT_INJECT_* variables, which override flags when set and non-empty.
 * Pure: argv and env are passed in; main.ts reads them once.
 */
import type { InjectorConfig } from './config-types.js';
import { DEFAULT_AGENT_IMAGE } from './core/annotations.js';
import { parseGoBool, parseGoDuration, parseGoFloat, parseGoInt, parseStrconvBool } from './core/go-parse.js';

export const CONFIG_ERROR_CODES = [
  'CONFIG_HELP_REQUESTED', // -h / -help / --help: print CONFIG_HELP
  'CONFIG_FLAG_SYNTAX', // `---x`, `-=x`
  'CONFIG_FLAG_UNKNOWN',
  'CONFIG_FLAG_VALUE_MISSING', // `-listen` as the last argument
  'CONFIG_BAD_BOOL',
  'CONFIG_BAD_INT',
  'CONFIG_BAD_FLOAT',
  'CONFIG_BAD_DURATION',
  'CONFIG_VAULT_ADDRESS_MISSING',
  'CONFIG_BAD_DEFAULT_TEMPLATE',
  'CONFIG_BAD_LOG_LEVEL',
  'CONFIG_BAD_TLS_VERSION',
  'CONFIG_BAD_CIPHER_SUITE',
] as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

/** A startup error: vault-k8s exits 1 for all of these. `setting` is the flag (`-listen`) or variable name. */
export class InjectorConfigError extends Error {
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    readonly setting?: string,
    readonly value?: string,
  ) {
    super(message);
    this.name = 'InjectorConfigError';
  }
}

type Kind = 'string' | 'bool' | 'int' | 'float';

interface SettingSpec {
  /** Go flag name without the dash; absent for the two settings vault-k8s reads only from the environment. */
  readonly flag?: string;
  readonly env: string;
  /** Bare name envconfig also finds for the `tls_*` settings when the AGENT_INJECT_ form is unset [quirk]. */
  readonly envFallback?: string;
  readonly kind: Kind;
  readonly default: string | boolean | number;
  readonly help: string;
}

const SETTINGS = {
  listen: {
    flag: 'listen',
    env: 'AGENT_INJECT_LISTEN',
    kind: 'string',
    default: ':8080',
    help: 'HTTPS listen address.',
  },
  logLevel: {
    flag: 'log-level',
    env: 'AGENT_INJECT_LOG_LEVEL',
    kind: 'string',
    default: 'info',
    help: 'Log level: trace, debug, info (or notice), warn (or warning), err (or error); case-insensitive.',
  },
  logFormat: {
    flag: 'log-format',
    env: 'AGENT_INJECT_LOG_FORMAT',
    kind: 'string',
    default: 'standard',
    help: 'Log format: "json", anything else means standard.',
  },
  templateConfigExitOnRetryFailure: {
    flag: 'template-config-exit-on-retry-failure',
    env: 'AGENT_INJECT_TEMPLATE_CONFIG_EXIT_ON_RETRY_FAILURE',
    kind: 'bool',
    default: true,
    help: "Default for the agent's template_config.exit_on_retry_failure.",
  },
  templateStaticSecretRenderInterval: {
    flag: 'template-static-secret-render-interval',
    env: 'AGENT_INJECT_TEMPLATE_STATIC_SECRET_RENDER_INTERVAL',
    kind: 'string',
    default: '',
    help: "Default for the agent's template_config.static_secret_render_interval.",
  },
  templateMaxConnectionsPerHost: {
    env: 'AGENT_INJECT_TEMPLATE_MAX_CONNECTIONS_PER_HOST',
    kind: 'int',
    default: 0,
    help: "Default for the agent's template_config.max_connections_per_host.",
  },
  templateLeaseRenewalThreshold: {
    env: 'AGENT_INJECT_TEMPLATE_LEASE_RENEWAL_THRESHOLD',
    kind: 'float',
    default: 0,
    help: 'Validated but not applied to pods, as in vault-k8s.',
  },
  tlsAuto: {
    flag: 'tls-auto',
    env: 'AGENT_INJECT_TLS_AUTO',
    envFallback: 'TLS_AUTO',
    kind: 'string',
    default: '',
    help: 'MutatingWebhookConfiguration whose caBundle is kept up to date.',
  },
  tlsAutoHosts: {
    flag: 'tls-auto-hosts',
    env: 'AGENT_INJECT_TLS_AUTO_HOSTS',
    envFallback: 'TLS_AUTO_HOSTS',
    kind: 'string',
    default: '',
    help: 'Comma-separated host names and IPs for the auto-generated serving certificate.',
  },
  tlsCaCertFile: {
    flag: 'tls-ca-cert-file',
    env: 'AGENT_INJECT_TLS_CA_CERT_FILE',
    envFallback: 'TLS_CA_CERT_FILE',
    kind: 'string',
    default: '',
    help: 'PEM CA certificate to publish as the caBundle in file mode.',
  },
  tlsCertFile: {
    flag: 'tls-cert-file',
    env: 'AGENT_INJECT_TLS_CERT_FILE',
    envFallback: 'TLS_CERT_FILE',
    kind: 'string',
    default: '',
    help: 'PEM serving certificate; empty means generate one.',
  },
  tlsKeyFile: {
    flag: 'tls-key-file',
    env: 'AGENT_INJECT_TLS_KEY_FILE',
    envFallback: 'TLS_KEY_FILE',
    kind: 'string',
    default: '',
    help: 'PEM serving key; empty means generate one.',
  },
  vaultImage: {
    flag: 'vault-image',
    env: 'AGENT_INJECT_VAULT_IMAGE',
    kind: 'string',
    default: DEFAULT_AGENT_IMAGE,
    help: 'Default agent image (ours; hashicorp/vault and openbao/openbao images also work).',
  },
  vaultAddress: {
    flag: 'vault-address',
    env: 'AGENT_INJECT_VAULT_ADDR',
    kind: 'string',
    default: '',
    help: 'Address of the Vault server (required).',
  },
  vaultCaCertBytes: {
    flag: 'vault-cacert-bytes',
    env: 'AGENT_INJECT_VAULT_CACERT_BYTES',
    kind: 'string',
    default: '',
    help: 'CA certificate(s) for Vault as PEM, or base64 of the PEM; given to every agent as VAULT_CACERT_BYTES.',
  },
  proxyAddress: {
    flag: 'proxy-address',
    env: 'AGENT_INJECT_PROXY_ADDR',
    kind: 'string',
    default: '',
    help: 'HTTP proxy the agents use to reach Vault.',
  },
  vaultAuthType: {
    flag: 'vault-auth-type',
    env: 'AGENT_INJECT_VAULT_AUTH_TYPE',
    kind: 'string',
    default: 'kubernetes',
    help: 'Default auth method type.',
  },
  vaultAuthPath: {
    flag: 'vault-auth-path',
    env: 'AGENT_INJECT_VAULT_AUTH_PATH',
    kind: 'string',
    default: 'auth/kubernetes',
    help: 'Default auth method mount path.',
  },
  vaultNamespace: {
    flag: 'vault-namespace',
    env: 'AGENT_INJECT_VAULT_NAMESPACE',
    kind: 'string',
    default: '',
    help: 'Default Vault Enterprise namespace.',
  },
  revokeOnShutdown: {
    flag: 'revoke-on-shutdown',
    env: 'AGENT_INJECT_REVOKE_ON_SHUTDOWN',
    kind: 'bool',
    default: false,
    help: "Revoke the agent's token when the pod stops.",
  },
  runAsUser: {
    flag: 'run-as-user',
    env: 'AGENT_INJECT_RUN_AS_USER',
    kind: 'string',
    default: '100',
    help: 'User id the agent containers run as.',
  },
  runAsGroup: {
    flag: 'run-as-group',
    env: 'AGENT_INJECT_RUN_AS_GROUP',
    kind: 'string',
    default: '1000',
    help: 'Group id the agent containers run as.',
  },
  runAsSameUser: {
    flag: 'run-as-same-user',
    env: 'AGENT_INJECT_RUN_AS_SAME_USER',
    kind: 'bool',
    default: false,
    help: "Run the agent as the user of the pod's first container.",
  },
  setSecurityContext: {
    flag: 'set-security-context',
    env: 'AGENT_INJECT_SET_SECURITY_CONTEXT',
    kind: 'bool',
    default: true,
    help: 'Set a security context on the injected containers.',
  },
  telemetryPath: {
    flag: 'telemetry-path',
    env: 'AGENT_INJECT_TELEMETRY_PATH',
    kind: 'string',
    default: '',
    help: 'Serve Prometheus metrics at this path; empty means no metrics.',
  },
  useLeaderElector: {
    flag: 'use-leader-elector',
    env: 'AGENT_INJECT_USE_LEADER_ELECTOR',
    kind: 'bool',
    default: false,
    help: 'Elect a leader to manage the auto-generated certificate across replicas.',
  },
  defaultTemplate: {
    flag: 'default-template',
    env: 'AGENT_INJECT_DEFAULT_TEMPLATE',
    kind: 'string',
    default: 'map',
    help: 'Default secret template: map or json (case-sensitive).',
  },
  cpuRequest: {
    flag: 'cpu-request',
    env: 'AGENT_INJECT_CPU_REQUEST',
    kind: 'string',
    default: '250m',
    help: 'CPU request of the injected containers.',
  },
  memoryRequest: {
    flag: 'memory-request',
    env: 'AGENT_INJECT_MEM_REQUEST',
    kind: 'string',
    default: '64Mi',
    help: 'Memory request of the injected containers.',
  },
  ephemeralStorageRequest: {
    flag: 'ephemeral-storage-request',
    env: 'AGENT_INJECT_EPHEMERAL_REQUEST',
    kind: 'string',
    default: '',
    help: 'Ephemeral storage request of the injected containers; empty means none.',
  },
  cpuLimit: {
    flag: 'cpu-limit',
    env: 'AGENT_INJECT_CPU_LIMIT',
    kind: 'string',
    default: '500m',
    help: 'CPU limit of the injected containers.',
  },
  memoryLimit: {
    flag: 'memory-limit',
    env: 'AGENT_INJECT_MEM_LIMIT',
    kind: 'string',
    default: '128Mi',
    help: 'Memory limit of the injected containers.',
  },
  ephemeralStorageLimit: {
    flag: 'ephemeral-storage-limit',
    env: 'AGENT_INJECT_EPHEMERAL_LIMIT',
    kind: 'string',
    default: '',
    help: 'Ephemeral storage limit of the injected containers; empty means none.',
  },
  authMinBackoff: {
    flag: 'auth-min-backoff',
    env: 'AGENT_INJECT_AUTH_MIN_BACKOFF',
    kind: 'string',
    default: '',
    help: 'Minimum backoff after a failed agent login (Go duration, e.g. 1s).',
  },
  authMaxBackoff: {
    flag: 'auth-max-backoff',
    env: 'AGENT_INJECT_AUTH_MAX_BACKOFF',
    kind: 'string',
    default: '',
    help: 'Maximum backoff after a failed agent login (Go duration, e.g. 5m).',
  },
  disableIdleConnections: {
    flag: 'disable-idle-connections',
    env: 'AGENT_INJECT_DISABLE_IDLE_CONNECTIONS',
    kind: 'string',
    default: '',
    help: 'Agent features without idle connections: comma list of auto-auth, caching, templating.',
  },
  disableKeepAlives: {
    flag: 'disable-keep-alives',
    env: 'AGENT_INJECT_DISABLE_KEEP_ALIVES',
    kind: 'string',
    default: '',
    help: 'Agent features without keep-alives: comma list of auto-auth, caching, templating.',
  },
  tlsMinVersion: {
    flag: 'tls-min-version',
    env: 'AGENT_INJECT_TLS_MIN_VERSION',
    envFallback: 'TLS_MIN_VERSION',
    kind: 'string',
    default: 'tls12',
    help: 'Minimum TLS version served: tls10, tls11, tls12 or tls13.',
  },
  tlsCipherSuites: {
    flag: 'tls-cipher-suites',
    env: 'AGENT_INJECT_TLS_CIPHER_SUITES',
    envFallback: 'TLS_CIPHER_SUITES',
    kind: 'string',
    default: '',
    help: 'Comma-separated Go cipher suite names for TLS 1.0-1.2; empty means Go defaults.',
  },
  tlsAutoCertValidity: {
    flag: 'tls-auto-cert-validity',
    env: 'AGENT_INJECT_TLS_AUTO_CERT_VALIDITY',
    kind: 'string',
    default: '8760h',
    help: 'Auto TLS: lifetime of the serving certificate (Go duration); renewed after two thirds of it with the same CA. Not in vault-k8s (24h there).',
  },
  nativeSidecar: {
    flag: 'native-sidecar',
    env: 'AGENT_INJECT_NATIVE_SIDECAR',
    kind: 'bool',
    default: false,
    help: 'Inject vault-agent as a native sidecar (init container with restartPolicy Always). Not in vault-k8s.',
  },
} as const satisfies Record<string, SettingSpec>;

type SettingName = keyof typeof SETTINGS;
const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
const SETTING_BY_FLAG: ReadonlyMap<string, SettingName> = new Map(
  SETTING_NAMES.flatMap((name) => {
    const spec: SettingSpec = SETTINGS[name];
    return spec.flag === undefined ? [] : [[spec.flag, name] as const];
  }),
);

const GO_BOOL_SPELLINGS = '1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False';
const LOG_LEVELS: ReadonlyMap<string, InjectorConfig['logLevel']> = new Map([
  ['trace', 'trace'],
  ['debug', 'debug'],
  ['notice', 'info'],
  ['info', 'info'],
  ['', 'info'],
  ['warn', 'warn'],
  ['warning', 'warn'],
  ['err', 'error'],
  ['error', 'error'],
]);
const TLS_VERSIONS = ['tls10', 'tls11', 'tls12', 'tls13'] as const;
/** The names go-secure-stdlib tlsutil.ParseCiphers (v0.1.3) accepts, which is what vault-k8s uses. */
export const TLS_CIPHER_SUITE_NAMES: readonly string[] = Object.freeze([
  'TLS_RSA_WITH_RC4_128_SHA',
  'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_RC4_128_SHA',
  'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
]);
const DURATION_EXAMPLE = 'a Go duration: numbers with units ns, us, ms, s, m, h, e.g. 500ms, 5s, 1m30s';

/** A setting's value and who set it, for error messages. */
interface Resolved {
  readonly value: string | boolean;
  /** `-flag`, the environment variable's name, or `the default`. */
  readonly source: string;
  readonly fromEnv: boolean;
}

/** Builds the injector's settings from its arguments (after the sub-command name) and environment. */
export function loadInjectorConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): InjectorConfig {
  const flags = parseFlags(argv);
  const raw = (name: SettingName): Resolved => resolve(name, flags, env);

  // The order of the checks is vault-k8s's, so the first error reported is the same.
  const templateConfigExitOnRetryFailure = boolSetting(raw('templateConfigExitOnRetryFailure'));
  const templateMaxConnectionsPerHost = intSetting(raw('templateMaxConnectionsPerHost'));
  const templateLeaseRenewalThreshold = floatSetting(raw('templateLeaseRenewalThreshold'));
  const revokeOnShutdown = boolSetting(raw('revokeOnShutdown'));
  const runAsSameUser = boolSetting(raw('runAsSameUser'));
  const setSecurityContext = boolSetting(raw('setSecurityContext'));
  const useLeaderElector = boolSetting(raw('useLeaderElector'));
  const nativeSidecar = boolSetting(raw('nativeSidecar'));
  const tlsAutoCertValidity = durationSetting(raw('tlsAutoCertValidity'));
  const tlsAutoCertValidityMs = Number((parseGoDuration(tlsAutoCertValidity) ?? 0n) / 1_000_000n);
  if (tlsAutoCertValidityMs < 1000) {
    throw new InjectorConfigError(
      'CONFIG_BAD_DURATION',
      `invalid value ${JSON.stringify(tlsAutoCertValidity)} for -tls-auto-cert-validity: must be at least 1s`,
      '-tls-auto-cert-validity',
      tlsAutoCertValidity,
    );
  }
  const authMinBackoff = durationSetting(raw('authMinBackoff'));
  const authMaxBackoff = durationSetting(raw('authMaxBackoff'));

  const vaultAddress = str(raw('vaultAddress'));
  if (vaultAddress === '') {
    throw new InjectorConfigError(
      'CONFIG_VAULT_ADDRESS_MISSING',
      'No Vault service configured (set -vault-address or AGENT_INJECT_VAULT_ADDR to the Vault server address, ' +
        'e.g. https://vault.vault.svc:8200)',
      '-vault-address',
    );
  }
  const defaultTemplate = defaultTemplateSetting(raw('defaultTemplate'));
  const logLevel = logLevelSetting(raw('logLevel'));
  const { tlsMinVersion, tlsCipherSuites } = tlsSettings(raw('tlsMinVersion'), raw('tlsCipherSuites'));

  return {
    listen: str(raw('listen')),
    logLevel,
    logFormat: str(raw('logFormat')) === 'json' ? 'json' : 'standard',
    templateConfigExitOnRetryFailure,
    templateStaticSecretRenderInterval: str(raw('templateStaticSecretRenderInterval')),
    templateMaxConnectionsPerHost,
    templateLeaseRenewalThreshold,
    tlsAuto: str(raw('tlsAuto')),
    tlsAutoHosts: splitHosts(str(raw('tlsAutoHosts'))),
    tlsCaCertFile: str(raw('tlsCaCertFile')),
    tlsCertFile: str(raw('tlsCertFile')),
    tlsKeyFile: str(raw('tlsKeyFile')),
    vaultImage: str(raw('vaultImage')),
    vaultAddress,
    vaultCaCertBytes: decodeIfBase64(str(raw('vaultCaCertBytes'))),
    proxyAddress: str(raw('proxyAddress')),
    vaultAuthType: str(raw('vaultAuthType')),
    vaultAuthPath: str(raw('vaultAuthPath')),
    vaultNamespace: str(raw('vaultNamespace')),
    revokeOnShutdown,
    runAsUser: str(raw('runAsUser')),
    runAsGroup: str(raw('runAsGroup')),
    runAsSameUser,
    setSecurityContext,
    telemetryPath: str(raw('telemetryPath')),
    useLeaderElector,
    defaultTemplate,
    cpuRequest: str(raw('cpuRequest')),
    memoryRequest: str(raw('memoryRequest')),
    ephemeralStorageRequest: str(raw('ephemeralStorageRequest')),
    cpuLimit: str(raw('cpuLimit')),
    memoryLimit: str(raw('memoryLimit')),
    ephemeralStorageLimit: str(raw('ephemeralStorageLimit')),
    authMinBackoff,
    authMaxBackoff,
    disableIdleConnections: str(raw('disableIdleConnections')),
    disableKeepAlives: str(raw('disableKeepAlives')),
    tlsMinVersion,
    tlsCipherSuites,
    nativeSidecar,
    tlsAutoCertValidityMs,
    podNamespace: env.NAMESPACE || 'default',
    podName: env.POD_NAME ?? '',
  };
}

/**
 * Go `flag` parsing: `-name=value`, `--name=value`, `-name value`; booleans take no separate value. Parsing
 * stops at the first non-flag argument (the Helm chart passes a literal `2>&1`) or after `--`.
 * Returns the flags given (a repeated flag keeps its last value).
 */
function parseFlags(argv: readonly string[]): Map<SettingName, string | boolean> {
  const given = new Map<SettingName, string | boolean>();
  let index = 0;
  while (index < argv.length) {
    const arg = argv[index] ?? '';
    if (arg.length < 2 || !arg.startsWith('-')) break;
    if (arg === '--') break;
    const body = arg.slice(arg.startsWith('--') ? 2 : 1);
    if (body.startsWith('-') || body.startsWith('=')) {
      throw new InjectorConfigError('CONFIG_FLAG_SYNTAX', `bad flag syntax: ${arg}`, arg);
    }
    index += 1;
    const equals = body.indexOf('=');
    const flag = equals === -1 ? body : body.slice(0, equals);
    const inlineValue = equals === -1 ? undefined : body.slice(equals + 1);
    const name = SETTING_BY_FLAG.get(flag);
    if (name === undefined) {
      if (flag === 'h' || flag === 'help') {
        throw new InjectorConfigError('CONFIG_HELP_REQUESTED', 'flag: help requested', `-${flag}`);
      }
      throw new InjectorConfigError(
        'CONFIG_FLAG_UNKNOWN',
        `flag provided but not defined: -${flag} (run with --help to list the flags)`,
        `-${flag}`,
      );
    }
    if (SETTINGS[name].kind === 'bool') {
      if (inlineValue === undefined) {
        given.set(name, true);
        continue;
      }
      // Go's flag package uses strconv.ParseBool here, so `-name=` is an error, unlike in the environment.
      const parsed = parseStrconvBool(inlineValue);
      if (parsed === undefined) {
        throw new InjectorConfigError(
          'CONFIG_BAD_BOOL',
          `invalid boolean value ${goQuote(inlineValue)} for -${flag} (allowed: ${GO_BOOL_SPELLINGS})`,
          `-${flag}`,
          inlineValue,
        );
      }
      given.set(name, parsed);
      continue;
    }
    let value = inlineValue;
    if (value === undefined) {
      if (index >= argv.length) {
        throw new InjectorConfigError('CONFIG_FLAG_VALUE_MISSING', `flag needs an argument: -${flag}`, `-${flag}`);
      }
      value = argv[index] ?? '';
      index += 1;
    }
    given.set(name, value);
  }
  return given;
}

/** Flag (or default), then the environment variable when it is set and non-empty. */
function resolve(
  name: SettingName,
  flags: ReadonlyMap<SettingName, string | boolean>,
  env: Readonly<Record<string, string | undefined>>,
): Resolved {
  const spec: SettingSpec = SETTINGS[name];
  // envconfig looks at the bare TLS_* name only when the prefixed one is unset, not when it is empty.
  const envName = env[spec.env] === undefined && spec.envFallback !== undefined ? spec.envFallback : spec.env;
  const envValue = env[envName];
  if (envValue !== undefined && envValue !== '') return { value: envValue, source: envName, fromEnv: true };
  const flagValue = flags.get(name);
  if (flagValue !== undefined) return { value: flagValue, source: `-${spec.flag}`, fromEnv: false };
  return {
    value: typeof spec.default === 'number' ? String(spec.default) : spec.default,
    source: 'the default',
    fromEnv: false,
  };
}

function str(setting: Resolved): string {
  return String(setting.value);
}

function invalidValue(code: ConfigErrorCode, kind: string, setting: Resolved, allowed: string): InjectorConfigError {
  const value = String(setting.value);
  const prefix = setting.fromEnv ? 'Error parsing environment variables: ' : '';
  return new InjectorConfigError(
    code,
    `${prefix}invalid ${kind} value ${goQuote(value)} for ${setting.source} (allowed: ${allowed})`,
    setting.source,
    value,
  );
}

function boolSetting(setting: Resolved): boolean {
  if (typeof setting.value === 'boolean') return setting.value;
  const parsed = parseGoBool(setting.value);
  if (parsed === undefined) throw invalidValue('CONFIG_BAD_BOOL', 'boolean', setting, GO_BOOL_SPELLINGS);
  return parsed;
}

function intSetting(setting: Resolved): number {
  const parsed = parseGoInt(str(setting));
  if (parsed === undefined) {
    throw invalidValue('CONFIG_BAD_INT', 'integer', setting, 'decimal digits with an optional sign, at most 2^53-1');
  }
  return parsed;
}

function floatSetting(setting: Resolved): number {
  const parsed = parseGoFloat(str(setting));
  if (parsed === undefined) throw invalidValue('CONFIG_BAD_FLOAT', 'number', setting, 'a number such as 0.75');
  return parsed;
}

/** Kept as text (the agent config carries it as given), but it must parse, as vault-k8s checks at startup. */
function durationSetting(setting: Resolved): string {
  const text = str(setting);
  if (text !== '' && parseGoDuration(text) === undefined) {
    throw invalidValue('CONFIG_BAD_DURATION', 'duration', setting, DURATION_EXAMPLE);
  }
  return text;
}

function defaultTemplateSetting(setting: Resolved): InjectorConfig['defaultTemplate'] {
  const text = str(setting);
  if (text === 'map' || text === 'json') return text;
  throw new InjectorConfigError(
    'CONFIG_BAD_DEFAULT_TEMPLATE',
    `Invalid default flag type: ${text} (from ${setting.source}; allowed: map, json)`,
    setting.source,
    text,
  );
}

function logLevelSetting(setting: Resolved): InjectorConfig['logLevel'] {
  const normalized = str(setting).trim().toLowerCase();
  const level = LOG_LEVELS.get(normalized);
  if (level !== undefined) return level;
  throw new InjectorConfigError(
    'CONFIG_BAD_LOG_LEVEL',
    `Error setting log level: unknown log level: ${normalized} (from ${setting.source}; ` +
      'allowed: trace, debug, info, notice, warn, warning, err, error, in any case)',
    setting.source,
    str(setting),
  );
}

function tlsSettings(
  minVersion: Resolved,
  cipherSuites: Resolved,
): Pick<InjectorConfig, 'tlsMinVersion' | 'tlsCipherSuites'> {
  const version = TLS_VERSIONS.find((v) => v === minVersion.value);
  if (version === undefined) {
    const text = str(minVersion);
    throw new InjectorConfigError(
      'CONFIG_BAD_TLS_VERSION',
      `Failed to configure TLS: invalid or unsupported TLS version ${goQuote(text)} ` +
        `(from ${minVersion.source}; allowed: ${TLS_VERSIONS.join(', ')})`,
      minVersion.source,
      text,
    );
  }
  // tlsutil.ParseCiphers: trim the list and each entry; an empty entry is an unsupported cipher.
  const list = str(cipherSuites);
  const names =
    list.trim() === ''
      ? []
      : list
          .trim()
          .split(',')
          .map((name) => name.trim());
  const unsupported = names.find((name) => !TLS_CIPHER_SUITE_NAMES.includes(name));
  if (unsupported !== undefined) {
    throw new InjectorConfigError(
      'CONFIG_BAD_CIPHER_SUITE',
      `Failed to configure TLS: failed to parse TLS cipher suites list ${goQuote(list)}: ` +
        `unsupported cipher ${goQuote(unsupported)} (from ${cipherSuites.source}; allowed: a comma-separated list ` +
        `of ${TLS_CIPHER_SUITE_NAMES.join(', ')})`,
      cipherSuites.source,
      list,
    );
  }
  return { tlsMinVersion: version, tlsCipherSuites: names };
}

/** vault-k8s splits on commas without trimming; an empty setting means no hosts rather than one empty host. */
function splitHosts(list: string): string[] {
  return list === '' ? [] : list.split(',');
}

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * vault-k8s decodes the CA bytes when Go's base64.StdEncoding accepts them (padded standard alphabet;
 * CR and LF are ignored anywhere) and otherwise uses the text as is.
 */
function decodeIfBase64(text: string): string {
  const compact = text.replace(/[\r\n]/g, '');
  if (!STD_BASE64.test(compact)) return text;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** Go's %q for the ASCII range, so error texts match vault-k8s's. */
function goQuote(text: string): string {
  const escapes: Record<string, string> = {
    '"': '\\"',
    '\\': '\\\\',
    '\x07': '\\a',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\v': '\\v',
  };
  let quoted = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    quoted += escapes[char] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char);
  }
  return `"${quoted}"`;
}

function defaultText(spec: SettingSpec): string {
  return typeof spec.default === 'string' ? JSON.stringify(spec.default) : String(spec.default);
}

/** `--help` text, generated from the settings table so it cannot drift. */
export const CONFIG_HELP: string = [
  'Flags (Go syntax: -name=value, --name=value or -name value; booleans: -name or -name=false).',
  'Environment variables override flags; an unset or empty variable does not override.',
  '',
  ...SETTING_NAMES.flatMap((name) => {
    const spec: SettingSpec = SETTINGS[name];
    const flag = spec.flag === undefined ? '(no flag)' : `-${spec.flag}${spec.kind === 'bool' ? '' : ` ${spec.kind}`}`;
    const env = spec.envFallback === undefined ? spec.env : `${spec.env} (or ${spec.envFallback})`;
    return [`  ${flag}  env ${env}  default ${defaultText(spec)}`, `      ${spec.help}`];
  }),
  '',
  'Also read from the environment: NAMESPACE (the injector namespace, default "default") and POD_NAME.',
  '',
].join('\n');
