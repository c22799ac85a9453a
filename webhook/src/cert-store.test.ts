import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCertificateAuthority, issueCertificate } from '../../certs/src/authority.js';
import { mergeCaBundle } from '../../certs/src/ca-bundle.js';
import { createLogger } from '../../cli/log.js';
import { CERTS_SECRET, leafNeedsRenewal, SharedCerts, saveBackoffMs, secretForUpdate } from './cert-store.js';

interface Obj {
  metadata: {
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: unknown[];
  };
  data: Record<string, string>;
  [k: string]: unknown;
}

/**
 * A stand-in for the API server's Secret endpoints (GET/PUT/POST of one Secret, resourceVersion checked),
 * recording every call; `denyWrites` answers writes with 403 as a Role without `update` would.
 */
class FakeSecrets {
  secret: Obj | undefined;
  denyWrites = false;
  readonly calls: { method: string; body?: Obj }[] = [];
  private rv = 100;

  async call<T>(method: string, path: string, body?: unknown) {
    const reply = (status: number, json?: object) => ({
      status,
      json: json as T | undefined,
      text: JSON.stringify(json),
    });
    this.calls.push({ method, ...(body ? { body: structuredClone(body as Obj) } : {}) });
    assert.match(path, /^\/api\/v1\/namespaces\/ns\/secrets/);
    if (method === 'GET')
      return this.secret ? reply(200, structuredClone(this.secret)) : reply(404, { reason: 'NotFound' });
    if (this.denyWrites)
      return reply(403, { message: `secrets "${CERTS_SECRET}" is forbidden: cannot update`, reason: 'Forbidden' });
    const b = structuredClone(body as Obj);
    if (method === 'PUT' && b.metadata.resourceVersion !== this.secret?.metadata.resourceVersion)
      return reply(409, { message: 'the object has been modified', reason: 'Conflict' });
    if (method === 'POST' && this.secret) return reply(409, { message: 'already exists', reason: 'AlreadyExists' });
    b.metadata.resourceVersion = String(++this.rv);
    this.secret = b;
    return reply(method === 'POST' ? 201 : 200, structuredClone(b));
  }

  data(key: string): string | undefined {
    const v = this.secret?.data?.[key];
    return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
  }
}

function harness(api: FakeSecrets, leader = true) {
  const lines: string[] = [];
  const published: string[] = [];
  let caBundle = '';
  const served: string[] = [];
  const store = new SharedCerts({
    api,
    namespace: 'ns',
    elector: { isLeader: leader },
    hosts: ['injector.ns.svc'],
    validityMs: 86_400_000,
    renewFraction: 2 / 3,
    log: createLogger({ name: 'test', level: 'info', format: 'standard', write: (l) => lines.push(l) }),
    onBundle: (b) => served.push(b.certPem),
    publishCa: async (pem) => {
      published.push(pem);
      api.calls.push({ method: 'PUBLISH' });
      caBundle = mergeCaBundle(caBundle, pem);
    },
  });
  return { store, lines, published, served, bundle: () => caBundle };
}

const HELM_SECRET = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: CERTS_SECRET,
    namespace: 'ns',
    resourceVersion: '7',
    labels: { 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/instance': 'vi' },
    annotations: { 'meta.helm.sh/release-name': 'vi', 'meta.helm.sh/release-namespace': 'ns' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'u-1' }],
  },
  type: 'Opaque',
  data: { extra: Buffer.from([0xff, 0x00, 0xfe]).toString('base64') },
};

