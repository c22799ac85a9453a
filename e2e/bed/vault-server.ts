import { join } from 'node:path';
import type { Cluster } from './cluster.js';
import { httpCall } from './http.js';
import { freePort } from './ports.js';
import type { Postgres } from './postgres.js';
import { ManagedProcess } from './processes.js';
import { waitFor } from './time.js';
import { makeTempDir, removeDir } from './tmp.js';

/** The dev server's root token in every test. Tests only: a dev server keeps everything in memory. */
export const TEST_ROOT_TOKEN = 'root';

export class VaultApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly errors: readonly string[],
  ) {
    super(`${method} /v1/${path} -> HTTP ${status}: ${errors.join('; ') || '(no error text)'}`);
    this.name = 'VaultApiError';
  }
}

export interface VaultResponse<T = Record<string, unknown>> {
  readonly request_id?: string;
  readonly lease_id: string;
  readonly lease_duration: number;
  readonly renewable: boolean;
  readonly data: T;
  readonly auth?: {
    client_token: string;
    accessor: string;
    policies: string[];
    lease_duration: number;
    renewable: boolean;
  };
}

/** Plain HTTP calls to the Vault API; the test bed's admin and test client (not the product's). */
export class VaultHttp {
  constructor(
    readonly addr: string,
    readonly token?: string,
  ) {}

  withToken(token: string | undefined): VaultHttp {
    return new VaultHttp(this.addr, token);
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json?: VaultResponse<T> }> {
    const res = await httpCall({
      url: `${this.addr}/v1/${path}`,
      method,
      body,
      headers: this.token ? { 'x-vault-token': this.token } : {},
      timeoutMs: 30_000,
    });
    const parsed =
      res.text.trim() === '' ? undefined : (JSON.parse(res.text) as VaultResponse<T> & { errors?: string[] });
    if (res.status >= 400)
      throw new VaultApiError(res.status, method, path, (parsed as { errors?: string[] })?.errors ?? []);
    return { status: res.status, json: parsed };
  }

  async read<T = Record<string, unknown>>(path: string): Promise<VaultResponse<T>> {
    const r = await this.call<T>('GET', path);
    if (!r.json) throw new VaultApiError(r.status, 'GET', path, ['empty response']);
    return r.json;
  }

  async write<T = Record<string, unknown>>(path: string, body: unknown = {}): Promise<VaultResponse<T> | undefined> {
    return (await this.call<T>('POST', path, body)).json;
  }

  async delete(path: string): Promise<void> {
    await this.call('DELETE', path);
  }
}

