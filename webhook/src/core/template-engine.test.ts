// Ours (no vault-k8s counterpart): `agent-inject-engine-<name>` picks the template language per secret.
import assert from 'node:assert/strict';
import type { VaultConfig } from '../../../agent/src/config/schema.js';
import { denyMessage } from './errors.js';
import { mutate } from './mutate.js';
import type { Pod } from './pod-types.js';
import { injectorConfig, testPod } from './test-fixtures.js';

const OWN = injectorConfig({ vaultImage: 'vault-injector/agent:0.1.0', vaultAddress: 'http://vault:8200' });
const VAULT = injectorConfig({ vaultImage: 'hashicorp/vault:1.21', vaultAddress: 'http://vault:8200' });

function templates(pod: Pod, cfg = OWN) {
  const r = mutate(pod, 'app', cfg);
  if (r.kind !== 'inject')
    assert.fail(`expected injection, got ${r.kind}${r.kind === 'deny' ? `: ${denyMessage(r.error)}` : ''}`);
  const init = r.pod.spec?.initContainers?.find((c) => c.name === 'vault-agent-init');
  const raw = init?.env?.find((e) => e.name === 'VAULT_CONFIG')?.value ?? '';
  return (JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as VaultConfig).template ?? [];
}

const pod = (extra: Record<string, string>) =>
  testPod({
    'agent-inject': 'true',
    role: 'app',
    'agent-inject-secret-db': 'database/creds/app',
    'agent-inject-secret-kv': 'secret/data/app',
    ...extra,
  });

describe('template engine annotation (ours)', () => {
  it('Go stays the default and writes no engine key, so Vault Agent accepts the config', () => {
    for (const t of templates(pod({}), VAULT)) assert.equal('engine' in t, false);
    for (const t of templates(pod({ 'agent-inject-engine-db': 'go' }))) assert.equal('engine' in t, false);
  });

  it('handlebars is written for that secret only', () => {
    const ts = templates(
      pod({
        'agent-inject-engine-db': 'Handlebars',
        'agent-inject-template-db': '{{#with (secret "database/creds/app")}}{{Data.username}}{{/with}}',
      }),
    );
    assert.deepEqual(
      ts.map((t) => [t.destination, t.engine]),
      [
        ['/vault/secrets/db', 'handlebars'],
        ['/vault/secrets/kv', undefined],
      ],
    );
  });

  it('an unknown language is denied, naming the annotation, the value and what is allowed', () => {
    const r = mutate(pod({ 'agent-inject-engine-db': 'mustache' }), 'app', OWN);
    assert.equal(r.kind, 'deny');
    if (r.kind !== 'deny') return;
    const m = denyMessage(r.error);
    assert.match(m, /agent-inject-engine-db/);
    assert.match(m, /mustache/);
    assert.match(m, /go or handlebars/);
  });

  it('handlebars with the Vault Agent image is denied instead of failing later in the pod', () => {
    const r = mutate(pod({ 'agent-inject-engine-kv': 'handlebars' }), 'app', VAULT);
    assert.equal(r.kind, 'deny');
    if (r.kind !== 'deny') return;
    assert.match(denyMessage(r.error), /engine-kv=handlebars needs the vault-injector agent image/);
  });
});

describe('default agent image', () => {
  it('is our own agent image at the package version', async () => {
    const { DEFAULT_AGENT_IMAGE } = await import('./annotations.js');
    const { packageVersion } = await import('../../../cli/version.js');
    assert.equal(DEFAULT_AGENT_IMAGE, `vault-injector/agent:${packageVersion()}`);
  });
});
