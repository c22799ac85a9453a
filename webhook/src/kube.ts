import { request } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * The injector's Kubernetes access: configuration from @kubernetes/client-node (in-cluster service
 * account, or KUBECONFIG when run outside a cluster), and plain JSON requests over it.
 */
export class KubeApi {
  private constructor(private readonly kc: KubeConfig) {}

  static fromEnvironment(): KubeApi {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    if (!kc.getCurrentCluster()) throw new Error('no Kubernetes configuration: not in a cluster and no KUBECONFIG');
    return new KubeApi(kc);
  }

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ status: number; json: T | undefined; text: string }> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('no current Kubernetes cluster');
    const url = new URL(path, cluster.server);
    const opts: import('node:https').RequestOptions = {
      method,
      headers: { accept: 'application/json' },
      timeout: 15_000,
    };
    await this.kc.applyToHTTPSOptions(opts);
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
