import { stringify } from 'yaml';
import { isOwnAgentImage } from '../../webhook/src/core/containers.js';
import { startCluster } from '../bed/cluster.js';
import { defaultImageTable } from '../bed/pod-runner/images.js';
import { type RunningPod, runPod } from '../bed/pod-runner/pod.js';
import type { Pod } from '../bed/pod-runner/types.js';
import { cacheRoot, checkHostTools, ensureGoBinary } from '../bed/provision.js';
import { etcdRecipe, kubeApiserverRecipe, vaultServerRecipe } from '../bed/recipes.js';
import { setupAksWalkthrough } from '../bed/scenarios.js';
import { agentImageArgv } from '../bed/stack.js';
import { sleep, waitFor, within } from '../bed/time.js';
import { startVaultServer } from '../bed/vault-server.js';
import { registerWebhook, startWebhookProcess } from '../bed/webhook-process.js';
import { builtCliHasCommand } from './cli-commands.js';
import { LogCursor, prefixed } from './log-cursor.js';
import type { DemoOptions } from './options.js';
import { type JsonObject, podDiff } from './pod-diff.js';
import { podFromTemplate, SAMPLE, sampleDeployment } from './sample.js';
import type { Shutdown } from './shutdown.js';

export interface DemoIO {
  readonly out: (text: string) => void;
}

/** A demo step that cannot go on, with what to do about it; printed without a stack trace. */
export class DemoError extends Error {
  override name = 'DemoError';
}

const WEBHOOK_CONFIGURATION = 'vault-agent-injector-cfg';
const INIT = 'vault-agent-init';
const SIDECAR = 'vault-agent';

const indent = (text: string, by = '    ') =>
  text
    .split('\n')
    .map((l) => (l === '' ? l : `${by}${l}`))
    .join('\n');

/**
 * The demo itself: provision, start the stack, configure the walkthrough, create the Deployment and
 * its pod, show the webhook's changes, run the pod, show the secret and the agent's logs, then (unless
 * `once`) follow the sidecar's logs until a stop is asked for. Whatever it starts goes on `shutdown`;
 * the caller stops it all.
 */
