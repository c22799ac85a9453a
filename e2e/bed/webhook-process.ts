import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateAuthority, issueServingCertificate } from '../../certs/src/authority.js';
import type { KubeClient } from './kube.js';
import { freePort } from './ports.js';
import { ManagedProcess } from './processes.js';
import { vaultInjectorArgv } from './stack.js';
import { makeTempDir, removeDir } from './tmp.js';

export interface WebhookProcess {
  readonly url: string;
  readonly port: number;
  readonly caPem: string;
  readonly process: ManagedProcess;
  readonly dir: string;
  stop(): Promise<void>;
}

/** A fresh CA and a day-long serving certificate for localhost and 127.0.0.1 (the test webhooks). */
export async function loopbackServingCerts(
  caName: string,
): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  const now = new Date();
  const ca = await createCertificateAuthority({ commonName: caName, now, validForMs: 86_400_000 });
  const leaf = await issueServingCertificate(ca, {
    commonName: 'webhook',
    hosts: ['localhost', '127.0.0.1'],
    now,
    validForMs: 86_400_000,
  });
  return { caPem: ca.certPem, ...leaf };
}

/** Serving files for 127.0.0.1 signed by a fresh CA (file-mode TLS). */
export async function webhookCerts(
  dir: string,
): Promise<{ caPem: string; certFile: string; keyFile: string; caFile: string }> {
  const pems = await loopbackServingCerts('e2e webhook CA');
  const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), caFile: join(dir, 'ca.crt') };
  writeFileSync(files.certFile, pems.certPem);
  writeFileSync(files.keyFile, pems.keyPem, { mode: 0o600 });
  writeFileSync(files.caFile, pems.caPem);
  return { caPem: pems.caPem, ...files };
}

/**
 * `vault-injector webhook` as a real process on 127.0.0.1. With `tls: 'files'` it serves
 * certificates the test made; with `tls: 'auto'` it makes its own and publishes the CA in the
 * named MutatingWebhookConfiguration through KUBECONFIG.
 */
export async function startWebhookProcess(opts: {
  args?: readonly string[];
  env?: Record<string, string>;
  tls: 'files' | { auto: string; kubeconfig: string };
}): Promise<WebhookProcess> {
  const dir = makeTempDir('webhook');
  const port = await freePort();
  const [node, ...cli] = vaultInjectorArgv();
  let caPem = '';
  const tlsArgs: string[] = [];
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: dir, ...opts.env };
  if (opts.tls === 'files') {
    const c = await webhookCerts(dir);
    caPem = c.caPem;
    tlsArgs.push(`-tls-cert-file=${c.certFile}`, `-tls-key-file=${c.keyFile}`);
  } else {
    tlsArgs.push(`-tls-auto=${opts.tls.auto}`, '-tls-auto-hosts=127.0.0.1,localhost');
    env.KUBECONFIG = opts.tls.kubeconfig;
  }
  const proc = new ManagedProcess({
    name: 'webhook',
    command: node ?? process.execPath,
    args: [...cli, 'webhook', `-listen=127.0.0.1:${port}`, ...tlsArgs, ...(opts.args ?? [])],
    env,
    logFile: join(dir, 'webhook.log'),
  });
  try {
    await proc.waitForLine(/listening/, 20_000);
  } catch (err) {
    await proc.stop({ graceMs: 2000 });
    removeDir(dir);
    throw err;
  }
  return {
    url: `https://127.0.0.1:${port}/mutate`,
    port,
    caPem,
    process: proc,
    dir,
    async stop() {
      await proc.stop({ graceMs: 5000 });
      removeDir(dir);
    },
  };
}

/** Registers (or replaces) a MutatingWebhookConfiguration pointing at `url` for pod CREATE. */
export async function registerWebhook(
  kube: KubeClient,
  opts: { name: string; url: string; caPem: string; failurePolicy: 'Fail' | 'Ignore'; namespaces?: readonly string[] },
): Promise<void> {
  await kube.delete(`/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${opts.name}`);
  await kube.create('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: opts.name },
    webhooks: [
      {
        name: 'vault.hashicorp.com',
        admissionReviewVersions: ['v1', 'v1beta1'],
        sideEffects: 'None',
        failurePolicy: opts.failurePolicy,
        timeoutSeconds: 10,
        clientConfig: {
          url: opts.url,
          ...(opts.caPem ? { caBundle: Buffer.from(opts.caPem).toString('base64') } : {}),
        },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        ...(opts.namespaces
          ? {
              namespaceSelector: {
                matchExpressions: [
                  { key: 'kubernetes.io/metadata.name', operator: 'In', values: [...opts.namespaces] },
                ],
              },
            }
          : {}),
      },
    ],
  });
}

const MWC_API = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

/** The PEM caBundle of the configuration's first webhook. */
export async function publishedCaBundle(kube: KubeClient, name: string): Promise<string> {
  const m = await kube.get<{ webhooks: { clientConfig: { caBundle?: string } }[] }>(`${MWC_API}/${name}`);
  return Buffer.from(m.webhooks[0]?.clientConfig.caBundle ?? '', 'base64').toString();
}

/** Points the configuration's first webhook at `url` (the caBundle is left as the webhook published it). */
export async function pointWebhookAt(kube: KubeClient, name: string, url: string): Promise<void> {
  await kube.request(
    `PATCH`,
    `${MWC_API}/${name}`,
    [{ op: 'replace', path: '/webhooks/0/clientConfig/url', value: url }],
    'application/json-patch+json',
  );
}

/** Registers a configuration with no caBundle yet (the auto-TLS webhook publishes its CA into it). */
export function registerForAutoTls(kube: KubeClient, name: string, namespaces: readonly string[]): Promise<void> {
  return registerWebhook(kube, {
    name,
    url: 'https://127.0.0.1:1/mutate',
    caPem: '',
    failurePolicy: 'Fail',
    namespaces,
  });
}
