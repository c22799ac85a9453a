import assert from 'node:assert/strict';
import { CONFIG_HELP, InjectorConfigError, loadInjectorConfig, TLS_CIPHER_SUITE_NAMES } from './config.js';
import type { InjectorConfig } from './config-types.js';

type Env = Record<string, string | undefined>;

const ADDRESS = '-vault-address=https://vault:8200';
const pad = (i: number): string => String(i + 1).padStart(3, '0');

const DEFAULTS = {
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
  vaultImage: 'vault-injector/agent:0.1.0',
  vaultAddress: 'https://vault:8200',
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
  tlsAutoCertValidityMs: 365 * 24 * 3600 * 1000,
  podNamespace: 'default',
  podName: '',
} satisfies InjectorConfig;

/** The error loadInjectorConfig throws, as plain data for deepEqual. */
function configError(argv: readonly string[], env: Env = {}): Record<string, string | undefined> {
  try {
    loadInjectorConfig(argv, env);
  } catch (err) {
    if (!(err instanceof InjectorConfigError)) throw err;
    return { name: err.name, code: err.code, message: err.message, setting: err.setting, value: err.value };
  }
  return assert.fail('expected an InjectorConfigError');
}

describe('loadInjectorConfig defaults', () => {
  it('001 only -vault-address: every other setting has its vault-k8s default', () => {
    assert.deepEqual(loadInjectorConfig([ADDRESS], {}), DEFAULTS);
  });
});

interface FieldCase {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: Env;
  readonly want: Partial<InjectorConfig>;
}

const flagSyntaxCases = [
  { name: '-name=value', argv: [ADDRESS, '-listen=:9000'], want: { listen: ':9000' } },
  { name: '--name=value', argv: [ADDRESS, '--listen=:9000'], want: { listen: ':9000' } },
  { name: '-name value', argv: [ADDRESS, '-listen', ':9000'], want: { listen: ':9000' } },
  { name: '--name value', argv: [ADDRESS, '--listen', ':9000'], want: { listen: ':9000' } },
  { name: 'the value may start with a dash', argv: [ADDRESS, '-listen', '-log-level'], want: { listen: '-log-level' } },
  { name: 'the value may be empty', argv: [ADDRESS, '-vault-namespace='], want: { vaultNamespace: '' } },
  { name: 'the value may contain =', argv: [ADDRESS, '-vault-namespace=a=b'], want: { vaultNamespace: 'a=b' } },
  { name: 'a repeated flag keeps its last value', argv: [ADDRESS, '-listen=:1', '-listen=:2'], want: { listen: ':2' } },
  { name: 'bare boolean is true', argv: [ADDRESS, '-revoke-on-shutdown'], want: { revokeOnShutdown: true } },
  { name: 'boolean =false', argv: [ADDRESS, '-set-security-context=false'], want: { setSecurityContext: false } },
  { name: 'boolean --name=0', argv: [ADDRESS, '--set-security-context=0'], want: { setSecurityContext: false } },
  { name: 'boolean =T', argv: [ADDRESS, '-use-leader-elector=T'], want: { useLeaderElector: true } },
  {
    name: 'a boolean takes no separate value, so "false" ends the flags',
    argv: [ADDRESS, '-revoke-on-shutdown', 'false', '-listen=:1'],
    want: { revokeOnShutdown: true, listen: ':8080' },
  },
  { name: 'the Helm chart\'s literal "2>&1" is tolerated', argv: [ADDRESS, '2>&1'], want: { listen: ':8080' } },
  {
    name: 'flags after "2>&1" are ignored, as in Go',
    argv: ['2>&1', ADDRESS],
    env: { AGENT_INJECT_VAULT_ADDR: 'https://env:8200' },
    want: { vaultAddress: 'https://env:8200' },
  },
  { name: '"--" ends the flags', argv: [ADDRESS, '--', '-listen=:1'], want: { listen: ':8080' } },
  { name: 'a lone "-" ends the flags', argv: [ADDRESS, '-', '-listen=:1'], want: { listen: ':8080' } },
  { name: 'no arguments, address from the environment', argv: [], env: { AGENT_INJECT_VAULT_ADDR: 'x' }, want: {} },
  { name: 'native sidecar flag (ours)', argv: [ADDRESS, '-native-sidecar'], want: { nativeSidecar: true } },
  {
    name: 'hosts are split on commas, not trimmed',
    argv: [ADDRESS, '-tls-auto-hosts=a,b, c'],
    want: { tlsAutoHosts: ['a', 'b', ' c'] },
  },
  { name: 'log format json', argv: [ADDRESS, '-log-format=json'], want: { logFormat: 'json' } },
  { name: 'log format is not normalised', argv: [ADDRESS, '-log-format=JSON'], want: { logFormat: 'standard' } },
  { name: 'unknown log formats mean standard', argv: [ADDRESS, '-log-format=text'], want: { logFormat: 'standard' } },
  { name: 'default template json', argv: [ADDRESS, '-default-template=json'], want: { defaultTemplate: 'json' } },
  {
    name: 'valid backoffs are kept as text',
    argv: [ADDRESS, '-auth-min-backoff=1.5s', '-auth-max-backoff=1m30s'],
    want: { authMinBackoff: '1.5s', authMaxBackoff: '1m30s' },
  },
  {
    name: 'resource values are passed through',
    argv: [ADDRESS, '-cpu-limit=2', '-ephemeral-storage-limit=1Gi'],
    want: { cpuLimit: '2', ephemeralStorageLimit: '1Gi' },
  },
] satisfies FieldCase[];

