import assert from 'node:assert/strict';
import { AgentMetrics } from './metrics.js';

const metricValue = (text: string, name: string): string | undefined =>
  text
    .split('\n')
    .find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    ?.split(' ')
    .at(-1);

describe('agent metrics', () => {
  it('001 auth success/failure counters and the authenticated gauge', async () => {
    const m = new AgentMetrics();
    assert.equal(metricValue(await m.text(), 'vault_agent_authenticated'), '0');
    m.authFailure();
    m.authFailure();
    m.authSuccess();
    let text = await m.text();
    assert.equal(metricValue(text, 'vault_agent_auth_failure'), '2');
    assert.equal(metricValue(text, 'vault_agent_auth_success'), '1');
    assert.equal(metricValue(text, 'vault_agent_authenticated'), '1');
    m.authLost();
    text = await m.text();
    assert.equal(metricValue(text, 'vault_agent_authenticated'), '0');
  });

  it('002 template renders by outcome, proxy outcomes, custom prefix, registries are private', async () => {
    const m = new AgentMetrics({ prefix: 'acme' });
    const other = new AgentMetrics({ prefix: 'acme' }); // same names, no clash: nothing global
    m.templateRendered('written');
    m.templateRendered('written');
    m.templateRendered('failed');
    m.proxyResponse(200);
    m.proxyResponse(403);
    m.proxyFailure();
    const text = await m.text();
    assert.match(text, /^acme_agent_template_render\{outcome="written"\} 2$/m);
    assert.match(text, /^acme_agent_template_render\{outcome="failed"\} 1$/m);
    assert.equal(metricValue(text, 'acme_agent_proxy_success'), '2');
    assert.equal(metricValue(text, 'acme_agent_proxy_client_error'), '1');
    assert.equal(metricValue(text, 'acme_agent_proxy_error'), '1');
    assert.doesNotMatch(await other.text(), /outcome="written"/);
  });
});
