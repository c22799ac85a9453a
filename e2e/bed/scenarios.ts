import type { Cluster } from './cluster.js';
import { enableKubernetesAuth, kvPut, type VaultHttp, writeKubernetesAuthRole, writePolicy } from './vault-server.js';

/**
 * The AKS walkthrough's Vault side (seed 002): secret `secret/devops token=pat`, policy `busybox`
 * reading `secret/*`, Kubernetes auth role `busybox` bound to service account and namespace `busybox`.
 */
export async function setupAksWalkthrough(vault: VaultHttp, cluster: Cluster): Promise<void> {
  await cluster.admin.ensureNamespace('busybox');
  await cluster.admin.ensureServiceAccount('busybox', 'busybox');
  await enableKubernetesAuth(vault, cluster);
  await writePolicy(vault, 'busybox', 'path "secret/*" { capabilities = ["list","read"] }');
  await writeKubernetesAuthRole(vault, 'busybox', {
    serviceAccounts: ['busybox'],
    namespaces: ['busybox'],
    policies: ['busybox'],
  });
  await kvPut(vault, 'secret', 'devops', { token: 'pat' });
}
