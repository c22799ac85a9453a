import assert from 'node:assert/strict';
import { forwardableHeaders, type Route, type RouteContext, route, upstreamToken } from './routes.js';

const pad = (i: number): string => String(i + 1).padStart(3, '0');
const CTX: RouteContext = { enableQuit: true, metricsOnly: false, requireRequestHeader: false, hasMetrics: true };

interface Case {
  readonly name: string;
  readonly method: string;
  readonly url: string;
  readonly ctx?: Partial<RouteContext>;
  readonly headers?: Record<string, string>;
  readonly want: Route;
}

const CASES: Case[] = [
  { name: 'quit POST', method: 'POST', url: '/agent/v1/quit', want: { kind: 'quit' } },
  { name: 'quit GET is 405', method: 'GET', url: '/agent/v1/quit', want: { kind: 'status', status: 405 } },
  {
    name: 'quit disabled is 404 whatever the method',
    method: 'GET',
    url: '/agent/v1/quit',
    ctx: { enableQuit: false },
    want: { kind: 'status', status: 404 },
  },
  { name: 'metrics GET', method: 'GET', url: '/agent/v1/metrics', want: { kind: 'metrics' } },
  {
    name: 'metrics ?format=prometheus',
    method: 'GET',
    url: '/agent/v1/metrics?format=prometheus',
    want: { kind: 'metrics' },
  },
  {
    name: 'metrics other format is 400',
    method: 'GET',
    url: '/agent/v1/metrics?format=json',
    want: { kind: 'status', status: 400, errors: ['unsupported metrics format "json"; use format=prometheus'] },
  },
  { name: 'metrics POST is 405', method: 'POST', url: '/agent/v1/metrics', want: { kind: 'status', status: 405 } },
  {
    name: 'metrics without a source is 404',
    method: 'GET',
    url: '/agent/v1/metrics',
    ctx: { hasMetrics: false },
    want: { kind: 'status', status: 404 },
  },
  { name: 'everything else is proxied', method: 'GET', url: '/v1/secret/data/x?version=2', want: { kind: 'proxy' } },
  {
    name: 'metrics_only listener refuses the proxy',
    method: 'GET',
    url: '/v1/sys/health',
    ctx: { metricsOnly: true },
    want: { kind: 'status', status: 404 },
  },
  {
    name: 'metrics_only listener still serves metrics',
    method: 'GET',
    url: '/agent/v1/metrics',
    ctx: { metricsOnly: true },
    want: { kind: 'metrics' },
  },
  {
    name: 'require_request_header without the header is 412',
    method: 'GET',
    url: '/v1/sys/health',
    ctx: { requireRequestHeader: true },
    want: { kind: 'status', status: 412, errors: ["missing 'X-Vault-Request' header"] },
  },
  {
    name: 'require_request_header with it proxies',
    method: 'GET',
    url: '/v1/sys/health',
    ctx: { requireRequestHeader: true },
    headers: { 'x-vault-request': 'true' },
    want: { kind: 'proxy' },
  },
];

describe('agent listener: routes', () => {
  CASES.forEach((c, i) => {
    it(`${pad(i)} ${c.name}`, () => {
      assert.deepEqual(route(c.method, c.url, c.headers ?? {}, { ...CTX, ...c.ctx }), c.want);
    });
  });
});

describe('agent listener: upstream token and headers', () => {
  it('001 use_auto_auth_token modes', () => {
    assert.equal(upstreamToken(undefined, true, 'agent'), 'agent');
    assert.equal(upstreamToken('', true, 'agent'), 'agent');
    assert.equal(upstreamToken('client', true, 'agent'), 'client');
    assert.equal(upstreamToken('client', 'force', 'agent'), 'agent');
    assert.equal(upstreamToken(undefined, 'force', undefined), undefined);
    assert.equal(upstreamToken(undefined, false, 'agent'), undefined);
    assert.equal(upstreamToken('client', false, 'agent'), 'client');
  });

  it('002 hop-by-hop headers (and those named by Connection) are not forwarded', () => {
    assert.deepEqual(
      forwardableHeaders({
        host: 'agent',
        connection: 'keep-alive, X-Private',
        'x-private': 'p',
        'transfer-encoding': 'chunked',
        'X-Vault-Namespace': 'ns1',
        'content-type': 'application/json',
        'set-cookie': ['a=1', 'b=2'],
      }),
      { 'x-vault-namespace': 'ns1', 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] },
    );
  });
});
