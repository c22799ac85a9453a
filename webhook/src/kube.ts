import { readFileSync } from 'node:fs';
import { type RequestOptions, request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** Where Kubernetes mounts a pod's service-account credentials. */
export const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface Connection {
  readonly server: string;
  /** Fills in TLS and auth for one request (the in-cluster token is re-read: it rotates). */
  readonly apply: (opts: RequestOptions) => Promise<void>;
}

/**
 * The injector's Kubernetes access. In a cluster it reads the service-account token and CA itself
 * (re-reading the token, which the kubelet rotates); elsewhere (KUBECONFIG, tests, development) it
 * loads @kubernetes/client-node, only then: that library alone adds ~80 MiB to the process.
 */
export class KubeApi {
  private constructor(private readonly conn: Promise<Connection>) {}

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env, inClusterDir = IN_CLUSTER_DIR): KubeApi {
    const host = env.KUBERNETES_SERVICE_HOST;
    const port = env.KUBERNETES_SERVICE_PORT;
    if (!env.KUBECONFIG && host && port) {
      const ca = readFileSync(`${inClusterDir}/ca.crt`, 'utf8');
      const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
      return new KubeApi(
        Promise.resolve({
          server,
          apply: async (opts) => {
            const token = readFileSync(`${inClusterDir}/token`, 'utf8').trim();
            opts.ca = ca;
            opts.headers = { ...opts.headers, authorization: `Bearer ${token}` };
          },
        }),
      );
    }
    return new KubeApi(
      import('@kubernetes/client-node').then(({ KubeConfig: Config }) => {
        const kc: KubeConfig = new Config();
        kc.loadFromDefault();
        const cluster = kc.getCurrentCluster();
        if (!cluster) throw new Error('no Kubernetes configuration: not in a cluster and no KUBECONFIG');
        return { server: cluster.server, apply: (opts: RequestOptions) => kc.applyToHTTPSOptions(opts) };
      }),
    );
  }

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ status: number; json: T | undefined; text: string }> {
    const conn = await this.conn;
    const url = new URL(path, conn.server);
    const opts: RequestOptions = { method, headers: { accept: 'application/json' }, timeout: 15_000 };
    await conn.apply(opts);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload)
      Object.assign(opts.headers ?? {}, { 'content-type': contentType, 'content-length': String(payload.length) });
    return new Promise((resolve, reject) => {
      const req = request(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: T | undefined;
          try {
            json = text ? (JSON.parse(text) as T) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, text });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}

interface MutatingWebhookConfiguration {
  webhooks?: { clientConfig?: { caBundle?: string } }[];
}

const MWC_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/';

/** The PEM caBundle of the first webhook of the named MutatingWebhookConfiguration ('' when none). */
export async function readCaBundle(api: KubeApi, name: string): Promise<string> {
  const r = await api.call<MutatingWebhookConfiguration>('GET', `${MWC_PATH}${encodeURIComponent(name)}`);
  if (r.status !== 200)
    throw new Error(`reading MutatingWebhookConfiguration ${name}: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
  const b64 = r.json?.webhooks?.[0]?.clientConfig?.caBundle ?? '';
  return Buffer.from(b64, 'base64').toString('utf8');
}

/** Sets the first webhook's caBundle (only that one, as vault-k8s). */
export async function writeCaBundle(api: KubeApi, name: string, pem: string): Promise<void> {
  const ops = [{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: Buffer.from(pem).toString('base64') }];
  const r = await api.call('PATCH', `${MWC_PATH}${encodeURIComponent(name)}`, ops, 'application/json-patch+json');
  if (r.status !== 200)
    throw new Error(
      `patching caBundle of MutatingWebhookConfiguration ${name}: HTTP ${r.status}: ${r.text.slice(0, 200)}`,
    );
}
