import assert from 'node:assert/strict';
import { VaultConfigError } from './errors.js';
import {
  type Environment,
  proxyFromEnvironment,
  type VaultBlock,
  type VaultClientOptions,
  vaultClientOptionsFromEnvironment,
} from './options.js';

interface Case {
  readonly name: string;
  readonly env: Environment;
  readonly block?: VaultBlock;
  readonly want: VaultClientOptions | { readonly error: string };
}

const DEFAULTS = { address: 'https://127.0.0.1:8200', tlsSkipVerify: false, timeoutMs: 60_000, maxRetries: 12 };

const cases = [
  { name: 'nothing set: the defaults', env: {}, want: DEFAULTS },
  {
    name: 'config block fields',
    env: {},
    block: {
      address: 'https://vault.example:8200',
      caCert: '/ca.pem',
      caPath: '/cas',
      clientCert: '/c.pem',
      clientKey: '/k.pem',
      tlsSkipVerify: true,
      tlsServerName: 'vault.internal',
      namespace: 'team/',
      retry: { numRetries: 3 },
    },
    want: {
      address: 'https://vault.example:8200',
      caCert: '/ca.pem',
      caPath: '/cas',
      clientCert: '/c.pem',
      clientKey: '/k.pem',
      tlsSkipVerify: true,
      tlsServerName: 'vault.internal',
      namespace: 'team/',
      timeoutMs: 60_000,
      maxRetries: 3,
    },
  },
  {
    name: 'environment wins over the config block',
    env: {
      VAULT_ADDR: 'http://10.0.0.1:8200',
      VAULT_CACERT: '/env-ca.pem',
      VAULT_CAPATH: '/env-cas',
      VAULT_CLIENT_CERT: '/env-c.pem',
      VAULT_CLIENT_KEY: '/env-k.pem',
      VAULT_SKIP_VERIFY: 'true',
      VAULT_TLS_SERVER_NAME: 'env.internal',
      VAULT_NAMESPACE: 'env-ns/',
      VAULT_MAX_RETRIES: '5',
      VAULT_CLIENT_TIMEOUT: '1m30s',
      VAULT_CACERT_BYTES: '-----BEGIN CERTIFICATE-----',
    },
    block: { address: 'https://x:1', caCert: '/ca.pem', namespace: 'team/', retry: { numRetries: 3 } },
    want: {
      address: 'http://10.0.0.1:8200',
      caCertPem: '-----BEGIN CERTIFICATE-----',
      caCert: '/env-ca.pem',
      caPath: '/env-cas',
      clientCert: '/env-c.pem',
      clientKey: '/env-k.pem',
      tlsSkipVerify: true,
      tlsServerName: 'env.internal',
      namespace: 'env-ns/',
      timeoutMs: 90_000,
      maxRetries: 5,
    },
  },
  {
    name: 'VAULT_SKIP_VERIFY=false keeps verification on, even over tls_skip_verify',
    env: { VAULT_SKIP_VERIFY: 'false' },
    block: { tlsSkipVerify: true },
    want: DEFAULTS,
  },
  { name: 'VAULT_SKIP_VERIFY=1', env: { VAULT_SKIP_VERIFY: '1' }, want: { ...DEFAULTS, tlsSkipVerify: true } },
  { name: 'empty variables count as unset', env: { VAULT_ADDR: '', VAULT_SKIP_VERIFY: '' }, want: DEFAULTS },
  {
    name: 'VAULT_SKIP_VERIFY=yes is an error',
    env: { VAULT_SKIP_VERIFY: 'yes' },
    want: { error: 'VAULT_SKIP_VERIFY' },
  },
  { name: 'num_retries 0 means the default 12', env: {}, block: { retry: { numRetries: 0 } }, want: DEFAULTS },
  {
    name: 'num_retries -1 disables',
    env: {},
    block: { retry: { numRetries: -1 } },
    want: { ...DEFAULTS, maxRetries: 0 },
  },
  { name: 'VAULT_MAX_RETRIES=0 is literal', env: { VAULT_MAX_RETRIES: '0' }, want: { ...DEFAULTS, maxRetries: 0 } },
  { name: 'VAULT_MAX_RETRIES=-1 is an error', env: { VAULT_MAX_RETRIES: '-1' }, want: { error: 'VAULT_MAX_RETRIES' } },
  {
    name: 'VAULT_CLIENT_TIMEOUT in seconds',
    env: { VAULT_CLIENT_TIMEOUT: '30' },
    want: { ...DEFAULTS, timeoutMs: 30_000 },
  },
  { name: 'VAULT_CLIENT_TIMEOUT junk', env: { VAULT_CLIENT_TIMEOUT: '30 s' }, want: { error: 'VAULT_CLIENT_TIMEOUT' } },
  { name: 'VAULT_ADDR without scheme', env: { VAULT_ADDR: '127.0.0.1:8200' }, want: { error: 'VAULT_ADDR' } },
  { name: 'unix sockets unsupported', env: {}, block: { address: 'unix:///v.sock' }, want: { error: 'vault.address' } },
  {
    name: 'VAULT_PROXY_ADDR is used as the proxy',
    env: { VAULT_PROXY_ADDR: 'http://proxy:3128' },
    want: { ...DEFAULTS, proxyAddress: 'http://proxy:3128' },
  },
  {
    name: 'HTTPS_PROXY applies to a remote https Vault',
    env: { VAULT_ADDR: 'https://vault.example:8200', HTTPS_PROXY: 'proxy:3128' },
    want: { ...DEFAULTS, address: 'https://vault.example:8200', proxyAddress: 'http://proxy:3128' },
  },
] satisfies Case[];

