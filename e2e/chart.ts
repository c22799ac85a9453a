/**
 * The chart suite's I/O: helm runs, server-side dry-run of rendered objects against the bed's API
 * server, and the webhook started as the chart's Deployment would start it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeClient, KubeError } from './bed/kube.js';
import { ManagedProcess, runToCompletion } from './bed/processes.js';
import { VERSIONS } from './bed/recipes.js';
import { REPO_ROOT, vaultInjectorArgv } from './bed/stack.js';
import { waitFor } from './bed/time.js';
import { collectionPath, containerEnv, deploymentContainers, type RenderedObject } from './chart-objects.js';

export const CHART_DIR = join(REPO_ROOT, 'charts', 'vault-injector');

/** Helm with its home, config, cache and data under `home` (a bed temp dir), so a run leaves nothing behind. */
export class Helm {
  constructor(
    readonly binary: string,
    readonly home: string,
  ) {}

  private env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '',
      HOME: this.home,
      HELM_CONFIG_HOME: join(this.home, 'config'),
      HELM_CACHE_HOME: join(this.home, 'cache'),
      HELM_DATA_HOME: join(this.home, 'data'),
    };
  }

  /** `helm <args>`, bounded; stdout and stderr together; throws with the output when helm fails. */
  async run(args: readonly string[]): Promise<string> {
    const r = await runToCompletion({
      name: `helm ${args[0]}`,
      command: this.binary,
      args,
      env: this.env(),
      timeoutMs: 60_000,
    });
    return r.output;
  }

  /** The failure text of a helm run that must fail. */
  async failure(args: readonly string[]): Promise<string> {
    let out: string;
    try {
      out = await this.run(args);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    throw new Error(`helm ${args.join(' ')} succeeded but should have failed:\n${out.slice(0, 500)}`);
  }

  /** `helm template` of the chart for the bed's Kubernetes version: the manifest without helm's warnings. */
  async template(opts: { release: string; namespace: string; args?: readonly string[] }): Promise<string> {
    const out = await this.run([
      'template',
      opts.release,
      CHART_DIR,
      '--namespace',
      opts.namespace,
      '--kube-version',
      VERSIONS.kubernetes,
      ...(opts.args ?? []),
    ]);
    // the output interleaves stderr, where helm prints its warnings
    return out
      .split('\n')
      .filter((l) => !/^(coalesce\.go:\d+: )?warning: /.test(l))
      .join('\n');
  }
}

/**
 * Creates each object with `dryRun=All` and strict field validation: the API server runs defaulting,
 * validation (unknown or duplicate fields are errors) and admission, and stores nothing.
 */
export async function dryRunCreate(kube: KubeClient, objects: readonly RenderedObject[]): Promise<void> {
  for (const obj of objects) {
    try {
      await kube.request('POST', `${collectionPath(obj)}?dryRun=All&fieldValidation=Strict`, obj);
    } catch (err) {
      if (err instanceof KubeError) throw new Error(`${obj.kind} ${obj.metadata.name} refused: ${err.message}`);
      throw err;
    }
  }
}

/** Creates each object for real, in the order given. */
export async function createAll(kube: KubeClient, objects: readonly RenderedObject[]): Promise<void> {
  for (const obj of objects) await kube.create(`${collectionPath(obj)}?fieldValidation=Strict`, obj);
}

/**
 * A small ServiceMonitor CRD (monitoring.coreos.com/v1) with a structural schema for the fields the chart
 * uses, so strict validation catches a misspelt field; written for this suite, not the operator's.
 */
export async function installServiceMonitorCrd(kube: KubeClient): Promise<void> {
  const str = { type: 'string' };
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'servicemonitors.monitoring.coreos.com' },
    spec: {
      group: 'monitoring.coreos.com',
      scope: 'Namespaced',
      names: {
        kind: 'ServiceMonitor',
        listKind: 'ServiceMonitorList',
        plural: 'servicemonitors',
        singular: 'servicemonitor',
      },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['selector', 'endpoints'],
                  properties: {
                    jobLabel: str,
                    selector: {
                      type: 'object',
                      properties: {
                        matchLabels: { type: 'object', additionalProperties: str },
                        matchExpressions: {
                          type: 'array',
                          items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                        },
                      },
                    },
                    namespaceSelector: {
                      type: 'object',
                      properties: { any: { type: 'boolean' }, matchNames: { type: 'array', items: str } },
                    },
                    endpoints: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          port: str,
                          path: str,
                          scheme: { type: 'string', enum: ['http', 'https'] },
                          interval: str,
                          scrapeTimeout: str,
                          tlsConfig: {
                            type: 'object',
                            properties: { insecureSkipVerify: { type: 'boolean' }, serverName: str },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
  await kube.ensure('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  await waitFor(
    'the ServiceMonitor CRD to be served',
    async () => {
      const r = await kube.raw('GET', '/apis/monitoring.coreos.com/v1/namespaces/default/servicemonitors');
      return r.status === 200 ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

/** A kubeconfig that authenticates with `token` (e.g. the chart's ServiceAccount's), in `dir`. */
export function writeTokenKubeconfig(dir: string, kube: KubeClient, token: string): string {
  const path = join(dir, 'kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'bed',
        cluster: {
          server: kube.conn.server,
          'certificate-authority-data': Buffer.from(kube.conn.caPem).toString('base64'),
        },
      },
    ],
    users: [{ name: 'sa', user: { token } }],
    contexts: [{ name: 'bed', context: { cluster: 'bed', user: 'sa' } }],
    'current-context': 'bed',
  };
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

export interface ChartWebhook {
  readonly process: ManagedProcess;
  /** The environment the process got (the Deployment's, plus the overrides listed in startChartWebhook). */
  readonly env: Readonly<Record<string, string>>;
  readonly args: readonly string[];
}

/**
 * The Deployment's `sidecar-injector` container as a local process: the image's entrypoint (our CLI)
 * with the container's exact args, and its env resolved for a pod named `podName`. Three differences,
 * because the bed has no pod network, Service or in-cluster credentials: AGENT_INJECT_LISTEN is a
 * loopback port, 127.0.0.1 is added to AGENT_INJECT_TLS_AUTO_HOSTS (the API server calls that address),
 * and KUBECONFIG stands in for the mounted ServiceAccount token.
 */
export async function startChartWebhook(opts: {
  deployment: RenderedObject;
  podName: string;
  port: number;
  kubeconfig: string;
  dir: string;
}): Promise<ChartWebhook> {
  const container = deploymentContainers(opts.deployment).find((c) => c.name === 'sidecar-injector');
  if (!container) throw new Error('the Deployment has no sidecar-injector container');
  const namespace = opts.deployment.metadata.namespace ?? 'default';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: opts.dir,
    ...containerEnv(container, { name: opts.podName, namespace }),
    AGENT_INJECT_LISTEN: `127.0.0.1:${opts.port}`,
    KUBECONFIG: opts.kubeconfig,
  };
  if (env.AGENT_INJECT_TLS_AUTO_HOSTS) env.AGENT_INJECT_TLS_AUTO_HOSTS += ',127.0.0.1';
  const [node, ...cli] = vaultInjectorArgv();
  const args = [...(container.command ?? []), ...(container.args ?? [])];
  const proc = new ManagedProcess({
    name: `webhook ${opts.podName}`,
    command: node ?? process.execPath,
    args: [...cli, ...args],
    env,
    logFile: join(opts.dir, `${opts.podName}.log`),
  });
  return { process: proc, env, args };
}