export interface VaultServer {
  readonly addr: string;
  readonly rootToken: string;
  readonly root: VaultHttp;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** `vault server -dev` on a free loopback port with a fixed root token; `secret/` is KV v2. */
export async function startVaultServer(bin: string, opts: { rootToken?: string } = {}): Promise<VaultServer> {
  const rootToken = opts.rootToken ?? TEST_ROOT_TOKEN;
  const dir = makeTempDir('vault');
  const port = await freePort();
  const addr = `http://127.0.0.1:${port}`;
  const proc = new ManagedProcess({
    name: 'vault-server',
    command: bin,
    args: [
      'server',
      '-dev',
      `-dev-root-token-id=${rootToken}`,
      `-dev-listen-address=127.0.0.1:${port}`,
      '-log-level=warn',
    ],
    // HOME in the temp dir: the dev server writes ~/.vault-token through the token helper
    env: { PATH: process.env.PATH, HOME: dir, VAULT_ADDR: addr, BAO_ADDR: addr },
    logFile: join(dir, 'vault.log'),
  });
  const stop = async () => {
    await proc.stop({ graceMs: 5000 });
    removeDir(dir);
  };
  try {
    await waitFor(
      'Vault /v1/sys/health',
      async () => {
        if (!proc.running) throw new Error(`vault server exited\n${proc.tail()}`);
        const r = await httpCall({ url: `${addr}/v1/sys/health`, timeoutMs: 1000 });
        return r.status === 200 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { addr, rootToken, root: new VaultHttp(addr, rootToken), process: proc, stop };
}

// ---- configuration helpers: each does what an operator's `vault write` lines in the seed texts do ----

export async function writePolicy(vault: VaultHttp, name: string, hcl: string): Promise<void> {
  await vault.write(`sys/policies/acl/${name}`, { policy: hcl });
}

export async function kvPut(
  vault: VaultHttp,
  mount: string,
  path: string,
  data: Record<string, unknown>,
): Promise<void> {
  await vault.write(`${mount}/data/${path}`, { data });
}

async function mountIfAbsent(vault: VaultHttp, path: string, body: Record<string, unknown>, kind: 'auth' | 'mounts') {
  const existing = (await vault.read<Record<string, unknown>>(`sys/${kind}`)).data;
  if (existing[`${path}/`] === undefined) await vault.write(`sys/${kind}/${path}`, body);
}

/**
 * Kubernetes auth at `auth/<mount>` against the bed's API server: the token reviewer is the
 * service account `vault/vault-auth`, bound to `system:auth-delegator` as the Vault docs say.
 */
export async function enableKubernetesAuth(
  vault: VaultHttp,
  cluster: Cluster,
  opts: { mount?: string } = {},
): Promise<void> {
  const mount = opts.mount ?? 'kubernetes';
  await cluster.admin.ensureNamespace('vault');
  await cluster.admin.ensureServiceAccount('vault', 'vault-auth');
  await cluster.admin.bindClusterRole('vault-auth-delegator', 'system:auth-delegator', {
    namespace: 'vault',
    name: 'vault-auth',
  });
  const reviewer = await cluster.admin.createToken('vault', 'vault-auth', { expirationSeconds: 24 * 3600 });
  await mountIfAbsent(vault, mount, { type: 'kubernetes' }, 'auth');
  await vault.write(`auth/${mount}/config`, {
    kubernetes_host: cluster.server,
    kubernetes_ca_cert: cluster.caPem,
    token_reviewer_jwt: reviewer.token,
  });
}

export interface KubernetesRole {
  readonly serviceAccounts: readonly string[];
  readonly namespaces: readonly string[];
  readonly policies: readonly string[];
  readonly ttl?: string;
  readonly audience?: string;
}

export async function writeKubernetesAuthRole(
  vault: VaultHttp,
  name: string,
  role: KubernetesRole,
  mount = 'kubernetes',
) {
  await vault.write(`auth/${mount}/role/${name}`, {
    bound_service_account_names: role.serviceAccounts,
    bound_service_account_namespaces: role.namespaces,
    token_policies: role.policies,
    ...(role.ttl ? { token_ttl: role.ttl } : {}),
    ...(role.audience ? { audience: role.audience } : {}),
  });
}

/** Logs in with a service-account JWT through the Kubernetes auth method (what the agent does). */
export async function kubernetesLogin(vault: VaultHttp, role: string, jwt: string, mount = 'kubernetes') {
  const res = await vault.withToken(undefined).write(`auth/${mount}/login`, { role, jwt });
  if (!res?.auth) throw new Error('login returned no auth block');
  return res.auth;
}

/** Database secrets engine at `database/` with a connection `postgresql` to the bed's PostgreSQL. */
export async function enableDatabaseEngine(vault: VaultHttp, pg: Postgres): Promise<void> {
  await mountIfAbsent(vault, 'database', { type: 'database' }, 'mounts');
  await vault.write('database/config/postgresql', {
    plugin_name: 'postgresql-database-plugin',
    connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${pg.port}/postgres?sslmode=disable`,
    username: pg.superuser,
    password: pg.password,
    allowed_roles: '*',
    verify_connection: true,
  });
}

export async function writeDatabaseRole(
  vault: VaultHttp,
  name: string,
  opts: { defaultTtl?: string; maxTtl?: string; creationStatements?: readonly string[] } = {},
): Promise<void> {
  await vault.write(`database/roles/${name}`, {
    db_name: 'postgresql',
    creation_statements: opts.creationStatements ?? [
      `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`,
    ],
    default_ttl: opts.defaultTtl ?? '1h',
    max_ttl: opts.maxTtl ?? '24h',
  });
}

/** The permissions the seed tutorial gives Vault's own service account for the Kubernetes secrets engine. */
export const KUBERNETES_SECRETS_CLUSTER_ROLE = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'k8s-full-secrets-abilities' },
  rules: [
    { apiGroups: [''], resources: ['serviceaccounts', 'serviceaccounts/token'], verbs: ['create', 'update', 'delete'] },
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['rolebindings', 'clusterrolebindings'],
      verbs: ['create', 'update', 'delete'],
    },
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['roles', 'clusterroles'],
      verbs: ['bind', 'escalate', 'create', 'update', 'delete'],
    },
  ],
} as const;

/** Kubernetes secrets engine at `kubernetes/`, acting as the service account `vault/vault`. */
export async function enableKubernetesSecretsEngine(vault: VaultHttp, cluster: Cluster): Promise<void> {
  await cluster.admin.ensureNamespace('vault');
  await cluster.admin.ensureServiceAccount('vault', 'vault');
  await cluster.admin.ensure(
    '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    structuredClone(KUBERNETES_SECRETS_CLUSTER_ROLE) as never,
  );
  await cluster.admin.bindClusterRole('vault-token-creator-binding', 'k8s-full-secrets-abilities', {
    namespace: 'vault',
    name: 'vault',
  });
  const jwt = await cluster.admin.createToken('vault', 'vault', { expirationSeconds: 24 * 3600 });
  await mountIfAbsent(vault, 'kubernetes', { type: 'kubernetes' }, 'mounts');
  await vault.write('kubernetes/config', {
    kubernetes_host: cluster.server,
    kubernetes_ca_cert: cluster.caPem,
    service_account_jwt: jwt.token,
    disable_local_ca_jwt: true,
  });
}

/** PKI engine at `pki/` with an internal root CA and a role issuing for `<anything>.<domain>`. */
export async function enablePki(vault: VaultHttp, opts: { role?: string; domain?: string; maxTtl?: string } = {}) {
  const role = opts.role ?? 'example-dot-com';
  const domain = opts.domain ?? 'example.com';
  await mountIfAbsent(vault, 'pki', { type: 'pki', config: { max_lease_ttl: '87600h' } }, 'mounts');
  const root = await vault.write<{ certificate: string }>('pki/root/generate/internal', {
    common_name: `${domain} root`,
    ttl: '87600h',
  });
  await vault.write(`pki/roles/${role}`, {
    allowed_domains: [domain],
    allow_subdomains: true,
    max_ttl: opts.maxTtl ?? '72h',
  });
  return { role, domain, caPem: root?.data.certificate ?? '' };
}