export async function runDemo(options: DemoOptions, io: DemoIO, shutdown: Shutdown): Promise<void> {
  const section = (title: string) => io.out(`\n==> ${title}\n`);
  const detail = (text: string) => io.out(`${indent(text)}\n`);

  io.out('vault-injector demo: the AKS walkthrough (seed 002) on a local stack; Ctrl-C stops everything it starts.\n');
  if (process.getuid?.() !== 0) {
    throw new DemoError(
      'the demo runs the pod with mount namespaces and bind mounts, so it needs root: run it as root (e.g. sudo npm start)',
    );
  }
  checkHostTools();
  if (isOwnAgentImage(options.agentImage) && !builtCliHasCommand('agent')) {
    throw new DemoError(
      `the agent image ${options.agentImage} runs \`vault-injector agent\`, which this build does not have yet; ` +
        'run the demo with the real Vault Agent instead: --agent-image hashicorp/vault:1.14.8',
    );
  }

  section(`Provisioning the test bed's binaries (cache ${cacheRoot()})`);
  const binary = async (recipe: typeof etcdRecipe) => {
    const { path, built } = await ensureGoBinary(recipe, (m) => detail(m));
    if (!built) detail(`${recipe.tool} ${recipe.version}: cached at ${path}`);
    shutdown.checkpoint();
    return path;
  };
  const etcd = await binary(etcdRecipe);
  const kubeApiserver = await binary(kubeApiserverRecipe);
  const vaultBin = await binary(vaultServerRecipe);

  section('Starting the local stack on 127.0.0.1');
  const cluster = await startCluster({ etcd, kubeApiserver }, { log: (m) => detail(m) });
  shutdown.add('kube-apiserver and etcd', () => cluster.stop());
  shutdown.checkpoint();
  const vault = await startVaultServer(vaultBin);
  shutdown.add('Vault server', () => vault.stop());
  detail(`Vault ${vaultServerRecipe.version} dev server ready at ${vault.addr} (KV v2 at secret/)`);
  shutdown.checkpoint();
  const webhook = await startWebhookProcess({
    tls: 'files',
    args: [`-vault-address=${vault.addr}`, `-vault-image=${options.agentImage}`],
  });
  shutdown.add('vault-injector webhook', () => webhook.stop());
  await registerWebhook(cluster.admin, {
    name: WEBHOOK_CONFIGURATION,
    url: webhook.url,
    caPem: webhook.caPem,
    failurePolicy: 'Fail',
    namespaces: [SAMPLE.namespace],
  });
  detail(`vault-injector webhook ready at ${webhook.url} (TLS from files; agent image ${options.agentImage})`);
  detail(`MutatingWebhookConfiguration ${WEBHOOK_CONFIGURATION}: pod CREATE in namespace ${SAMPLE.namespace}`);
  detail(`kubeconfig for this cluster: ${cluster.kubeconfigPath}`);
  shutdown.checkpoint();

  section('Configuring Vault as in the walkthrough');
  await setupAksWalkthrough(vault.root, cluster);
  detail('secret/devops: token=pat (KV v2)');
  detail('policy busybox: path "secret/*" { capabilities = ["list","read"] }');
  detail(
    'auth/kubernetes: reviews tokens with the API server; role busybox = service account busybox in namespace busybox',
  );
  shutdown.checkpoint();

  const deployment = sampleDeployment();
  section(`Creating Deployment ${SAMPLE.namespace}/${SAMPLE.deployment} (its pod template's annotations)`);
  await cluster.admin.create(`/apis/apps/v1/namespaces/${SAMPLE.namespace}/deployments`, deployment);
  detail(stringify(deployment.spec.template.metadata.annotations, { lineWidth: 0 }).trimEnd());

  section('Creating its pod');
  detail(
    "This stack has no controller manager, so the demo creates the pod from the Deployment's template itself, as its ReplicaSet would.",
  );
  const submitted = podFromTemplate(deployment);
  const stored = await cluster.admin.create<Pod>(`/api/v1/namespaces/${SAMPLE.namespace}/pods`, submitted);
  const podKey = `${stored.metadata.namespace}/${stored.metadata.name}`;
  detail(`pod ${podKey} created`);
  const admission = webhook.process.lines.find((l) => /admission: .*decision=/.test(l));
  if (admission) detail(`webhook: ${admission}`);
  shutdown.checkpoint();

  const diff = podDiff(submitted as unknown as JsonObject, stored as unknown as JsonObject);
  section(
    `What the webhook changed: pod as submitted -> as stored (+${diff.added} -${diff.removed} lines; API server defaults left out)`,
  );
  io.out(`${diff.text}\n`);

  section(`Running pod ${podKey} (pod runner: each container is a local process in its own mount namespace)`);
  const running = await runPod(stored, {
    kube: cluster.admin,
    images: defaultImageTable({ vault: vaultBin, vaultInjector: agentImageArgv() }),
    apiServer: { host: '127.0.0.1', port: cluster.port },
    maxGraceMs: 5000,
  });
  shutdown.add(`pod ${podKey}`, () => running.stop());
  detail(`${INIT} exited with code ${running.exitStatus(INIT)?.code}; ${SIDECAR} and ${SAMPLE.container} running`);
  shutdown.checkpoint();

  section(`kubectl exec ${stored.metadata.name} -c ${SAMPLE.container} -- cat ${SAMPLE.secretFile}`);
  const content = await waitFor(
    SAMPLE.secretFile,
    async () => {
      const r = await running.exec(SAMPLE.container, ['cat', SAMPLE.secretFile]);
      return r.code === 0 && r.output !== '' ? r.output : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  detail(content.endsWith('\n') ? content.slice(0, -1) : content);

  await sidecarSettled(running);
  const cursors = { [INIT]: new LogCursor(), [SIDECAR]: new LogCursor() };
  for (const name of [INIT, SIDECAR] as const) {
    section(`kubectl logs ${stored.metadata.name} -c ${name}`);
    const { lines } = cursors[name].next(running.restarts(name), running.logs(name));
    io.out(lines.length ? prefixed(name, lines) : '    (no output yet)\n');
  }
  section(`kubectl logs ${stored.metadata.name} -c ${SAMPLE.container}`);
  io.out(prefixed(SAMPLE.container, running.logs(SAMPLE.container).trimEnd().split('\n')));

  if (options.once) return;
  section(`Running. Following ${SIDECAR}'s log; Ctrl-C stops everything.`);
  const sidecar = cursors[SIDECAR];
  while (!shutdown.requested) {
    await within(shutdown.whenRequested, 500);
    const { restarted, lines } = sidecar.next(running.restarts(SIDECAR), running.logs(SIDECAR));
    if (restarted) io.out(`    (${SIDECAR} restarted: restart ${running.restarts(SIDECAR)})\n`);
    io.out(prefixed(SIDECAR, lines));
  }
}

/** Gives the sidecar a bounded moment to log in and render, so its log shows more than its banner. */
async function sidecarSettled(running: RunningPod): Promise<void> {
  for (let i = 0; i < 80; i++) {
    if (/authenticat|render/i.test(running.logs(SIDECAR))) return;
    await sleep(250);
  }
}
