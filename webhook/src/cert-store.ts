import { X509Certificate } from 'node:crypto';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueServingCertificate,
  type KeyPairPem,
  loadCertificateAuthority,
} from '../../certs/src/authority.js';
import { bundleProblem, type CertBundle } from '../../certs/src/file-source.js';
import type { Logger } from '../../cli/log.js';
import type { KubeApi } from './kube.js';
import type { LeaderElector } from './leader.js';

/** The Secret replicas share: `cert`/`key` as vault-k8s writes them, plus the CA so it survives a new leader. */
export const CERTS_SECRET = 'vault-injector-certs';
const YEAR = 365 * 86_400_000;

interface SecretData {
  cert?: string;
  key?: string;
  ca?: string;
  'ca-key'?: string;
}

interface StoredSecret {
  metadata: { resourceVersion?: string };
  data?: Record<string, string>;
}

const decode = (d: Record<string, string> | undefined): SecretData =>
  Object.fromEntries(Object.entries(d ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
const encode = (d: SecretData): Record<string, string> =>
  Object.fromEntries(Object.entries(d).map(([k, v]) => [k, Buffer.from(v as string).toString('base64')]));

/**
 * True when the leaf should be replaced: unusable, not from this CA, or past `renewFraction` of the
 * configured validity (counted back from notAfter, since notBefore is backdated for clock skew).
 */
export function leafNeedsRenewal(
  leaf: KeyPairPem | undefined,
  ca: CertificateAuthority,
  now: Date,
  validityMs: number,
  renewFraction: number,
): boolean {
  if (!leaf || bundleProblem({ certPem: leaf.certPem, keyPem: leaf.keyPem })) return true;
  const cert = new X509Certificate(leaf.certPem);
  if (!cert.verify(new X509Certificate(ca.certPem).publicKey)) return true;
  return now.getTime() >= Date.parse(cert.validTo) - validityMs * (1 - renewFraction);
}

export interface SharedCertsOptions {
  readonly api: KubeApi;
  readonly namespace: string;
  readonly elector: LeaderElector;
  readonly hosts: readonly string[];
  readonly validityMs: number;
  readonly renewFraction: number;
  readonly log: Logger;
  readonly onBundle: (b: CertBundle) => void;
  readonly publishCa: (caPem: string) => Promise<void>;
}

/**
 * Multi-replica auto TLS: the leader keeps the CA and the serving certificate in the Secret (making
 * them when missing or due) and publishes the CA; every replica serves what the Secret holds.
 */
export class SharedCerts {
  private served: string | undefined;
  private readonly path: string;

  constructor(private readonly opts: SharedCertsOptions) {
    this.path = `/api/v1/namespaces/${encodeURIComponent(opts.namespace)}/secrets`;
  }

  /** One round: leader work when leading, then serve the Secret's certificate if it changed. */
  async sync(now = new Date()): Promise<CertBundle | undefined> {
    const got = await this.opts.api.call<StoredSecret>('GET', `${this.path}/${CERTS_SECRET}`);
    if (got.status !== 200 && got.status !== 404) throw new Error(`reading Secret ${CERTS_SECRET}: HTTP ${got.status}`);
    let data = got.status === 200 ? decode(got.json?.data) : {};
    if (this.opts.elector.isLeader)
      data = await this.lead(data, got.status === 200 ? got.json?.metadata.resourceVersion : undefined, now);
    if (!data.cert || !data.key) return undefined;
    const bundle: CertBundle = { certPem: data.cert, keyPem: data.key, ...(data.ca ? { caPem: data.ca } : {}) };
    if (bundleProblem(bundle)) return undefined;
    if (bundle.certPem !== this.served) {
      this.served = bundle.certPem;
      this.opts.onBundle(bundle);
    }
    return bundle;
  }

  private async lead(data: SecretData, resourceVersion: string | undefined, now: Date): Promise<SecretData> {
    let ca: CertificateAuthority | undefined;
    if (data.ca && data['ca-key'])
      ca = await loadCertificateAuthority({ certPem: data.ca, keyPem: data['ca-key'] }).catch(() => undefined);
    const next: SecretData = { ...data };
    if (!ca) {
      ca = await createCertificateAuthority({ commonName: 'Agent Inject CA', now, validForMs: 10 * YEAR });
      next.ca = ca.certPem;
      next['ca-key'] = ca.keyPem;
      this.opts.log.info('generated a new CA', { secret: CERTS_SECRET });
    }
    const leaf = data.cert && data.key ? { certPem: data.cert, keyPem: data.key } : undefined;
    if (leafNeedsRenewal(leaf, ca, now, this.opts.validityMs, this.opts.renewFraction)) {
      const issued = await issueServingCertificate(ca, {
        commonName: 'Agent Inject Service',
        hosts: this.opts.hosts,
        now,
        validForMs: this.opts.validityMs,
      });
      next.cert = issued.certPem;
      next.key = issued.keyPem;
      this.opts.log.info(leaf ? 'renewed the serving certificate' : 'issued the serving certificate', {
        secret: CERTS_SECRET,
      });
    }
    // Publish the CA before any replica serves a certificate signed by it.
    await this.opts.publishCa(ca.certPem);
    if (next.cert !== data.cert || next.ca !== data.ca) {
      const body = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: CERTS_SECRET, ...(resourceVersion ? { resourceVersion } : {}) },
        type: 'Opaque',
        data: encode(next),
      };
      const r = resourceVersion
        ? await this.opts.api.call('PUT', `${this.path}/${CERTS_SECRET}`, body)
        : await this.opts.api.call('POST', this.path, body);
      if (r.status !== 200 && r.status !== 201)
        throw new Error(`writing Secret ${CERTS_SECRET}: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
    }
    return next;
  }
}
