import assert from 'node:assert/strict';
import { podFromTemplate, sampleDeployment, templateHash } from './sample.js';

describe('demo sample workload', () => {
  it('001 the Deployment carries the walkthrough annotations and service account', () => {
    const d = sampleDeployment();
    assert.equal(d.metadata.namespace, 'busybox');
    assert.equal(d.metadata.name, 'busybox');
    const a = d.spec.template.metadata.annotations;
    assert.equal(a['vault.hashicorp.com/agent-inject'], 'true');
    assert.equal(a['vault.hashicorp.com/role'], 'busybox');
    assert.equal(a['vault.hashicorp.com/agent-inject-secret-devops_token'], 'secret/devops');
    assert.match(a['vault.hashicorp.com/agent-inject-template-devops_token'] ?? '', /\{\{ \.Data\.data\.token \}\}/);
    assert.equal(d.spec.template.spec.serviceAccountName, 'busybox');
  });

  it('002 the pod is the template with a ReplicaSet-style name and pod-template-hash label', () => {
    const d = sampleDeployment();
    const pod = podFromTemplate(d);
    const hash = templateHash(d.spec.template);
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    assert.equal(pod.metadata.generateName, `busybox-${hash}-`);
    assert.deepEqual(pod.metadata.labels, { app: 'busybox', 'pod-template-hash': hash });
    assert.deepEqual(pod.metadata.annotations, d.spec.template.metadata.annotations);
    assert.deepEqual(pod.spec, d.spec.template.spec);
    assert.notEqual(pod.spec, d.spec.template.spec, 'a copy, not the template itself');
  });

  it('003 the hash follows the template', () => {
    const d = sampleDeployment();
    const other = structuredClone(d.spec.template);
    other.metadata.labels.app = 'other';
    assert.equal(templateHash(d.spec.template), templateHash(sampleDeployment().spec.template));
    assert.notEqual(templateHash(other), templateHash(d.spec.template));
  });
});
