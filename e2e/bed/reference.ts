import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from './provision.js';

/**
 * The reference injector, HashiCorp's vault-k8s, for the differential suite and the benchmark.
 * The Go module proxy this project reaches refuses github.com/hashicorp/vault-k8s (403, "not
 * available"), and another project's source is not kept here, so the bed cannot build it: it uses a
 * binary already on the machine and skips what needs it otherwise.
 */
export const VAULT_K8S_VERSION = 'v1.7.6';

export function vaultK8sPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.VAULT_K8S_BIN ?? join(cacheRoot(env), 'bin', 'vault-k8s', VAULT_K8S_VERSION, 'vault-k8s');
}

export function findVaultK8s(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = vaultK8sPath(env);
  return existsSync(path) ? path : undefined;
}

export function vaultK8sMissing(env: NodeJS.ProcessEnv = process.env): string {
  return (
    `vault-k8s ${VAULT_K8S_VERSION}: not on this machine (${vaultK8sPath(env)}); the differential suite and the ` +
    'reference half of the benchmark are skipped. The Go module proxy refuses github.com/hashicorp/vault-k8s, so ' +
    'build it from its source yourself and put it there (or set VAULT_K8S_BIN).'
  );
}
