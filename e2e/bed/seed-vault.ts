// The Vault and Kubernetes side of the seed texts (/work/shared/seeds): what their `vault write` and
// `kubectl apply` lines set up, for pods that authenticate through Kubernetes auth.
import type { Cluster } from './cluster.js';
import type { Postgres } from './postgres.js';
import {
  enableDatabaseEngine,
  enableKubernetesAuth,
  enableKubernetesSecretsEngine,
  enablePki,
  type VaultHttp,
  writeDatabaseRole,
  writeKubernetesAuthRole,
  writePolicy,
} from './vault-server.js';

/** A pod identity: its namespace and service account, and the Vault role (same name) that trusts it. */
export interface PodIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly role: string;
}

/** Service account + Kubernetes auth role bound to it + the policy the role grants. */
export async function podIdentity(
  vault: VaultHttp,
  cluster: Cluster,
  id: PodIdentity,
  policy: { name: string; hcl: string },
): Promise<void> {
  await cluster.admin.ensureNamespace(id.namespace);
  await cluster.admin.ensureServiceAccount(id.namespace, id.serviceAccount);
  await enableKubernetesAuth(vault, cluster);
  await writePolicy(vault, policy.name, policy.hcl);
  await writeKubernetesAuthRole(vault, id.role, {
    serviceAccounts: [id.serviceAccount],
    namespaces: [id.namespace],
    policies: [policy.name],
  });
}

/** Kubernetes refuses TokenRequests shorter than this, so no credential of the engine lives less. */
export const KUBERNETES_MIN_TOKEN_TTL = '10m';

const LIST_PODS = { apiGroups: [''], resources: ['pods'], verbs: ['list', 'get'] };

/**
 * Seeds 000/001: namespace `demo` with a pod to list, service account `sample-app` bound to Role
 * `demo-role-list-pods`, and the engine's three roles: `sample-app` (existing service account),
 * `existing-role` (existing Role) and `rules` (generated rules, a ClusterRole, namespaces default+demo).
 */
export async function setupKubernetesSecretsSeed(vault: VaultHttp, cluster: Cluster): Promise<void> {
  const admin = cluster.admin;
  await admin.ensureNamespace('demo');
  await admin.ensure('/api/v1/namespaces/demo/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'nginx', labels: { run: 'nginx' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
  });
  await admin.ensureServiceAccount('demo', 'sample-app');
  await admin.ensure('/apis/rbac.authorization.k8s.io/v1/namespaces/demo/roles', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'demo-role-list-pods' },
    rules: [LIST_PODS],
  });
  await admin.ensure('/apis/rbac.authorization.k8s.io/v1/namespaces/demo/rolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'demo-role-abilities' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'demo-role-list-pods' },
    subjects: [{ kind: 'ServiceAccount', name: 'sample-app', namespace: 'demo' }],
  });
  await enableKubernetesSecretsEngine(vault, cluster);
  await vault.write('kubernetes/roles/sample-app', {
    service_account_name: 'sample-app',
    allowed_kubernetes_namespaces: ['demo'],
    token_max_ttl: '80h',
    token_default_ttl: KUBERNETES_MIN_TOKEN_TTL,
  });
  await vault.write('kubernetes/roles/existing-role', {
    kubernetes_role_name: 'demo-role-list-pods',
    allowed_kubernetes_namespaces: ['demo'],
    token_max_ttl: '72h',
    token_default_ttl: KUBERNETES_MIN_TOKEN_TTL,
  });
  await vault.write('kubernetes/roles/rules', {
    allowed_kubernetes_namespaces: ['default', 'demo'],
    kubernetes_role_type: 'ClusterRole',
    token_max_ttl: '80h',
    token_default_ttl: KUBERNETES_MIN_TOKEN_TTL,
    generated_role_rules: JSON.stringify({ rules: [LIST_PODS] }),
  });
}

/** Seed 003's database part: the engine on the bed's PostgreSQL and role `readonly` with short leases. */
export async function setupDatabaseSeed(
  vault: VaultHttp,
  postgres: Postgres,
  opts: { defaultTtl: string; maxTtl: string },
): Promise<void> {
  await enableDatabaseEngine(vault, postgres);
  await writeDatabaseRole(vault, 'readonly', {
    defaultTtl: opts.defaultTtl,
    maxTtl: opts.maxTtl,
    creationStatements: [
      `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`,
    ],
  });
}

/** PKI at `pki/` with role `short`: `*.example.com`, NotBefore back-dated only 1 s so short TTLs stay short. */
export async function setupPkiSeed(vault: VaultHttp): Promise<{ role: string; caPem: string }> {
  const pki = await enablePki(vault, { role: 'example-dot-com', domain: 'example.com' });
  await vault.write('pki/roles/short', {
    allowed_domains: ['example.com'],
    allow_subdomains: true,
    max_ttl: '1h',
    not_before_duration: '1s',
  });
  return { role: 'short', caPem: pki.caPem };
}
