import assert from 'node:assert/strict';
import { DEFAULT_SCHEDULE } from './agent-config.js';
import { countKinds, expectedPerHour, perHour, requestKind, totalOf } from './agent-requests.js';

describe('bench:agent request kinds', () => {
  it('classifies what an agent sends by path and method', () => {
    assert.equal(requestKind('PUT', '/v1/auth/approle/login'), 'login');
    assert.equal(requestKind('PUT', '/v1/auth/token/renew-self'), 'token renew');
    assert.equal(requestKind('GET', '/v1/auth/token/lookup-self'), 'token lookup');
    assert.equal(requestKind('GET', '/v1/sys/internal/ui/mounts/secret/data/bench/app'), 'mount lookup');
    assert.equal(requestKind('GET', '/v1/secret/data/bench/app?version=2'), 'KV v2 read');
    assert.equal(requestKind('GET', '/v1/kv1/bench/rotating'), 'KV v1 read');
    assert.equal(requestKind('PUT', '/v1/pki/issue/example-dot-com'), 'PKI issue');
    assert.equal(requestKind('POST', '/v1/pki/issue/example-dot-com'), 'PKI issue');
    assert.equal(requestKind('GET', '/v1/pki/issue/example-dot-com'), 'other');
    assert.equal(requestKind('GET', '/v1/sys/health'), 'other');
  });

  it('counts and scales a window to one hour', () => {
    const counts = countKinds([
      { method: 'GET', url: '/v1/secret/data/a' },
      { method: 'GET', url: '/v1/secret/data/b' },
      { method: 'PUT', url: '/v1/auth/token/renew-self' },
    ]);
    assert.equal(counts['KV v2 read'], 2);
    assert.equal(totalOf(counts), 3);
    const hourly = perHour(counts, 60);
    assert.equal(hourly['KV v2 read'], 120);
    assert.equal(hourly['token renew'], 60);
    assert.throws(() => perHour(counts, 0), /window must be positive/);
  });

  it('predicts the steady-state rate from the refresh rules', () => {
    const e = expectedPerHour({
      staticIntervalS: 300,
      tokenTtlS: 3600,
      kv1TtlS: 3600,
      pkiTtlS: 3570,
      pkiBackdateS: 30,
    });
    // 5m KV v2 at 0.9 → every 270 s; 1h token renewed at 71.67 % of its TTL; 1h cert (with back-dating) at 90 %
    assert.ok(Math.abs(e['KV v2 read'] - 3600 / 270) < 1e-9);
    assert.ok(Math.abs(e['token renew'] - 1 / 0.716_666_666_7) < 1e-6);
    assert.ok(Math.abs(e['PKI issue'] - 3600 / (0.9 * 3600 - 30)) < 1e-9);
    // the bench schedule: a 60 s cert back-dated 30 s is replaced 51 s after issue
    assert.ok(Math.abs(expectedPerHour(DEFAULT_SCHEDULE)['PKI issue'] - 3600 / 51) < 1e-9);
    assert.throws(() => expectedPerHour({ ...DEFAULT_SCHEDULE, pkiTtlS: 3 }), /too short/);
    assert.equal(e.login, 0);
    assert.equal(e['mount lookup'], 0);
    assert.ok(totalOf(expectedPerHour(DEFAULT_SCHEDULE)) > 400);
  });
});