describe('webhook/cert-store', () => {
  it('001 a leaf is renewed after two thirds of its configured validity, not before', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const validity = 9000;
    const ca = await createCertificateAuthority({ commonName: 'ca', now: t0, validForMs: 86_400_000 });
    const leaf = await issueCertificate(ca, { commonName: 'l', usage: 'server', now: t0, validForMs: validity });
    const at = (ms: number) => leafNeedsRenewal(leaf, ca, new Date(t0.getTime() + ms), validity, 2 / 3);
    assert.equal(at(0), false);
    assert.equal(at(5900), false);
    assert.equal(at(6000), true);
    assert.equal(leafNeedsRenewal(undefined, ca, t0, validity, 2 / 3), true);
    const other = await createCertificateAuthority({ commonName: 'other', now: t0, validForMs: 86_400_000 });
    assert.equal(leafNeedsRenewal(leaf, other, t0, validity, 2 / 3), true, 'a leaf from another CA is replaced');
  });

  it('002 a new leader saves the CA, then publishes it, then issues and saves the leaf signed by it', async () => {
    const api = new FakeSecrets();
    const h = harness(api);
    const t0 = new Date();
    const bundle = await h.store.sync(t0);
    assert.deepEqual(
      api.calls.map((c) => c.method),
      ['GET', 'POST', 'PUBLISH', 'PUT'],
    );
    const ca = api.data('ca');
    assert.ok(ca && bundle);
    assert.deepEqual(h.published, [ca]);
    assert.ok(new X509Certificate(bundle.certPem).verify(new X509Certificate(ca).publicKey));
    assert.equal(bundle.certPem, api.data('cert'));
    assert.deepEqual(h.served, [bundle.certPem]);
    // a second round changes nothing
    await h.store.sync(new Date(t0.getTime() + 2000));
    assert.deepEqual(
      api.calls.slice(4).map((c) => c.method),
      ['GET', 'PUBLISH'],
    );
    assert.equal(h.bundle(), ca);
  });

  it('003 an update keeps the Helm labels, annotations, owner references and other data keys', async () => {
    const api = new FakeSecrets();
    api.secret = structuredClone(HELM_SECRET);
    await harness(api).store.sync();
    const puts = api.calls.filter((c) => c.method === 'PUT');
    assert.equal(puts.length, 2, 'the CA, then the leaf');
    for (const put of puts) {
      assert.deepEqual(put.body?.metadata.labels, HELM_SECRET.metadata.labels);
      assert.deepEqual(put.body?.metadata.annotations, HELM_SECRET.metadata.annotations);
      assert.deepEqual(put.body?.metadata.ownerReferences, HELM_SECRET.metadata.ownerReferences);
    }
    assert.deepEqual(api.secret?.metadata.labels, HELM_SECRET.metadata.labels);
    assert.equal(api.secret?.data.extra, HELM_SECRET.data.extra, 'binary data kept byte for byte');
    assert.ok(api.data('cert') && api.data('key') && api.data('ca') && api.data('ca-key'));
  });

  it('004 a leader that cannot write publishes nothing, makes one CA, logs each failed try and backs off', async () => {
    const api = new FakeSecrets();
    api.secret = structuredClone(HELM_SECRET);
    api.denyWrites = true;
    const h = harness(api);
    const t0 = Date.now();
    for (let s = 0; s <= 10; s++) assert.equal(await h.store.sync(new Date(t0 + s * 1000)), undefined);
    assert.deepEqual(h.published, [], 'no CA in the caBundle that is not stored');
    assert.equal(h.bundle(), '');
    assert.equal(h.lines.filter((l) => l.includes('generated a new CA')).length, 1);
    const errors = h.lines.filter((l) => l.includes('[ERROR]'));
    // tries at 0 s, 2 s, 6 s (backoff 2 s, then 4 s; the next is due at 14 s)
    assert.equal(errors.length, 3, errors.join('\n'));
    assert.match(errors[0] ?? '', /cannot store the certificates in the Secret.*status=403.*forbidden.*retry_in=2s/);
    assert.equal(api.calls.filter((c) => c.method === 'PUT').length, 3);
    // once writes are allowed, the CA made at the start is stored, published once, and a leaf issued
    api.denyWrites = false;
    const pending = api.calls.find((c) => c.method === 'PUT')?.body?.data.ca;
    const bundle = await h.store.sync(new Date(t0 + 14_000));
    assert.ok(bundle);
    assert.equal(api.secret?.data.ca, pending);
    assert.deepEqual(h.published, [api.data('ca')]);
    assert.match(h.lines.join(''), /stored the certificates after earlier failures/);
  });

  it('005 with a stored CA and a failing leaf save, only the stored CA is published and the old leaf served', async () => {
    const api = new FakeSecrets();
    const first = harness(api);
    const t0 = Date.now();
    const old = await first.store.sync(new Date(t0));
    assert.ok(old);
    api.denyWrites = true;
    const h = harness(api);
    // past two thirds of the day-long validity: the leaf is due
    const due = new Date(t0 + 17 * 3_600_000);
    assert.equal((await h.store.sync(due))?.certPem, old.certPem);
    assert.equal((await h.store.sync(new Date(due.getTime() + 1000)))?.certPem, old.certPem);
    assert.deepEqual(h.published, [api.data('ca')]);
    assert.equal(h.lines.filter((l) => l.includes('[ERROR]')).length, 1, 'the second round is within the backoff');
  });

  it('006 a follower never writes and serves what is stored', async () => {
    const api = new FakeSecrets();
    const h = harness(api, false);
    assert.equal(await h.store.sync(), undefined);
    assert.deepEqual(
      api.calls.map((c) => c.method),
      ['GET'],
    );
  });

  it('007 the update body and the backoff are as documented', () => {
    const body = secretForUpdate(undefined, { ca: 'x' });
    assert.deepEqual(body.metadata, { name: CERTS_SECRET });
    assert.equal(body.type, 'Opaque');
    assert.deepEqual(body.data, { ca: Buffer.from('x').toString('base64') });
    assert.deepEqual([1, 2, 3, 9, 20].map(saveBackoffMs), [2000, 4000, 8000, 300_000, 300_000]);
  });
});
