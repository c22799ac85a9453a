import assert from 'node:assert/strict';
import { OUR_AGENT_IMAGE, podForDeployment, podForJob, seedAgentImage, vaultAnnotations } from './seed-stack.js';

describe('seed stack helpers', () => {
  it('001 the agent image is E2E_AGENT_IMAGE when set, else our agent', () => {
    assert.equal(seedAgentImage({}), OUR_AGENT_IMAGE);
    assert.equal(seedAgentImage({ E2E_AGENT_IMAGE: ' ' }), OUR_AGENT_IMAGE);
    assert.equal(seedAgentImage({ E2E_AGENT_IMAGE: 'hashicorp/vault:1.14.8' }), 'hashicorp/vault:1.14.8');
  });

  it('002 a Deployment pod is named <deployment>-<hash>-<suffix> and carries the template', () => {
    const template = {
      metadata: { labels: { app: 'busybox' }, annotations: vaultAnnotations({ role: 'busybox' }) },
      spec: { containers: [{ name: 'busybox' }] },
    };
    const pod = podForDeployment({ metadata: { name: 'busybox-deployment' }, spec: { template } });
    assert.match(pod.metadata.name, /^busybox-deployment-[0-9a-f]{10}-[a-z0-9]{5}$/);
    assert.equal((pod.metadata.labels as Record<string, string>).app, 'busybox');
    assert.equal(pod.metadata.labels['pod-template-hash'], pod.metadata.name.split('-')[2]);
    assert.deepEqual(pod.metadata.annotations, { 'vault.hashicorp.com/role': 'busybox' });
    assert.deepEqual(pod.spec, template.spec);
    assert.notEqual(pod.spec, template.spec, 'a copy, not the template itself');
  });

  it('003 a Job pod is owned by the Job and labelled with its name and uid', () => {
    const pod = podForJob({
      metadata: { name: 'job', uid: 'u-1' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [] } } },
    });
    assert.match(pod.metadata.name, /^job-[a-z0-9]{5}$/);
    assert.equal(pod.metadata.labels['batch.kubernetes.io/job-name'], 'job');
    assert.equal(pod.metadata.labels['controller-uid'], 'u-1');
    assert.deepEqual(
      pod.metadata.ownerReferences.map((o) => [o.kind, o.name, o.uid, o.controller]),
      [['Job', 'job', 'u-1', true]],
    );
  });
});
