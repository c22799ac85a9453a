import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../cli/log.js';
import { injectorConfig, testPod } from './core/test-fixtures.js';
import { WebhookMetrics } from './metrics.js';
import { buildWebhookApp } from './server.js';

describe('webhook HTTP shell', () => {
  let server: Server;
  let base: string;
  const lines: string[] = [];
  const metrics = new WebhookMetrics({ processMetrics: false });

  before(async () => {
    const app = buildWebhookApp({
      cfg: injectorConfig({ telemetryPath: '/metrics' }),
      log: createLogger({ name: 'handler', level: 'info', format: 'json', write: (l) => lines.push(l) }),
      metrics,
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const review = (object: unknown, apiVersion = 'admission.k8s.io/v1') => ({
    apiVersion,
    kind: 'AdmissionReview',
    request: { uid: 'uid-1', namespace: 'app', operation: 'CREATE', object },
  });
  const post = (body: unknown, ct = 'application/json') =>
    fetch(`${base}/mutate`, {
      method: 'POST',
      headers: { 'content-type': ct },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('001 injects: same apiVersion, uid echoed, base64 JSONPatch', async () => {
    for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']) {
      const res = await post(review(testPod({ 'agent-inject': 'true', role: 'r' }), apiVersion));
      assert.equal(res.status, 200);
      const out = (await res.json()) as {
        apiVersion: string;
        kind: string;
        response: { uid: string; allowed: boolean; patchType: string; patch: string };
      };
      assert.equal(out.apiVersion, apiVersion);
      assert.equal(out.kind, 'AdmissionReview');
      assert.equal(out.response.uid, 'uid-1');
      assert.equal(out.response.allowed, true);
      assert.equal(out.response.patchType, 'JSONPatch');
      const ops = JSON.parse(Buffer.from(out.response.patch, 'base64').toString()) as { op: string; path: string }[];
      assert.ok(ops.some((o) => o.path === '/metadata/annotations/vault.hashicorp.com~1agent-inject-status'));
    }
  });

  it('002 a pod without annotations is allowed with no patch', async () => {
    const res = await post(review({ metadata: { name: 'x' }, spec: { containers: [{ name: 'c' }] } }));
    assert.deepEqual(await res.json(), {
      kind: 'AdmissionReview',
      apiVersion: 'admission.k8s.io/v1',
      response: { uid: 'uid-1', allowed: true },
    });
  });

  it('003 a bad annotation is denied with the annotation, value and what is allowed', async () => {
    const res = await post(review(testPod({ 'agent-inject': 'true', role: 'r', 'agent-pre-populate': 'yes' })));
    const out = (await res.json()) as { response: { allowed: boolean; status: { message: string } } };
    assert.equal(out.response.allowed, false);
    assert.equal(
      out.response.status.message,
      'error creating new agent sidecar: invalid value "yes" for annotation vault.hashicorp.com/agent-pre-populate: expected a boolean: true, false, 1, 0, t, f (any of TRUE/True/FALSE/False), or empty for false',
    );
  });

  it('004 wrong content type, empty body, non-JSON, non-AdmissionReview get 400 with a clear text', async () => {
    const cases: [unknown, string, RegExp][] = [
      ['{}', 'text/plain', /^Invalid content-type: "text\/plain"/],
      ['', 'application/json', /^Empty request body/],
      ['{nope', 'application/json', /^error decoding admission request: body is not JSON/],
      [{ kind: 'Pod' }, 'application/json', /kind is "Pod", expected "AdmissionReview"/],
      [
        { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v2' },
        'application/json',
        /apiVersion "admission.k8s.io\/v2" is not one of/,
      ],
      [{ kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1' }, 'application/json', /has no request/],
    ];
    for (const [body, ct, want] of cases) {
      const res = await post(body, ct);
      assert.equal(res.status, 400);
      assert.match(await res.text(), want);
    }
  });

  it('005 an oversized body gets 413', async () => {
    const res = await post(`{"x":"${'a'.repeat(8 * 1024 * 1024)}"}`);
    assert.equal(res.status, 413);
  });

  it('006 a malformed pod is denied, not a crash', async () => {
    const res = await post(review({ metadata: { annotations: { 'vault.hashicorp.com/agent-inject': 1 } } }));
    const out = (await res.json()) as { response: { allowed: boolean; status: { message: string } } };
    assert.equal(out.response.allowed, false);
    assert.match(
      out.response.status.message,
      /metadata.annotations\["vault.hashicorp.com\/agent-inject"\] must be a string/,
    );
  });

  it('007 health, metrics, 404', async () => {
    assert.equal((await fetch(`${base}/health/ready`)).status, 204);
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
      'vault_agent_injector_request_queue_length',
      'vault_agent_injector_request_processing_duration_ms_bucket',
      'vault_agent_injector_injections_by_namespace_total{namespace="app",injection_type="init_and_sidecar"}',
      'vault_agent_injector_failed_injections_by_namespace_total{namespace="app"}',
    ]) {
      assert.ok(text.includes(name), name);
    }
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });

  it('008 one log line per admission, with namespace, pod, decision, duration; no secret values', async () => {
    lines.length = 0;
    const pod = testPod({ 'agent-inject': 'true', role: 'r', 'agent-inject-template-db': '{{ "s3cr3t-literal" }}' });
    pod.metadata = { ...pod.metadata, name: undefined, generateName: 'web-7d9f-' };
    await post(review(pod));
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    assert.equal(line['@message'], 'admission');
    assert.equal(line.namespace, 'app');
    assert.equal(line.pod, 'web-7d9f-');
    assert.equal(line.decision, 'injected');
    assert.equal(typeof line.duration_ms, 'number');
    assert.ok(!(lines[0] ?? '').includes('s3cr3t-literal'));
  });
});