const environmentCases = [
  {
    name: 'NAMESPACE and POD_NAME',
    argv: [ADDRESS],
    env: { NAMESPACE: 'vault', POD_NAME: 'injector-0' },
    want: { podNamespace: 'vault', podName: 'injector-0' },
  },
  { name: 'empty NAMESPACE means default', argv: [ADDRESS], env: { NAMESPACE: '' }, want: { podNamespace: 'default' } },
  {
    name: 'an empty variable does not override',
    argv: [ADDRESS, '-listen=:1'],
    env: { AGENT_INJECT_LISTEN: '' },
    want: { listen: ':1' },
  },
  {
    name: 'an unset variable does not override',
    argv: [ADDRESS, '-listen=:1'],
    env: { AGENT_INJECT_LISTEN: undefined },
    want: { listen: ':1' },
  },
  {
    name: 'an empty boolean variable does not override',
    argv: [ADDRESS],
    env: { AGENT_INJECT_SET_SECURITY_CONTEXT: '' },
    want: { setSecurityContext: true },
  },
  {
    name: 'bool-parse spelling in the environment',
    argv: [ADDRESS],
    env: { AGENT_INJECT_REVOKE_ON_SHUTDOWN: 'TRUE' },
    want: { revokeOnShutdown: true },
  },
  {
    name: 'int-parse in the environment',
    argv: [ADDRESS],
    env: { AGENT_INJECT_TEMPLATE_MAX_CONNECTIONS_PER_HOST: '-7' },
    want: { templateMaxConnectionsPerHost: -7 },
  },
  {
    name: 'bare TLS_MIN_VERSION fallback',
    argv: [ADDRESS],
    env: { TLS_MIN_VERSION: 'tls13' },
    want: { tlsMinVersion: 'tls13' },
  },
  {
    name: 'bare TLS_CIPHER_SUITES fallback',
    argv: [ADDRESS],
    env: { TLS_CIPHER_SUITES: 'TLS_AES_128_GCM_SHA256' },
    want: { tlsCipherSuites: ['TLS_AES_128_GCM_SHA256'] },
  },
  {
    name: 'bare TLS_AUTO fallback',
    argv: [ADDRESS, '-tls-auto=flag'],
    env: { TLS_AUTO: 'env' },
    want: { tlsAuto: 'env' },
  },
  {
    name: 'bare TLS_AUTO_HOSTS fallback',
    argv: [ADDRESS],
    env: { TLS_AUTO_HOSTS: 'a,b' },
    want: { tlsAutoHosts: ['a', 'b'] },
  },
  {
    name: 'bare TLS_CA_CERT_FILE fallback',
    argv: [ADDRESS],
    env: { TLS_CA_CERT_FILE: 'ca.pem' },
    want: { tlsCaCertFile: 'ca.pem' },
  },
  {
    name: 'bare TLS_CERT_FILE fallback',
    argv: [ADDRESS],
    env: { TLS_CERT_FILE: 'tls.crt' },
    want: { tlsCertFile: 'tls.crt' },
  },
  {
    name: 'bare TLS_KEY_FILE fallback',
    argv: [ADDRESS],
    env: { TLS_KEY_FILE: 'tls.key' },
    want: { tlsKeyFile: 'tls.key' },
  },
  {
    name: 'the AGENT_INJECT_ form wins over the bare one',
    argv: [ADDRESS],
    env: { AGENT_INJECT_TLS_CERT_FILE: 'a.crt', TLS_CERT_FILE: 'b.crt' },
    want: { tlsCertFile: 'a.crt' },
  },
  {
    name: 'a set but empty AGENT_INJECT_ form hides the bare one (envconfig)',
    argv: [ADDRESS, '-tls-cert-file=flag.crt'],
    env: { AGENT_INJECT_TLS_CERT_FILE: '', TLS_CERT_FILE: 'b.crt' },
    want: { tlsCertFile: 'flag.crt' },
  },
  {
    name: 'no bare fallback outside the TLS settings',
    argv: [ADDRESS],
    env: { LISTEN: ':1' },
    want: { listen: ':8080' },
  },
  {
    name: 'CA bytes in base64 are decoded',
    argv: [ADDRESS],
    env: { AGENT_INJECT_VAULT_CACERT_BYTES: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==' },
    want: { vaultCaCertBytes: '-----BEGIN CERTIFICATE-----\n' },
  },
  {
    name: 'base64 with line breaks is decoded (Go skips CR/LF)',
    argv: [ADDRESS, '-vault-cacert-bytes=Zm9v\r\nYmFy'],
    want: { vaultCaCertBytes: 'foobar' },
  },
  {
    name: 'PEM is used as is',
    argv: [ADDRESS, '-vault-cacert-bytes=-----BEGIN CERTIFICATE-----\nMIIB\n'],
    want: { vaultCaCertBytes: '-----BEGIN CERTIFICATE-----\nMIIB\n' },
  },
  {
    name: 'unpadded base64 is not standard base64, so it is used as is',
    argv: [ADDRESS, '-vault-cacert-bytes=Zm9vYg'],
    want: { vaultCaCertBytes: 'Zm9vYg' },
  },
] satisfies FieldCase[];

for (const [title, cases] of [
  ['Go flag syntax', flagSyntaxCases],
  ['environment', environmentCases],
] as const) {
  describe(`loadInjectorConfig ${title}`, () => {
    for (const [i, c] of (cases as readonly FieldCase[]).entries()) {
      it(`${pad(i)} ${c.name}`, () => {
        assert.deepEqual(loadInjectorConfig(c.argv, c.env ?? {}), { ...DEFAULTS, ...c.want, ...envAddress(c) });
      });
    }
  });
}

function envAddress(c: FieldCase): Partial<InjectorConfig> {
  const address = c.env?.AGENT_INJECT_VAULT_ADDR;
  return address ? { vaultAddress: address } : {};
}

interface OverrideCase {
  readonly env: string;
  readonly value: string;
  /** The flag set on the command line at the same time, with a different value. */
  readonly flag?: string;
  readonly field: keyof InjectorConfig;
  readonly want: unknown;
}

// Spec §8.2 pair 106 and vault-k8s TestCommandEnvs/EnvBools/EnvInts/EnvFloats (same values), plus the §2
// variables those tests leave out (auth type, ephemeral storage) and our native-sidecar switch.
const overrideCases = [
  { env: 'AGENT_INJECT_LISTEN', value: ':8080', flag: '-listen=:9443', field: 'listen', want: ':8080' },
  { env: 'AGENT_INJECT_VAULT_ADDR', value: 'http://vault:8200', field: 'vaultAddress', want: 'http://vault:8200' },
  {
    env: 'AGENT_INJECT_VAULT_CACERT_BYTES',
    value: 'foo',
    flag: '-vault-cacert-bytes=bar',
    field: 'vaultCaCertBytes',
    want: 'foo',
  },
  {
    env: 'AGENT_INJECT_PROXY_ADDR',
    value: 'http://proxy:3128',
    flag: '-proxy-address=http://other:3128',
    field: 'proxyAddress',
    want: 'http://proxy:3128',
  },
  {
    env: 'AGENT_INJECT_VAULT_AUTH_PATH',
    value: 'auth-path-test',
    flag: '-vault-auth-path=auth/other',
    field: 'vaultAuthPath',
    want: 'auth-path-test',
  },
  {
    env: 'AGENT_INJECT_VAULT_IMAGE',
    value: 'hashicorp/vault:2.0.4',
    flag: '-vault-image=example/vault:1',
    field: 'vaultImage',
    want: 'hashicorp/vault:2.0.4',
  },
  {
    env: 'AGENT_INJECT_VAULT_NAMESPACE',
    value: 'test-namespace',
    flag: '-vault-namespace=other',
    field: 'vaultNamespace',
    want: 'test-namespace',
  },
  {
    env: 'AGENT_INJECT_TLS_KEY_FILE',
    value: 'server.key',
    flag: '-tls-key-file=flag.key',
    field: 'tlsKeyFile',
    want: 'server.key',
  },
  {
    env: 'AGENT_INJECT_TLS_CERT_FILE',
    value: 'server.crt',
    flag: '-tls-cert-file=flag.crt',
    field: 'tlsCertFile',
    want: 'server.crt',
  },
  {
    env: 'AGENT_INJECT_TLS_CA_CERT_FILE',
    value: 'cacert.crt',
    flag: '-tls-ca-cert-file=flag.crt',
    field: 'tlsCaCertFile',
    want: 'cacert.crt',
  },
  {
    env: 'AGENT_INJECT_TLS_AUTO_HOSTS',
    value: 'foobar.com',
    flag: '-tls-auto-hosts=flag.com',
    field: 'tlsAutoHosts',
    want: ['foobar.com'],
  },
  {
    env: 'AGENT_INJECT_TLS_AUTO',
    value: 'mutationWebhook',
    flag: '-tls-auto=flagWebhook',
    field: 'tlsAuto',
    want: 'mutationWebhook',
  },
  { env: 'AGENT_INJECT_LOG_LEVEL', value: 'info', flag: '-log-level=debug', field: 'logLevel', want: 'info' },
  { env: 'AGENT_INJECT_LOG_FORMAT', value: 'standard', flag: '-log-format=json', field: 'logFormat', want: 'standard' },
  { env: 'AGENT_INJECT_RUN_AS_USER', value: '1000', flag: '-run-as-user=2000', field: 'runAsUser', want: '1000' },
  { env: 'AGENT_INJECT_RUN_AS_GROUP', value: '1001', flag: '-run-as-group=2001', field: 'runAsGroup', want: '1001' },
  {
    env: 'AGENT_INJECT_TELEMETRY_PATH',
    value: '/metrics',
    flag: '-telemetry-path=/flag',
    field: 'telemetryPath',
    want: '/metrics',
  },
  {
    env: 'AGENT_INJECT_DEFAULT_TEMPLATE',
    value: 'json',
    flag: '-default-template=map',
    field: 'defaultTemplate',
    want: 'json',
  },
  { env: 'AGENT_INJECT_CPU_REQUEST', value: '10m', flag: '-cpu-request=20m', field: 'cpuRequest', want: '10m' },
  { env: 'AGENT_INJECT_MEM_REQUEST', value: '256m', flag: '-memory-request=1Mi', field: 'memoryRequest', want: '256m' },
  { env: 'AGENT_INJECT_CPU_LIMIT', value: '1000m', flag: '-cpu-limit=2', field: 'cpuLimit', want: '1000m' },
  { env: 'AGENT_INJECT_MEM_LIMIT', value: '256m', flag: '-memory-limit=1Gi', field: 'memoryLimit', want: '256m' },
  {
    env: 'AGENT_INJECT_TEMPLATE_STATIC_SECRET_RENDER_INTERVAL',
    value: '12s',
    flag: '-template-static-secret-render-interval=1m',
    field: 'templateStaticSecretRenderInterval',
    want: '12s',
  },
  {
    env: 'AGENT_INJECT_TLS_MIN_VERSION',
    value: 'tls13',
    flag: '-tls-min-version=tls10',
    field: 'tlsMinVersion',
    want: 'tls13',
  },
  {
    env: 'AGENT_INJECT_TLS_CIPHER_SUITES',
    value: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
    flag: '-tls-cipher-suites=TLS_AES_128_GCM_SHA256',
    field: 'tlsCipherSuites',
    want: ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA'],
  },
  {
    env: 'AGENT_INJECT_AUTH_MIN_BACKOFF',
    value: '5s',
    flag: '-auth-min-backoff=1s',
    field: 'authMinBackoff',
    want: '5s',
  },
  {
    env: 'AGENT_INJECT_AUTH_MAX_BACKOFF',
    value: '5s',
    flag: '-auth-max-backoff=1m',
    field: 'authMaxBackoff',
    want: '5s',
  },
  {
    env: 'AGENT_INJECT_DISABLE_IDLE_CONNECTIONS',
    value: 'auto-auth,caching,templating',
    flag: '-disable-idle-connections=caching',
    field: 'disableIdleConnections',
    want: 'auto-auth,caching,templating',
  },
  {
    env: 'AGENT_INJECT_DISABLE_KEEP_ALIVES',
    value: 'auto-auth,caching,templating',
    flag: '-disable-keep-alives=caching',
    field: 'disableKeepAlives',
    want: 'auto-auth,caching,templating',
  },
  {
    env: 'AGENT_INJECT_VAULT_AUTH_TYPE',
    value: 'jwt',
    flag: '-vault-auth-type=approle',
    field: 'vaultAuthType',
    want: 'jwt',
  },
  {
    env: 'AGENT_INJECT_EPHEMERAL_REQUEST',
    value: '1Gi',
    flag: '-ephemeral-storage-request=2Gi',
    field: 'ephemeralStorageRequest',
    want: '1Gi',
  },
  {
    env: 'AGENT_INJECT_EPHEMERAL_LIMIT',
    value: '4Gi',
    flag: '-ephemeral-storage-limit=8Gi',
    field: 'ephemeralStorageLimit',
    want: '4Gi',
  },
  {
    env: 'AGENT_INJECT_REVOKE_ON_SHUTDOWN',
    value: 'true',
    flag: '-revoke-on-shutdown=false',
    field: 'revokeOnShutdown',
    want: true,
  },
  {
    env: 'AGENT_INJECT_REVOKE_ON_SHUTDOWN',
    value: 'false',
    flag: '-revoke-on-shutdown',
    field: 'revokeOnShutdown',
    want: false,
  },
  {
    env: 'AGENT_INJECT_RUN_AS_SAME_USER',
    value: 'true',
    flag: '-run-as-same-user=false',
    field: 'runAsSameUser',
    want: true,
  },
  {
    env: 'AGENT_INJECT_RUN_AS_SAME_USER',
    value: 'false',
    flag: '-run-as-same-user',
    field: 'runAsSameUser',
    want: false,
  },
  {
    env: 'AGENT_INJECT_SET_SECURITY_CONTEXT',
    value: 'true',
    flag: '-set-security-context=false',
    field: 'setSecurityContext',
    want: true,
  },
  {
    env: 'AGENT_INJECT_SET_SECURITY_CONTEXT',
    value: 'false',
    flag: '-set-security-context',
    field: 'setSecurityContext',
    want: false,
  },
  {
    env: 'AGENT_INJECT_USE_LEADER_ELECTOR',
    value: 'true',
    flag: '-use-leader-elector=false',
    field: 'useLeaderElector',
    want: true,
  },
  {
    env: 'AGENT_INJECT_USE_LEADER_ELECTOR',
    value: 'false',
    flag: '-use-leader-elector',
    field: 'useLeaderElector',
    want: false,
  },
  {
    env: 'AGENT_INJECT_TEMPLATE_CONFIG_EXIT_ON_RETRY_FAILURE',
    value: 'true',
    flag: '-template-config-exit-on-retry-failure=false',
    field: 'templateConfigExitOnRetryFailure',
    want: true,
  },
  {
    env: 'AGENT_INJECT_TEMPLATE_CONFIG_EXIT_ON_RETRY_FAILURE',
    value: 'false',
    flag: '-template-config-exit-on-retry-failure',
    field: 'templateConfigExitOnRetryFailure',
    want: false,
  },
  {
    env: 'AGENT_INJECT_NATIVE_SIDECAR',
    value: 'true',
    flag: '-native-sidecar=false',
    field: 'nativeSidecar',
    want: true,
  },
  { env: 'AGENT_INJECT_NATIVE_SIDECAR', value: 'false', flag: '-native-sidecar', field: 'nativeSidecar', want: false },
  {
    env: 'AGENT_INJECT_TEMPLATE_MAX_CONNECTIONS_PER_HOST',
    value: '100',
    field: 'templateMaxConnectionsPerHost',
    want: 100,
  },
  {
    env: 'AGENT_INJECT_TEMPLATE_LEASE_RENEWAL_THRESHOLD',
    value: '0.75',
    field: 'templateLeaseRenewalThreshold',
    want: 0.75,
  },
] satisfies OverrideCase[];

describe('loadInjectorConfig environment overrides flags (spec §8.2 pair 106)', () => {
  for (const [i, c] of (overrideCases as readonly OverrideCase[]).entries()) {
    it(`${pad(i)} ${c.env}=${c.value} over ${c.flag ?? 'the default'}`, () => {
      const argv = c.flag === undefined ? [ADDRESS] : [ADDRESS, c.flag];
      const config = loadInjectorConfig(argv, { [c.env]: c.value });
      assert.deepEqual(config[c.field], c.want);
    });
  }
});

type Level = InjectorConfig['logLevel'];

// vault-k8s TestCommandLogLevel, all 63 cases in its order; `error` holds the normalised text it reports.
const logLevelCases: readonly { readonly level: string; readonly want: Level | { readonly error: string } }[] = [
  { level: 'info', want: 'info' },
  { level: 'INFO', want: 'info' },
  { level: 'inFO', want: 'info' },
  { level: ' info ', want: 'info' },
  { level: ' INFO ', want: 'info' },
  { level: 'ofni', want: { error: 'ofni' } },
  { level: 'inf', want: { error: 'inf' } },
  { level: 'notice', want: 'info' },
  { level: 'NOTICE', want: 'info' },
  { level: 'nOtIcE', want: 'info' },
  { level: ' notice ', want: 'info' },
  { level: ' NOTICE ', want: 'info' },
  { level: 'notify', want: { error: 'notify' } },
  { level: 'eciton', want: { error: 'eciton' } },
  { level: 'trace', want: 'trace' },
  { level: 'TRACE', want: 'trace' },
  { level: 'tRaCe', want: 'trace' },
  { level: ' trace ', want: 'trace' },
  { level: ' TRACE ', want: 'trace' },
  { level: 'tracing', want: { error: 'tracing' } },
  { level: 'ecart', want: { error: 'ecart' } },
  { level: 'debug', want: 'debug' },
  { level: 'DEBUG', want: 'debug' },
  { level: 'dEbUg', want: 'debug' },
  { level: ' debug ', want: 'debug' },
  { level: ' DEBUG ', want: 'debug' },
  { level: 'debugging', want: { error: 'debugging' } },
  { level: 'gubed', want: { error: 'gubed' } },
  { level: 'warn', want: 'warn' },
  { level: 'WARN', want: 'warn' },
  { level: 'wArN', want: 'warn' },
  { level: ' warn ', want: 'warn' },
  { level: ' WARN ', want: 'warn' },
  { level: 'warnn', want: { error: 'warnn' } },
  { level: 'nraw', want: { error: 'nraw' } },
  { level: 'warning', want: 'warn' },
  { level: 'WARNING', want: 'warn' },
  { level: 'wArNiNg', want: 'warn' },
  { level: ' warning ', want: 'warn' },
  { level: ' WARNING ', want: 'warn' },
  { level: 'warnning', want: { error: 'warnning' } },
  { level: 'gninnraw', want: { error: 'gninnraw' } },
  { level: 'err', want: 'error' },
  { level: 'ERR', want: 'error' },
  { level: 'eRr', want: 'error' },
  { level: ' err ', want: 'error' },
  { level: ' ERR ', want: 'error' },
  { level: 'errors', want: { error: 'errors' } },
  { level: 'rre', want: { error: 'rre' } },
  { level: 'error', want: 'error' },
  { level: 'ERROR', want: 'error' },
  { level: 'eRrOr', want: 'error' },
  { level: ' error ', want: 'error' },
  { level: ' ERROR ', want: 'error' },
  { level: 'errors', want: { error: 'errors' } },
  { level: 'rorre', want: { error: 'rorre' } },
  { level: 'foobar', want: { error: 'foobar' } },
  { level: 'junk', want: { error: 'junk' } },
  { level: 'infotracedebug', want: { error: 'infotracedebug' } },
  { level: '0', want: { error: '0' } },
  { level: '1', want: { error: '1' } },
  { level: '', want: 'info' },
  { level: ' ', want: 'info' },
];

describe('loadInjectorConfig log level (vault-k8s TestCommandLogLevel)', () => {
  for (const [i, c] of logLevelCases.entries()) {
    it(`${pad(i)} ${JSON.stringify(c.level)} -> ${typeof c.want === 'string' ? c.want : 'error'}`, () => {
      const argv = [ADDRESS, `-log-level=${c.level}`];
      if (typeof c.want === 'string') {
        assert.equal(loadInjectorConfig(argv, {}).logLevel, c.want);
        return;
      }
      assert.deepEqual(configError(argv), {
        name: 'InjectorConfigError',
        code: 'CONFIG_BAD_LOG_LEVEL',
        message:
          `Error setting log level: unknown log level: ${c.want.error} (from -log-level; ` +
          'allowed: trace, debug, info, notice, warn, warning, err, error, in any case)',
        setting: '-log-level',
        value: c.level,
      });
    });
  }
});

const ALL_CIPHERS = TLS_CIPHER_SUITE_NAMES.join(', ');

interface TlsCase {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: Env;
  readonly want: Pick<InjectorConfig, 'tlsMinVersion' | 'tlsCipherSuites'> | Record<string, string | undefined>;
}

// vault-k8s TestTLSConfig (first five), then our additions.
const tlsCases = [
  { name: 'defaults', argv: [ADDRESS], want: { tlsMinVersion: 'tls12', tlsCipherSuites: [] } },
  {
    name: 'bad tls',
    argv: [ADDRESS, '-tls-min-version=tls1000'],
    want: {
      name: 'InjectorConfigError',
      code: 'CONFIG_BAD_TLS_VERSION',
      message:
        'Failed to configure TLS: invalid or unsupported TLS version "tls1000" ' +
        '(from -tls-min-version; allowed: tls10, tls11, tls12, tls13)',
      setting: '-tls-min-version',
      value: 'tls1000',
    },
  },
  {
    name: 'non-default tls',
    argv: [ADDRESS, '-tls-min-version=tls13'],
    want: { tlsMinVersion: 'tls13', tlsCipherSuites: [] },
  },
  {
    name: 'suites specified (count preserved)',
    argv: [ADDRESS, '-tls-cipher-suites=TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_256_GCM_SHA384'],
    want: {
      tlsMinVersion: 'tls12',
      tlsCipherSuites: ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_256_GCM_SHA384'],
    },
  },
  {
    name: 'invalid suites specified',
    argv: [ADDRESS, '-tls-cipher-suites=suite1,suite2,suite3'],
    want: {
      name: 'InjectorConfigError',
      code: 'CONFIG_BAD_CIPHER_SUITE',
      message:
        'Failed to configure TLS: failed to parse TLS cipher suites list "suite1,suite2,suite3": unsupported cipher ' +
        `"suite1" (from -tls-cipher-suites; allowed: a comma-separated list of ${ALL_CIPHERS})`,
      setting: '-tls-cipher-suites',
      value: 'suite1,suite2,suite3',
    },
  },
  { name: 'tls10', argv: [ADDRESS, '-tls-min-version=tls10'], want: { tlsMinVersion: 'tls10', tlsCipherSuites: [] } },
  { name: 'tls11', argv: [ADDRESS, '-tls-min-version=tls11'], want: { tlsMinVersion: 'tls11', tlsCipherSuites: [] } },
  {
    name: 'versions are case-sensitive, from the environment',
    argv: [ADDRESS],
    env: { AGENT_INJECT_TLS_MIN_VERSION: 'TLS12' },
    want: {
      name: 'InjectorConfigError',
      code: 'CONFIG_BAD_TLS_VERSION',
      message:
        'Failed to configure TLS: invalid or unsupported TLS version "TLS12" ' +
        '(from AGENT_INJECT_TLS_MIN_VERSION; allowed: tls10, tls11, tls12, tls13)',
      setting: 'AGENT_INJECT_TLS_MIN_VERSION',
      value: 'TLS12',
    },
  },
  {
    name: 'every supported suite at once',
    argv: [ADDRESS, `-tls-cipher-suites=${TLS_CIPHER_SUITE_NAMES.join(',')}`],
    want: { tlsMinVersion: 'tls12', tlsCipherSuites: [...TLS_CIPHER_SUITE_NAMES] },
  },
  {
    name: 'entries and the list are trimmed',
    argv: [ADDRESS, '-tls-cipher-suites= TLS_AES_128_GCM_SHA256 , TLS_AES_256_GCM_SHA384 '],
    want: { tlsMinVersion: 'tls12', tlsCipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'] },
  },
  {
    name: 'a blank list means Go defaults',
    argv: [ADDRESS, '-tls-cipher-suites=  '],
    want: { tlsMinVersion: 'tls12', tlsCipherSuites: [] },
  },
  {
    name: 'an empty entry is an unsupported cipher',
    argv: [ADDRESS],
    env: { TLS_CIPHER_SUITES: 'TLS_AES_128_GCM_SHA256,,TLS_AES_256_GCM_SHA384' },
    want: {
      name: 'InjectorConfigError',
      code: 'CONFIG_BAD_CIPHER_SUITE',
      message:
        'Failed to configure TLS: failed to parse TLS cipher suites list "TLS_AES_128_GCM_SHA256,,TLS_AES_256_GCM_SHA384": ' +
        `unsupported cipher "" (from TLS_CIPHER_SUITES; allowed: a comma-separated list of ${ALL_CIPHERS})`,
      setting: 'TLS_CIPHER_SUITES',
      value: 'TLS_AES_128_GCM_SHA256,,TLS_AES_256_GCM_SHA384',
    },
  },
  {
    name: 'the version is checked before the suites',
    argv: [ADDRESS, '-tls-min-version=ssl3', '-tls-cipher-suites=nope'],
    want: {
      name: 'InjectorConfigError',
      code: 'CONFIG_BAD_TLS_VERSION',
      message:
        'Failed to configure TLS: invalid or unsupported TLS version "ssl3" ' +
        '(from -tls-min-version; allowed: tls10, tls11, tls12, tls13)',
      setting: '-tls-min-version',
      value: 'ssl3',
    },
  },
] satisfies TlsCase[];

describe('loadInjectorConfig TLS (vault-k8s TestTLSConfig)', () => {
  for (const [i, c] of (tlsCases as readonly TlsCase[]).entries()) {
    it(`${pad(i)} ${c.name}`, () => {
      if ('code' in c.want) {
        assert.deepEqual(configError(c.argv, c.env), c.want);
        return;
      }
      const { tlsMinVersion, tlsCipherSuites } = loadInjectorConfig(c.argv, c.env ?? {});
      assert.deepEqual({ tlsMinVersion, tlsCipherSuites }, c.want);
    });
  }
});

const GO_BOOLS = '1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False';
const DURATIONS = 'a Go duration: numbers with units ns, us, ms, s, m, h, e.g. 500ms, 5s, 1m30s';

interface ErrorCase {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: Env;
  readonly want: {
    readonly code: string;
    readonly message: string;
    readonly setting?: string;
    readonly value?: string;
  };
}

const errorCases = [
  {
    name: 'unknown flag',
    argv: [ADDRESS, '-foo=1'],
    want: {
      code: 'CONFIG_FLAG_UNKNOWN',
      message: 'flag provided but not defined: -foo (run with --help to list the flags)',
      setting: '-foo',
    },
  },
  {
    name: 'three dashes',
    argv: ['---listen=:1'],
    want: { code: 'CONFIG_FLAG_SYNTAX', message: 'bad flag syntax: ---listen=:1', setting: '---listen=:1' },
  },
  {
    name: 'empty flag name',
    argv: ['-=x'],
    want: { code: 'CONFIG_FLAG_SYNTAX', message: 'bad flag syntax: -=x', setting: '-=x' },
  },
  {
    name: 'missing value',
    argv: [ADDRESS, '-listen'],
    want: { code: 'CONFIG_FLAG_VALUE_MISSING', message: 'flag needs an argument: -listen', setting: '-listen' },
  },
  { name: '-h', argv: ['-h'], want: { code: 'CONFIG_HELP_REQUESTED', message: 'flag: help requested', setting: '-h' } },
  {
    name: '-help',
    argv: ['-help'],
    want: { code: 'CONFIG_HELP_REQUESTED', message: 'flag: help requested', setting: '-help' },
  },
  {
    name: '--help',
    argv: ['--help'],
    want: { code: 'CONFIG_HELP_REQUESTED', message: 'flag: help requested', setting: '-help' },
  },
  {
    name: 'bad boolean flag value',
    argv: [ADDRESS, '-revoke-on-shutdown=yes'],
    want: {
      code: 'CONFIG_BAD_BOOL',
      message: `invalid boolean value "yes" for -revoke-on-shutdown (allowed: ${GO_BOOLS})`,
      setting: '-revoke-on-shutdown',
      value: 'yes',
    },
  },
  {
    name: 'an empty boolean flag value is invalid (strconv)',
    argv: [ADDRESS, '--set-security-context='],
    want: {
      code: 'CONFIG_BAD_BOOL',
      message: `invalid boolean value "" for -set-security-context (allowed: ${GO_BOOLS})`,
      setting: '-set-security-context',
      value: '',
    },
  },
  {
    name: 'bad boolean variable',
    argv: [ADDRESS],
    env: { AGENT_INJECT_USE_LEADER_ELECTOR: 'tRuE' },
    want: {
      code: 'CONFIG_BAD_BOOL',
      message: `Error parsing environment variables: invalid boolean value "tRuE" for AGENT_INJECT_USE_LEADER_ELECTOR (allowed: ${GO_BOOLS})`,
      setting: 'AGENT_INJECT_USE_LEADER_ELECTOR',
      value: 'tRuE',
    },
  },
  {
    name: 'bad integer variable',
    argv: [ADDRESS],
    env: { AGENT_INJECT_TEMPLATE_MAX_CONNECTIONS_PER_HOST: '1.5' },
    want: {
      code: 'CONFIG_BAD_INT',
      message:
        'Error parsing environment variables: invalid integer value "1.5" for AGENT_INJECT_TEMPLATE_MAX_CONNECTIONS_PER_HOST ' +
        '(allowed: decimal digits with an optional sign, at most 2^53-1)',
      setting: 'AGENT_INJECT_TEMPLATE_MAX_CONNECTIONS_PER_HOST',
      value: '1.5',
    },
  },
  {
    name: 'bad float variable',
    argv: [ADDRESS],
    env: { AGENT_INJECT_TEMPLATE_LEASE_RENEWAL_THRESHOLD: '75%' },
    want: {
      code: 'CONFIG_BAD_FLOAT',
      message:
        'Error parsing environment variables: invalid number value "75%" for AGENT_INJECT_TEMPLATE_LEASE_RENEWAL_THRESHOLD ' +
        '(allowed: a number such as 0.75)',
      setting: 'AGENT_INJECT_TEMPLATE_LEASE_RENEWAL_THRESHOLD',
      value: '75%',
    },
  },
  {
    name: 'bad duration flag',
    argv: [ADDRESS, '-auth-min-backoff=5'],
    want: {
      code: 'CONFIG_BAD_DURATION',
      message: `invalid duration value "5" for -auth-min-backoff (allowed: ${DURATIONS})`,
      setting: '-auth-min-backoff',
      value: '5',
    },
  },
  {
    name: 'bad duration variable',
    argv: [ADDRESS],
    env: { AGENT_INJECT_AUTH_MAX_BACKOFF: '1d' },
    want: {
      code: 'CONFIG_BAD_DURATION',
      message: `Error parsing environment variables: invalid duration value "1d" for AGENT_INJECT_AUTH_MAX_BACKOFF (allowed: ${DURATIONS})`,
      setting: 'AGENT_INJECT_AUTH_MAX_BACKOFF',
      value: '1d',
    },
  },
  {
    name: 'no Vault address',
    argv: [],
    want: {
      code: 'CONFIG_VAULT_ADDRESS_MISSING',
      message:
        'No Vault service configured (set -vault-address or AGENT_INJECT_VAULT_ADDR to the Vault server address, ' +
        'e.g. https://vault.vault.svc:8200)',
      setting: '-vault-address',
    },
  },
  {
    name: 'an empty address variable does not clear the flag, an empty flag is missing',
    argv: ['-vault-address='],
    env: { AGENT_INJECT_VAULT_ADDR: '' },
    want: {
      code: 'CONFIG_VAULT_ADDRESS_MISSING',
      message:
        'No Vault service configured (set -vault-address or AGENT_INJECT_VAULT_ADDR to the Vault server address, ' +
        'e.g. https://vault.vault.svc:8200)',
      setting: '-vault-address',
    },
  },
  {
    name: 'default template is case-sensitive',
    argv: [ADDRESS, '-default-template=JSON'],
    want: {
      code: 'CONFIG_BAD_DEFAULT_TEMPLATE',
      message: 'Invalid default flag type: JSON (from -default-template; allowed: map, json)',
      setting: '-default-template',
      value: 'JSON',
    },
  },
  {
    name: 'environment errors come before the address check',
    argv: [],
    env: { AGENT_INJECT_REVOKE_ON_SHUTDOWN: 'yes' },
    want: {
      code: 'CONFIG_BAD_BOOL',
      message: `Error parsing environment variables: invalid boolean value "yes" for AGENT_INJECT_REVOKE_ON_SHUTDOWN (allowed: ${GO_BOOLS})`,
      setting: 'AGENT_INJECT_REVOKE_ON_SHUTDOWN',
      value: 'yes',
    },
  },
  {
    name: 'the default template is checked before the log level',
    argv: [ADDRESS, '-log-level=loud', '-default-template=yaml'],
    want: {
      code: 'CONFIG_BAD_DEFAULT_TEMPLATE',
      message: 'Invalid default flag type: yaml (from -default-template; allowed: map, json)',
      setting: '-default-template',
      value: 'yaml',
    },
  },
  {
    name: 'the log level is checked before TLS',
    argv: [ADDRESS, '-log-level=loud', '-tls-min-version=tls9'],
    want: {
      code: 'CONFIG_BAD_LOG_LEVEL',
      message:
        'Error setting log level: unknown log level: loud (from -log-level; ' +
        'allowed: trace, debug, info, notice, warn, warning, err, error, in any case)',
      setting: '-log-level',
      value: 'loud',
    },
  },
  {
    name: 'Go quoting of control characters in values',
    argv: [ADDRESS, '-tls-min-version=tls\t"1"\n'],
    want: {
      code: 'CONFIG_BAD_TLS_VERSION',
      message:
        'Failed to configure TLS: invalid or unsupported TLS version "tls\\t\\"1\\"\\n" ' +
        '(from -tls-min-version; allowed: tls10, tls11, tls12, tls13)',
      setting: '-tls-min-version',
      value: 'tls\t"1"\n',
    },
  },
] satisfies ErrorCase[];

describe('loadInjectorConfig errors', () => {
  for (const [i, c] of (errorCases as readonly ErrorCase[]).entries()) {
    it(`${pad(i)} ${c.name}`, () => {
      assert.deepEqual(configError(c.argv, c.env), {
        name: 'InjectorConfigError',
        setting: undefined,
        value: undefined,
        ...c.want,
      });
    });
  }
});

// Spec §2, in table order, plus our -native-sidecar.
const FLAGS = [
  'listen',
  'log-level',
  'log-format',
  'template-config-exit-on-retry-failure',
  'template-static-secret-render-interval',
  'tls-auto',
  'tls-auto-hosts',
  'tls-ca-cert-file',
  'tls-cert-file',
  'tls-key-file',
  'vault-image',
  'vault-address',
  'vault-cacert-bytes',
  'proxy-address',
  'vault-auth-type',
  'vault-auth-path',
  'vault-namespace',
  'revoke-on-shutdown',
  'run-as-user',
  'run-as-group',
  'run-as-same-user',
  'set-security-context',
  'telemetry-path',
  'use-leader-elector',
  'default-template',
  'cpu-request',
  'memory-request',
  'ephemeral-storage-request',
  'cpu-limit',
  'memory-limit',
  'ephemeral-storage-limit',
  'auth-min-backoff',
  'auth-max-backoff',
  'disable-idle-connections',
  'disable-keep-alives',
  'tls-min-version',
  'tls-cipher-suites',
  'tls-auto-cert-validity',
  'native-sidecar',
];

const helpLines = CONFIG_HELP.split('\n');

const helpCases = [
  {
    name: 'states the precedence rule',
    check: () =>
      assert.equal(helpLines[1], 'Environment variables override flags; an unset or empty variable does not override.'),
  },
  {
    name: 'lists every flag of spec §2 and ours (-tls-auto-cert-validity, -native-sidecar), in order',
    check: () =>
      assert.deepEqual(
        helpLines.flatMap((line) => /^ {2}-([a-z-]+)/.exec(line)?.[1] ?? []),
        FLAGS,
      ),
  },
  {
    name: 'every listed flag is accepted',
    check: () => {
      const accepted = FLAGS.filter((flag) => {
        try {
          loadInjectorConfig([ADDRESS, `-${flag}=${flag === 'default-template' ? 'json' : 'true'}`], {});
          return true;
        } catch (err) {
          return !(err instanceof InjectorConfigError && err.code === 'CONFIG_FLAG_UNKNOWN');
        }
      });
      assert.deepEqual(accepted, FLAGS);
    },
  },
  {
    name: 'a string flag line: name, type, variable, default',
    check: () => assert.ok(helpLines.includes('  -listen string  env AGENT_INJECT_LISTEN  default ":8080"')),
  },
  {
    name: 'a boolean flag line',
    check: () =>
      assert.ok(helpLines.includes('  -set-security-context  env AGENT_INJECT_SET_SECURITY_CONTEXT  default true')),
  },
  {
    name: 'a TLS line names the bare fallback',
    check: () =>
      assert.ok(
        helpLines.includes(
          '  -tls-min-version string  env AGENT_INJECT_TLS_MIN_VERSION (or TLS_MIN_VERSION)  default "tls12"',
        ),
      ),
  },
  {
    name: 'environment-only settings',
    check: () =>
      assert.deepEqual(
        helpLines.filter((line) => line.startsWith('  (no flag)')),
        [
          '  (no flag)  env AGENT_INJECT_TEMPLATE_MAX_CONNECTIONS_PER_HOST  default 0',
          '  (no flag)  env AGENT_INJECT_TEMPLATE_LEASE_RENEWAL_THRESHOLD  default 0',
        ],
      ),
  },
];

describe('CONFIG_HELP', () => {
  for (const [i, c] of helpCases.entries()) {
    it(`${pad(i)} ${c.name}`, c.check);
  }
});
