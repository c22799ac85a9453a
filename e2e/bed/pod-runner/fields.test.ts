import assert from 'node:assert/strict';
import { expandVars, fieldValue } from './fields.js';
import type { Pod } from './types.js';

const pod: Pod = {
  metadata: { name: 'app-1', namespace: 'demo', uid: 'u-1', labels: { app: 'web' }, annotations: { a: 'b' } },
  spec: { containers: [], serviceAccountName: 'app' },
};

describe('pod-runner fields', () => {
  it('001 resolves the fieldRefs pods use', () => {
    assert.equal(fieldValue(pod, 'metadata.name'), 'app-1');
    assert.equal(fieldValue(pod, 'metadata.namespace'), 'demo');
    assert.equal(fieldValue(pod, 'status.podIP'), '127.0.0.1');
    assert.equal(fieldValue(pod, 'status.hostIP'), '127.0.0.1');
    assert.equal(fieldValue(pod, "metadata.labels['app']"), 'web');
    assert.equal(fieldValue(pod, 'spec.serviceAccountName'), 'app');
  });
  it('002 rejects unknown field paths by name', () => {
    assert.throws(() => fieldValue(pod, 'spec.bogus'), /unsupported fieldRef fieldPath "spec.bogus"/);
  });
  it('003 expands $(VAR), keeps unknown references, and unescapes $$', () => {
    const vars = new Map([['A', 'x']]);
    assert.equal(expandVars('$(A)-$(B)-$$(A)', vars), 'x-$(B)-$(A)');
  });
});
