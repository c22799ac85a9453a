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

/** The fields of the stored Secret we read or must keep on update. */
interface StoredSecret {
  metadata: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: unknown[];
    finalizers?: string[];
  };
  type?: string;
  data?: Record<string, string>;
}

const decode = (d: Record<string, string> | undefined): SecretData =>
  Object.fromEntries(Object.entries(d ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
const encode = (d: SecretData): Record<string, string> =>
  Object.fromEntries(
    Object.entries(d)
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => [k, Buffer.from(v as string).toString('base64')]),
  );

/**
 * The Secret to PUT (or POST when there is none): the stored object's metadata kept as it is (Helm's labels and
 * annotations, owner references, finalizers; the resourceVersion as the write's precondition), its other data
 * keys kept byte for byte, and our keys replaced. Pure.
 */
export function secretForUpdate(
  stored: StoredSecret | undefined,
  ours: SecretData,
): StoredSecret & { apiVersion: 'v1'; kind: 'Secret' } {
  const m = stored?.metadata ?? {};
  const metadata: StoredSecret['metadata'] = { name: CERTS_SECRET };
  if (m.namespace) metadata.namespace = m.namespace;
  if (m.resourceVersion) metadata.resourceVersion = m.resourceVersion;
  if (m.labels) metadata.labels = { ...m.labels };
  if (m.annotations) metadata.annotations = { ...m.annotations };
  if (m.ownerReferences) metadata.ownerReferences = structuredClone(m.ownerReferences);
  if (m.finalizers) metadata.finalizers = [...m.finalizers];
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata,
    type: stored?.type ?? 'Opaque',
    data: { ...(stored?.data ?? {}), ...encode(ours) },
  };
}

/** Wait before the n-th retry (n >= 1) of a failed save: 2 s doubling to 5 minutes. */
export function saveBackoffMs(failures: number): number {
  return Math.min(2000 * 2 ** Math.max(0, failures - 1), 300_000);
}

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
  readonly api: Pick<KubeApi, 'call'>;
  readonly namespace: string;
  readonly elector: Pick<LeaderElector, 'isLeader'>;
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
 *
 * Only what is stored is ever published or served: a new CA is saved first, then published, and only
 * then is a leaf signed by it issued and saved, so no replica serves a certificate the caBundle does not
 * trust. A failed save keeps everything as stored and is retried with backoff (one error line each).
 */
export class SharedCerts {
  private served: string | undefined;
  private readonly path: string;
  /** A CA made but not yet stored: reused on the retry, so a failing save makes no new keys each round. */
  private pendingCa: CertificateAuthority | undefined;
  private saveFailures = 0;
  private retryAt = 0;

  constructor(private readonly opts: SharedCertsOptions) {
    this.path = `/api/v1/namespaces/${encodeURIComponent(opts.namespace)}/secrets`;
  }

  /** One round: leader work when leading, then serve the Secret's certificate if it changed. */
  async sync(now = new Date()): Promise<CertBundle | undefined> {
    const got = await this.opts.api.call<StoredSecret>('GET', `${this.path}/${CERTS_SECRET}`);
    if (got.status !== 200 && got.status !== 404) throw new Error(`reading Secret ${CERTS_SECRET}: HTTP ${got.status}`);
    let stored = got.status === 200 ? got.json : undefined;
    if (this.opts.elector.isLeader) stored = await this.lead(stored, now);
    const data = decode(stored?.data);
    if (!data.cert || !data.key) return undefined;
    const bundle: CertBundle = { certPem: data.cert, keyPem: data.key, ...(data.ca ? { caPem: data.ca } : {}) };
    if (bundleProblem(bundle)) return undefined;
    if (bundle.certPem !== this.served) {
      this.served = bundle.certPem;
      this.opts.onBundle(bundle);
    }
    return bundle;
  }

