import assert from 'node:assert/strict';
import {
  collectionPath,
  containerEnv,
  deploymentContainers,
  parseManifests,
  pointWebhooksAt,
  type RenderedObject,
  setArgs,
} from './chart-objects.js';

describe('chart suite helpers', () => {
  it('001 parseManifests skips empty documents and keeps the rest in order', () => {
    const objs = parseManifests(
      '---\n# Source: x\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n',
    );
    assert.deepEqual(
      objs.map((o) => [o.kind, o.metadata.name]),
      [
        ['Secret', 'a'],
        ['Service', 'b'],
      ],
    );
  });

  it('002 parseManifests names a document without kind', () => {
    assert.throws(
      () => parseManifests('apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n---\nfoo: bar\n'),
      /document 2 has no apiVersion, kind or metadata.name/,
    );
  });

  it('003 collectionPath: core, grouped, cluster-scoped, unknown kinds and missing namespaces', () => {
    const o = (apiVersion: string, kind: string, namespace?: string) =>
      ({ apiVersion, kind, metadata: { name: 'n', ...(namespace ? { namespace } : {}) } }) as RenderedObject;
    assert.equal(collectionPath(o('v1', 'Secret', 'vault')), '/api/v1/namespaces/vault/secrets');
    assert.equal(collectionPath(o('apps/v1', 'Deployment', 'vault')), '/apis/apps/v1/namespaces/vault/deployments');
    assert.equal(
      collectionPath(o('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration')),
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
    );
    assert.throws(() => collectionPath(o('v1', 'ConfigMap', 'x')), /no REST mapping for kind ConfigMap/);
    assert.throws(() => collectionPath(o('v1', 'Secret')), /Secret n is rendered without a namespace/);
  });

  it('004 containerEnv resolves the downward-API fields and refuses other sources', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'c',
                image: 'i',
                env: [
                  { name: 'A', value: '1' },
                  { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                ],
              },
            ],
          },
        },
      },
    } as RenderedObject;
    const [c] = deploymentContainers(deployment);
    assert.ok(c);
    assert.deepEqual(containerEnv(c, { name: 'p', namespace: 'ns' }), { A: '1', NAMESPACE: 'ns', POD_NAME: 'p' });
    assert.throws(
      () =>
        containerEnv(
          { name: 'c', image: 'i', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] },
          { name: 'p', namespace: 'ns' },
        ),
      /env X of container c: unsupported valueFrom/,
    );
  });

  it('005 pointWebhooksAt swaps the Service for a URL, keeps the caBundle, leaves the original alone', () => {
    const mwc = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'cfg' },
      webhooks: [{ name: 'w', clientConfig: { service: { name: 's', namespace: 'n' }, caBundle: 'Q0E=' } }],
    } as RenderedObject;
    const moved = pointWebhooksAt(mwc, 'https://127.0.0.1:1/mutate');
    assert.deepEqual((moved.webhooks as unknown[])[0], {
      name: 'w',
      clientConfig: { url: 'https://127.0.0.1:1/mutate', caBundle: 'Q0E=' },
    });
    assert.ok((mwc.webhooks as { clientConfig: { service?: unknown } }[])[0]?.clientConfig.service);
  });

  it('006 setArgs keeps the order of the sets', () => {
    assert.deepEqual(setArgs({ 'global.enabled': 'false', 'injector.replicas': '3' }), [
      '--set',
      'global.enabled=false',
      '--set',
      'injector.replicas=3',
    ]);
  });
});
