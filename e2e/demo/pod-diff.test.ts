import assert from 'node:assert/strict';
import { diffLines, type JsonObject, orderLike, podDiff, podView } from './pod-diff.js';

const submitted: JsonObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    generateName: 'busybox-abc-',
    labels: { app: 'busybox' },
    annotations: { 'vault.hashicorp.com/role': 'r' },
  },
  spec: {
    serviceAccountName: 'busybox',
    containers: [{ name: 'app', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '1'] }],
  },
};

/** What the API server returns: the webhook's additions plus its own defaults, in its own key order. */
const stored: JsonObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'busybox-abc-x1y2z',
    uid: 'u',
    labels: { app: 'busybox' },
    annotations: { 'vault.hashicorp.com/agent-inject-status': 'injected', 'vault.hashicorp.com/role': 'r' },
  },
  spec: {
    volumes: [
      { name: 'kube-api-access-q8x7z', projected: { sources: [] } },
      { name: 'vault-secrets', emptyDir: { medium: 'Memory' } },
    ],
    initContainers: [
      {
        name: 'vault-agent-init',
        image: 'hashicorp/vault:1.14.8',
        env: [
          { name: 'NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
          { name: 'VAULT_CONFIG', value: 'e'.repeat(900) },
        ],
        resources: {},
        volumeMounts: [{ name: 'vault-secrets', mountPath: '/vault/secrets' }],
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      },
    ],
    containers: [
      {
        name: 'app',
        image: 'busybox',
        command: ['sleep', '1'],
        resources: {},
        volumeMounts: [
          { name: 'vault-secrets', mountPath: '/vault/secrets' },
          { name: 'kube-api-access-q8x7z', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
        ],
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      },
    ],
    serviceAccountName: 'busybox',
    dnsPolicy: 'ClusterFirst',
  },
};

describe('demo pod diff', () => {
  it('001 shows only what the webhook added: annotation, init container, mount, volume', () => {
    const diff = podDiff(submitted, stored);
    const added = diff.text.split('\n').filter((l) => l.startsWith('+'));
    assert.equal(diff.removed, 0, diff.text);
    assert.ok(added.includes('+     vault.hashicorp.com/agent-inject-status: injected'), diff.text);
    assert.ok(added.includes('+   initContainers:'), diff.text);
    assert.ok(added.includes('+     - name: vault-agent-init'), diff.text);
    assert.ok(added.includes('+         - name: vault-secrets'), diff.text);
    assert.ok(added.includes('+     - name: vault-secrets'), diff.text);
    assert.ok(diff.text.includes('      - name: app'), 'the app container is context, not a change');
    assert.doesNotMatch(diff.text, /kube-api-access|terminationMessage|dnsPolicy|resources: \{\}|apiVersion: v1/);
    assert.equal(diff.added, added.length);
  });

  it('002 a removal by the webhook shows as a - line', () => {
    const changed = structuredClone(stored);
    const app = (changed.spec as { containers: JsonObject[] }).containers[0]!;
    app.command = ['sleep', '2'];
    const diff = podDiff(submitted, changed);
    assert.match(diff.text, /^- {9}- "1"$/m);
    assert.match(diff.text, /^\+ {9}- "2"$/m);
  });

  it('003 long one-line values are cut with their length; multi-line ones are kept', () => {
    const view = JSON.stringify(podView(stored, submitted));
    assert.match(view, /e{20,}… \(900 characters\)/);
    assert.ok(!view.includes('e'.repeat(200)));
  });

  it('004 orderLike takes the reference key order and matches list items by name', () => {
    const ordered = orderLike({ b: 1, a: [{ name: 'x', z: 1, y: 2 }], c: 3 }, { a: [{ name: 'x', y: 0, z: 0 }], b: 0 });
    assert.equal(JSON.stringify(ordered), '{"a":[{"name":"x","y":2,"z":1}],"b":1,"c":3}');
  });

  it('005 diffLines keeps common lines in order', () => {
    assert.deepEqual(
      diffLines(['a', 'b', 'c'], ['a', 'x', 'c', 'd']).map((l) => `${l.op}${l.text}`),
      [' a', '-b', '+x', ' c', '+d'],
    );
  });
});