describe('vaultClientOptionsFromEnvironment', () => {
  cases.forEach((c: Case, i) => {
    it(`${String(i).padStart(3, '0')} ${c.name}`, () => {
      if ('error' in c.want) {
        const setting = c.want.error;
        assert.throws(
          () => vaultClientOptionsFromEnvironment(c.env, c.block),
          (e: unknown) => e instanceof VaultConfigError && e.setting === setting,
        );
      } else {
        assert.deepEqual(vaultClientOptionsFromEnvironment(c.env, c.block), c.want);
      }
    });
  });
});

describe('proxyFromEnvironment', () => {
  const table: [string, Environment, string | undefined][] = [
    ['https://vault.example:8200', { HTTPS_PROXY: 'http://p:1' }, 'http://p:1'],
    ['https://vault.example:8200', { https_proxy: 'http://p:1' }, 'http://p:1'],
    ['https://vault.example:8200', { HTTP_PROXY: 'http://p:1' }, undefined],
    ['http://vault.example:8200', { HTTP_PROXY: 'http://p:1' }, 'http://p:1'],
    ['https://127.0.0.1:8200', { HTTPS_PROXY: 'http://p:1' }, undefined],
    ['https://localhost:8200', { HTTPS_PROXY: 'http://p:1' }, undefined],
    ['https://vault.example:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }, undefined],
    ['https://vault.example:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example' }, undefined],
    ['https://vault.example:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'vault.example:8200' }, undefined],
    ['https://vault.example:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'vault.example:9999' }, 'http://p:1'],
    ['https://vault.example:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.vault.example' }, 'http://p:1'],
    ['https://a.vault.example:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.vault.example' }, undefined],
    ['https://10.1.2.3:8200', { HTTPS_PROXY: 'http://p:1', no_proxy: '10.0.0.0/8' }, undefined],
    ['https://11.1.2.3:8200', { HTTPS_PROXY: 'http://p:1', no_proxy: '10.0.0.0/8' }, 'http://p:1'],
  ];
  table.forEach(([address, env, want], i) => {
    it(`${String(i).padStart(3, '0')} ${address} ${JSON.stringify(env)}`, () => {
      assert.equal(proxyFromEnvironment(address, env), want);
    });
  });
});