  /** Leader work; returns the Secret as stored afterwards (unchanged when a save failed or is backing off). */
  private async lead(stored: StoredSecret | undefined, now: Date): Promise<StoredSecret | undefined> {
    if (now.getTime() < this.retryAt) return stored;
    let current = stored;
    let data = decode(current?.data);
    let ca: CertificateAuthority | undefined;
    if (data.ca && data['ca-key'])
      ca = await loadCertificateAuthority({ certPem: data.ca, keyPem: data['ca-key'] }).catch(() => undefined);
    if (ca) this.pendingCa = undefined;
    else {
      if (!this.pendingCa) {
        this.pendingCa = await createCertificateAuthority({
          commonName: 'Agent Inject CA',
          now,
          validForMs: 10 * YEAR,
        });
        this.opts.log.info('generated a new CA', { secret: CERTS_SECRET });
      }
      // The old leaf (if any) stays: it is served until the new CA is published and a new leaf stored.
      const saved = await this.save(
        current,
        { ...data, ca: this.pendingCa.certPem, 'ca-key': this.pendingCa.keyPem },
        now,
      );
      if (!saved) return current;
      ca = this.pendingCa;
      this.pendingCa = undefined;
      current = saved;
      data = decode(current.data);
    }
    // Publish the stored CA before any replica can serve a certificate signed by it (idempotent).
    await this.opts.publishCa(ca.certPem);
    const leaf = data.cert && data.key ? { certPem: data.cert, keyPem: data.key } : undefined;
    if (leafNeedsRenewal(leaf, ca, now, this.opts.validityMs, this.opts.renewFraction)) {
      const issued = await issueServingCertificate(ca, {
        commonName: 'Agent Inject Service',
        hosts: this.opts.hosts,
        now,
        validForMs: this.opts.validityMs,
      });
      const saved = await this.save(current, { ...data, cert: issued.certPem, key: issued.keyPem }, now);
      if (!saved) return current;
      current = saved;
      this.opts.log.info(leaf ? 'renewed the serving certificate' : 'issued the serving certificate', {
        secret: CERTS_SECRET,
      });
    }
    return current;
  }

  /**
   * PUT (or POST when missing) the Secret with our keys; returns what the API server stored, or undefined
   * after logging the failure and scheduling the retry.
   */
  private async save(stored: StoredSecret | undefined, ours: SecretData, now: Date): Promise<StoredSecret | undefined> {
    const { cert, key, ca, 'ca-key': caKey } = ours;
    const body = secretForUpdate(stored, { cert, key, ca, 'ca-key': caKey });
    const r = stored?.metadata.resourceVersion
      ? await this.opts.api.call<StoredSecret>('PUT', `${this.path}/${CERTS_SECRET}`, body)
      : await this.opts.api.call<StoredSecret>('POST', this.path, body);
    if ((r.status === 200 || r.status === 201) && r.json) {
      if (this.saveFailures > 0)
        this.opts.log.info('stored the certificates after earlier failures', { secret: CERTS_SECRET });
      this.saveFailures = 0;
      this.retryAt = 0;
      return r.json;
    }
    this.saveFailures++;
    const waitMs = saveBackoffMs(this.saveFailures);
    this.retryAt = now.getTime() + waitMs;
    const reason = r.json && (r.json as { message?: unknown }).message;
    // 409: another replica wrote it meanwhile (a leader change), which the next round reads; anything else
    // (403 from RBAC, 422...) needs the operator, so it is an error.
    const level = r.status === 409 ? 'warn' : 'error';
    this.opts.log.log(level, 'cannot store the certificates in the Secret; serving what it holds and retrying', {
      secret: CERTS_SECRET,
      method: stored?.metadata.resourceVersion ? 'PUT' : 'POST',
      status: r.status,
      reason: typeof reason === 'string' ? reason.slice(0, 200) : r.text.slice(0, 200),
      retry_in: `${waitMs / 1000}s`,
    });
    return undefined;
  }
}
