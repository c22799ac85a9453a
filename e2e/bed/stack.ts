import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE_NODE_VERSION, nodeRuntimePath, provisionImageNode } from './node-runtime.js';
import {
  type BedBinaries,
  checkHostTools,
  ensureGoBinary,
  ensurePostgres,
  type Log,
  type ProvisionReport,
} from './provision.js';
import { etcdRecipe, helmRecipe, kubeApiserverRecipe, vaultServerRecipe } from './recipes.js';
import { findVaultK8s, VAULT_K8S_VERSION, vaultK8sMissing } from './reference.js';

/** The repository root (dist/e2e/bed/stack.js -> ../../..). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** argv that starts our CLI from the build output, for the pod runner's image table. */
export function vaultInjectorArgv(): string[] {
  const cli = join(REPO_ROOT, 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  return [process.execPath, '--enable-source-maps', cli];
}

/**
 * argv that starts the agent image's entry point (dist/bundle/agent-launch.cjs: agent, check-files, token-revoke), for
 * the pod runner's `vault-injector/agent` image: the suites run what Dockerfile.agent ships, on the image's Node once
 * provisioning has fetched it (this machine's Node otherwise).
 */
export function agentImageArgv(): string[] {
  const entry = join(REPO_ROOT, 'dist', 'bundle', 'agent-launch.cjs');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const imageNode = nodeRuntimePath();
  return [existsSync(imageNode) ? imageNode : process.execPath, '--enable-source-maps', entry];
}

/** Builds or finds every binary; the log says what it is doing, since a cold run takes many minutes. */
export async function provisionAll(log: Log): Promise<ProvisionReport> {
  const started = Date.now();
  checkHostTools();
  const built: string[] = [];
  const go = async (r: typeof etcdRecipe) => {
    const res = await ensureGoBinary(r, log);
    if (res.built) built.push(r.tool);
    else log(`${r.tool} ${r.version}: cached at ${res.path}`);
    return res.path;
  };
  // One at a time: each Go build already uses every core, and memory peaks add up.
  const etcd = await go(etcdRecipe);
  const kubeApiserver = await go(kubeApiserverRecipe);
  const vault = await go(vaultServerRecipe);
  const helm = await go(helmRecipe);
  const vaultK8s = findVaultK8s();
  log(vaultK8s ? `vault-k8s ${VAULT_K8S_VERSION}: ${vaultK8s}` : vaultK8sMissing());
  const postgres = await ensurePostgres(log);
  log(`postgresql ${postgres.version}: ${postgres.postgres}`);
  const { node: imageNode, trained } = provisionImageNode(log);
  log(`node ${IMAGE_NODE_VERSION} (the agent image's): ${imageNode}; ${trained}`);
  const binaries: BedBinaries = { etcd, kubeApiserver, vault, vaultK8s, postgres, helm, imageNode };
  return {
    binaries,
    versions: {
      etcd: etcdRecipe.version,
      'kube-apiserver': kubeApiserverRecipe.version,
      vault: vaultServerRecipe.version,
      helm: helmRecipe.version,
      'vault-k8s': vaultK8s ? VAULT_K8S_VERSION : 'not on this machine',
      postgresql: postgres.version,
      'node (agent image)': IMAGE_NODE_VERSION,
    },
    built,
    seconds: (Date.now() - started) / 1000,
  };
}
