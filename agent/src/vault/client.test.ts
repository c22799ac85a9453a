import assert from 'node:assert/strict';
import { JsonNumber } from '../template/dependencies.js';
import { VaultClient } from './client.js';
import { nodeTlsText, VaultConfigError, VaultConnectionError, VaultResponseError } from './errors.js';
import {
  type Handler,
  type LocalServer,
  makeTestPki,
  reply,
  startConnectProxy,
  startServer,
  type TestPki,
} from './local-servers.test-support.js';
import type { VaultClientOptions } from './options.js';

const OK_BODY = {
  request_id: 'r1',
  lease_id: '',
  renewable: false,
  lease_duration: 0,
  data: { n: 1 },
  wrap_info: null,
  warnings: null,
  auth: null,
  mount_type: 'kv',
};

/** A client whose waits are recorded instead of slept: backoff 10..20 ms, jitter fixed at 0.5. */
function testClient(url: string, extra: Partial<VaultClientOptions> = {}) {
  const waits: number[] = [];
  const client = new VaultClient({
    address: url,
    backoff: { minWaitMs: 10, maxWaitMs: 20 },
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  return { client, waits };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('VaultClient', () => {
  const servers: LocalServer[] = [];
  const clients: VaultClient[] = [];
  async function serve(handler: Handler): Promise<LocalServer> {
    const s = await startServer(handler);
    servers.push(s);
    return s;
  }
  function client(url: string, extra: Partial<VaultClientOptions> = {}) {
    const c = testClient(url, extra);
    clients.push(c.client);
    return c;
  }
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const s of servers.splice(0)) await s.close();
  });

  describe('retries', () => {
    for (const status of [412, 429, 500, 502, 503]) {
      it(`retries ${status} with linear jittered backoff, then succeeds`, async () => {
        const s = await serve((_r, res, i) =>
          i < 2 ? reply(res, status, { errors: ['busy'] }) : reply(res, 200, OK_BODY),
        );
        const { client: c, waits } = client(s.url);
        const secret = await c.read('secret/data/app', { token: 't' });
        assert.deepEqual(secret?.data, { n: new JsonNumber('1') });
        assert.equal(s.requests.length, 3);
        assert.deepEqual(waits, [15, 30]); // retry n waits n × (10 + 0.5 × (20 − 10))
      });
    }

    it('does not retry 501 or 400', async () => {
      for (const status of [501, 400]) {
        const s = await serve((_r, res) => reply(res, status, { errors: ['nope'] }));
        const { client: c, waits } = client(s.url);
        const err = await rejection(c.read('secret/x'));
        assert.ok(err instanceof VaultResponseError);
        assert.equal(err.status, status);
        assert.equal(s.requests.length, 1);
        assert.deepEqual(waits, []);
      }
    });

    it('gives up after maxRetries and reports the last status; raw request() returns the last answer', async () => {
      const s = await serve((_r, res) => reply(res, 503, { errors: ['Vault is sealed'] }));
      const { client: c, waits } = client(s.url, { maxRetries: 3 });
      const err = await rejection(c.read('secret/x'));
      assert.ok(err instanceof VaultResponseError);
      assert.equal(err.message, 'GET /v1/secret/x: 503 Vault is sealed');
      assert.equal(s.requests.length, 4);
      assert.deepEqual(waits, [15, 30, 45]);
      const raw = await c.request('GET', 'secret/x');
      assert.equal(raw.status, 503);
      assert.equal(s.requests.length, 8);
    });

    it('retry: false and maxRetries -1 make a single attempt', async () => {
      const s = await serve((_r, res) => reply(res, 500, { errors: ['boom'] }));
      const { client: c } = client(s.url);
      await rejection(c.login('kubernetes', { role: 'r', jwt: 'j' }, { retry: false }));
      assert.equal(s.requests.length, 1);
      const { client: none } = client(s.url, { maxRetries: -1 });
      await rejection(none.read('secret/x'));
      assert.equal(s.requests.length, 2);
    });

    it('retries a dropped connection; without retries it is a VaultConnectionError naming the address', async () => {
      const s = await serve((_r, res, i) => (i === 0 ? res.socket?.destroy() : reply(res, 200, OK_BODY)));
      const { client: c, waits } = client(s.url);
      assert.ok(await c.read('secret/x'));
      assert.equal(s.requests.length, 2);
      assert.deepEqual(waits, [15]);

      const { client: once } = client(s.url, { maxRetries: 0 });
      const s2 = await serve((_r, res) => res.socket?.destroy());
      const { client: c2 } = client(s2.url, { maxRetries: 0 });
      const err = await rejection(c2.read('secret/x'));
      assert.ok(err instanceof VaultConnectionError);
      assert.equal(err.reason, 'network');
      assert.equal(err.address, s2.url);
      assert.ok(err.message.startsWith(`GET /v1/secret/x: cannot reach Vault at ${s2.url}: `), err.message);
      await once.close();
    });

    it('a refused connection is retried maxRetries times', async () => {
      const s = await serve((_r, res) => reply(res, 200, OK_BODY));
      const url = s.url;
      await s.close();
      servers.splice(0);
      const { client: c, waits } = client(url, { maxRetries: 2 });
      const err = await rejection(c.read('secret/x'));
      assert.ok(err instanceof VaultConnectionError);
      assert.equal(err.reason, 'network');
      assert.match(err.message, /ECONNREFUSED/);
      assert.deepEqual(waits, [15, 30]);
    });
  });

  describe('timeout', () => {
    it('abandons an attempt after timeoutMs, and retries it', async () => {
      const s = await serve(() => {
        /* never answers */
      });
      const { client: c, waits } = client(s.url, { timeoutMs: 150, maxRetries: 1 });
      const started = Date.now();
      const err = await rejection(c.read('secret/x'));
      const elapsed = Date.now() - started;
      assert.ok(err instanceof VaultConnectionError);
      assert.equal(err.reason, 'timeout');
      assert.equal(err.message, `GET /v1/secret/x: cannot reach Vault at ${s.url}: timed out after 150 ms`);
      assert.equal(s.requests.length, 2);
      assert.deepEqual(waits, [15]);
      assert.ok(elapsed >= 290 && elapsed < 3000, `elapsed ${elapsed} ms`);
    });

    it('a caller signal cancels without retrying', async () => {
      const s = await serve(() => {});
      const { client: c, waits } = client(s.url, { timeoutMs: 0 });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      const err = await rejection(c.read('secret/x', { signal: ac.signal }));
      assert.ok(err instanceof VaultConnectionError);
      assert.equal(err.reason, 'aborted');
      assert.deepEqual(waits, []);
    });
  });

  describe('requests and answers', () => {
    it('sends X-Vault-Request on every request, the token, the namespace and the wrap TTL', async () => {
      const s = await serve((_r, res) => reply(res, 200, OK_BODY));
      const { client: c } = client(s.url, { namespace: 'team-a/' });
      await c.read('secret/data/app', { token: 'tok-1' });
      await c.write('secret/data/app', { data: { a: 'b' } }, { token: 'tok-1', wrapTTL: '5m', namespace: 'team-b/' });
      await c.list('secret/metadata/', { token: 'tok-1', namespace: '' });
      await c.login('kubernetes', { role: 'r', jwt: 'j' }).catch(() => undefined);
      const [read, write, list, login] = s.requests;
      for (const r of s.requests) assert.equal(r.headers['x-vault-request'], 'true');
      assert.equal(read?.headers['x-vault-token'], 'tok-1');
      assert.equal(read?.headers['x-vault-namespace'], 'team-a/');
      assert.equal(write?.method, 'PUT');
      assert.equal(write?.headers['x-vault-namespace'], 'team-b/');
      assert.equal(write?.headers['x-vault-wrap-ttl'], '5m');
      assert.equal(write?.body, '{"data":{"a":"b"}}');
      assert.equal(list?.method, 'GET');
      assert.equal(list?.url, '/v1/secret/metadata/?list=true');
      assert.equal(list?.headers['x-vault-namespace'], undefined);
      assert.equal(login?.url, '/v1/auth/kubernetes/login');
      assert.equal(login?.headers['x-vault-token'], undefined);
    });

    it("request() forwards a caller's headers and body but not hop-by-hop headers", async () => {
      const s = await serve((_r, res) => reply(res, 200, OK_BODY));
      const { client: c } = client(s.url);
      const res = await c.request('POST', 'secret/data/app', {
        token: 't',
        body: '{"data":{}}',
        headers: { Connection: 'keep-alive, x', Host: 'elsewhere', 'Transfer-Encoding': 'chunked', 'X-Custom': 'v' },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/json');
      const seen = s.requests[0];
      assert.equal(seen?.headers['x-custom'], 'v');
      assert.equal(seen?.headers.host, new URL(s.url).host);
      assert.equal(seen?.headers['transfer-encoding'], undefined);
      assert.equal(seen?.body, '{"data":{}}');
    });

    it('a token that cannot be sent is a configuration error, without retries and without the token', async () => {
      const s = await serve((_r, res) => reply(res, 200, OK_BODY));
      const { client: c, waits } = client(s.url);
      const err = await rejection(c.read('secret/x', { token: 'hvs.abc\r\nX-Evil: 1' }));
      assert.ok(err instanceof VaultConfigError);
      assert.ok(!err.message.includes('hvs.abc'), err.message);
      assert.equal(s.requests.length, 0);
      assert.deepEqual(waits, []);
    });

    it('keeps number lexemes both ways', async () => {
      const body = '{"data":{"price":1.50,"big":9007199254740993,"ttl":3600},"lease_duration":2764800}';
      const s = await serve((r, res) => reply(res, 200, r.method === 'GET' ? body : OK_BODY));
      const { client: c } = client(s.url);
      const secret = await c.read('kv/app');
      assert.equal(secret?.lease_duration, 2764800);
      assert.deepEqual(secret?.data, {
        price: new JsonNumber('1.50'),
        big: new JsonNumber('9007199254740993'),
        ttl: new JsonNumber('3600'),
      });
      await c.write('kv/app', secret?.data);
      assert.equal(s.requests[1]?.body, '{"price":1.50,"big":9007199254740993,"ttl":3600}');
    });

    it('204 is null; a plain 404 read is null; a 404 with a KV v2 envelope is returned (and kept on errors)', async () => {
      const deleted = {
        ...OK_BODY,
        data: { data: null, metadata: { deletion_time: '2024-01-01T00:00:00Z', destroyed: false, version: 2 } },
      };
      const s = await serve((r, res) => {
        if (r.url.includes('gone')) return reply(res, 404, deleted);
        if (r.url.includes('missing')) return reply(res, 404, { errors: [] });
        reply(res, 204);
      });
      const { client: c } = client(s.url);
      assert.equal(await c.write('secret/x', { a: 1 }), null);
      assert.equal(await c.read('secret/data/missing'), null);
      const gone = await c.read('secret/data/gone');
      assert.deepEqual((gone?.data?.metadata as Record<string, unknown> | undefined)?.version, new JsonNumber('2'));
      const err = await rejection(c.delete('secret/data/gone'));
      assert.ok(err instanceof VaultResponseError);
      assert.equal(err.status, 404);
      assert.deepEqual(err.errors, []);
      assert.equal(err.message, 'DELETE /v1/secret/data/gone: 404 not found');
      assert.ok(err.secret?.data?.metadata);
    });

    it('list sorts keys by bytes and answers [] for a 404', async () => {
      const s = await serve((r, res) =>
        r.url.startsWith('/v1/empty')
          ? reply(res, 404, { errors: [] })
          : reply(res, 200, { data: { keys: ['b', 'B/', 'a', 'é'] } }),
      );
      const { client: c } = client(s.url);
      assert.deepEqual(await c.list('secret/metadata/app'), ['B/', 'a', 'b', 'é']);
      assert.deepEqual(await c.list('empty/'), []);
    });

    it('classifies 403s: invalid token vs permission denied; messages carry no query values and no token', async () => {
      const s = await serve((r, res) => {
        if (r.headers['x-vault-token'] === 'expired-token')
          return reply(res, 403, { errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] });
        if (r.url.includes('echo')) return reply(res, 400, { errors: [`bad token ${r.headers['x-vault-token']}`] });
        reply(res, 403, { errors: ['1 error occurred:\n\t* permission denied\n\n'] });
      });
      const { client: c } = client(s.url);
      const denied = await rejection(c.read('secret/data/foo?version=7', { token: 'valid-token', query: { x: 'y' } }));
      assert.ok(denied instanceof VaultResponseError);
      assert.equal(denied.message, 'GET /v1/secret/data/foo: 403 permission denied');
      assert.equal(denied.path, '/v1/secret/data/foo');
      assert.equal(denied.permissionDenied, true);
      assert.equal(denied.invalidToken, false);
      assert.equal(s.requests[0]?.url, '/v1/secret/data/foo?version=7&x=y');

      const invalid = await rejection(c.lookupSelf('expired-token'));
      assert.ok(invalid instanceof VaultResponseError);
      assert.deepEqual(invalid.errors, ['permission denied', 'invalid token']);
      assert.equal(invalid.invalidToken, true);
      assert.equal(invalid.permissionDenied, false);
      assert.ok(!invalid.message.includes('expired-token'));

      const echoed = await rejection(c.read('echo', { token: 'hvs.SECRET-TOKEN' }));
      assert.ok(echoed instanceof VaultResponseError);
      assert.equal(echoed.message, 'GET /v1/echo: 400 bad token [redacted]');
      assert.ok(!JSON.stringify(echoed.errors).includes('SECRET-TOKEN'));
    });

    it('escapes paths like Go and follows one redirect', async () => {
      const s = await serve((r, res) => {
        if (r.url.startsWith('/v1/old')) {
          res.writeHead(307, { location: '/v1/new/place' });
          return res.end();
        }
        reply(res, 200, OK_BODY);
      });
      const { client: c } = client(s.url);
      await c.read('secret/data/a b!ü');
      assert.equal(s.requests[0]?.url, '/v1/secret/data/a%20b%21%C3%BC');
      assert.ok(await c.read('old'));
      assert.deepEqual(
        s.requests.slice(1).map((r) => r.url),
        ['/v1/old', '/v1/new/place'],
      );
    });

    it('login refuses an empty mount path (node-vault would call /v1/auth//login)', async () => {
      const s = await serve((_r, res) => reply(res, 200, OK_BODY));
      const { client: c } = client(s.url);
      const err = await rejection(c.login('/', { role: 'r' }));
      assert.ok(err instanceof VaultConfigError);
      assert.equal(s.requests.length, 0);
    });

    it('token, lease, mount and wrap calls use the documented routes and bodies', async () => {
      const s = await serve((r, res) => {
        if (r.url.startsWith('/v1/sys/internal/ui/mounts/denied')) return reply(res, 403, { errors: ['preflight'] });
        if (r.url.startsWith('/v1/sys/internal/ui/mounts/'))
          return reply(res, 200, { data: { path: 'kv/', type: 'kv', options: null } });
        if (r.url === '/v1/sys/wrapping/wrap')
          return reply(res, 200, {
            wrap_info: { token: 'w', accessor: 'a', ttl: 60, creation_time: 't', creation_path: 'sys/wrapping/wrap' },
          });
        if (r.url.endsWith('revoke-self') || r.url.endsWith('leases/revoke')) return reply(res, 204);
        reply(res, 200, {
          ...OK_BODY,
          auth: { client_token: 't', policies: ['default'], lease_duration: 30, renewable: true },
        });
      });
      const { client: c } = client(s.url);
      const renewed = await c.renewSelf('t', 60);
      assert.equal(renewed.auth?.lease_duration, 30);
      await c.revokeSelf('t');
      await c.renewLease('t', 'database/creds/r/abc', 120);
      await c.revokeLease('t', 'database/creds/r/abc');
      assert.deepEqual(await c.mountInfo('t', 'kv/app'), { path: 'kv/', type: 'kv', version: '1' });
      assert.equal(await c.mountInfo('t', 'denied/app'), null);
      const wrapped = await c.wrap('t', { token: 'x' }, 60);
      assert.equal(wrapped.token, 'w');
      assert.deepEqual(
        s.requests.map((r) => `${r.method} ${r.url} ${r.body}`),
        [
          'PUT /v1/auth/token/renew-self {"increment":60}',
          'PUT /v1/auth/token/revoke-self ',
          'PUT /v1/sys/leases/renew {"lease_id":"database/creds/r/abc","increment":120}',
          'PUT /v1/sys/leases/revoke {"lease_id":"database/creds/r/abc"}',
          'GET /v1/sys/internal/ui/mounts/kv/app ',
          'GET /v1/sys/internal/ui/mounts/denied/app ',
          'PUT /v1/sys/wrapping/wrap {"token":"x"}',
        ],
      );
      assert.equal(s.requests[6]?.headers['x-vault-wrap-ttl'], '60');
    });

    it('health: standby and sealed answers are results, in a single attempt', async () => {
      const s = await serve((_r, res) =>
        reply(res, 503, { initialized: true, sealed: true, standby: true, version: '1.14.8' }),
      );
      const { client: c } = client(s.url);
      const h = await c.health();
      assert.deepEqual(
        { status: h.status, sealed: h.sealed, version: h.version },
        { status: 503, sealed: true, version: '1.14.8' },
      );
      assert.equal(s.requests.length, 1);
    });

    it('reuses connections unless disableKeepAlives', async () => {
      const s = await serve((_r, res) => reply(res, 200, OK_BODY));
      // a pause lets the agent put the connection back in its pool before the next request
      const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
      const { client: keep } = client(s.url);
      await keep.read('a');
      await pause();
      await keep.read('b');
      const { client: fresh } = client(s.url, { disableKeepAlives: true });
      await fresh.read('c');
      await pause();
      await fresh.read('d');
      const [a, b, c, d] = s.requests.map((r) => r.remotePort);
      assert.equal(a, b);
      assert.notEqual(c, d);
    });

    it('maxConnsPerHost caps concurrent requests', async () => {
      let open = 0;
      let peak = 0;
      const s = await serve((_r, res) => {
        open++;
        peak = Math.max(peak, open);
        setTimeout(() => {
          open--;
          reply(res, 200, OK_BODY);
        }, 30);
      });
      const { client: c } = client(s.url, { maxConnsPerHost: 1 });
      await Promise.all([c.read('a'), c.read('b'), c.read('c')]);
      assert.equal(peak, 1);
      const { client: wide } = client(s.url);
      peak = 0;
      await Promise.all([wide.read('a'), wide.read('b'), wide.read('c')]);
      assert.equal(peak, 3);
    });

    it('goes through an HTTP CONNECT proxy when one is set', async () => {
      const s = await serve((_r, res) => reply(res, 200, OK_BODY));
      const proxy = await startConnectProxy();
      servers.push(proxy);
      const { client: c } = client(s.url, { proxyAddress: proxy.url });
      assert.ok(await c.read('secret/x'));
      assert.deepEqual(proxy.tunnels, [new URL(s.url).host]);
    });
  });

  describe('TLS', () => {
    let pki: TestPki;
    before(async () => {
      pki = await makeTestPki();
    });
    after(() => pki.remove());

    async function serveTls(which: 'loopback' | 'namedOnly', clientCa?: string): Promise<LocalServer> {
      const s = await startServer((r, res) => reply(res, 200, { ...OK_BODY, data: { cn: r.clientCommonName ?? '' } }), {
        ...pki[which],
        ...(clientCa ? { clientCaPem: clientCa } : {}),
      });
      servers.push(s);
      return s;
    }

    it('trusts a CA file and a CA directory; an unknown CA fails at once (no retry)', async () => {
      const s = await serveTls('loopback');
      assert.ok(await client(s.url, { caCert: pki.caFile }).client.read('x'));
      assert.ok(await client(s.url, { caPath: pki.caDir }).client.read('x'));
      assert.ok(await client(s.url, { caCertPem: pki.caPem }).client.read('x'));
      const { client: untrusting, waits } = client(s.url, { caCertPem: pki.otherCaPem });
      const err = await rejection(untrusting.read('x'));
      assert.ok(err instanceof VaultConnectionError);
      assert.equal(err.reason, 'tls');
      // the message says what to set, not only Node's "unable to verify"
      assert.match(
        err.message,
        /\(\w+: Vault's certificate is not signed by a CA the agent trusts; .*vault\.hashicorp\.com\/ca-cert\)$/,
      );
      // Node 24's own advice (a Node flag) is no use in a pod
      assert.doesNotMatch(err.message, /--use-system-ca/);
      assert.equal(
        nodeTlsText(
          'unable to verify the first certificate; if the root CA is installed locally, try running Node.js with --use-system-ca',
        ),
        'unable to verify the first certificate',
      );
      assert.deepEqual(waits, []);
    });

    it('presents a client certificate to a server that requires one', async () => {
      const s = await serveTls('loopback', pki.caPem);
      const withCert = client(s.url, {
        caCert: pki.caFile,
        clientCert: pki.clientCertFile,
        clientKey: pki.clientKeyFile,
      });
      const secret = await withCert.client.read('x');
      assert.equal(secret?.data?.cn, 'agent-client');
      const without = client(s.url, { caCert: pki.caFile, maxRetries: 0 });
      assert.ok((await rejection(without.client.read('x'))) instanceof VaultConnectionError);
    });

    it('checks the certificate against tlsServerName instead of 127.0.0.1', async () => {
      const s = await serveTls('namedOnly');
      const plain = client(s.url, { caCert: pki.caFile });
      const err = await rejection(plain.client.read('x'));
      assert.ok(err instanceof VaultConnectionError);
      assert.equal(err.reason, 'tls');
      assert.match(
        err.message,
        /\(ERR_TLS_CERT_ALTNAME_INVALID: the certificate does not name the host .*tls-server-name\)$/,
      );
      assert.ok(await client(s.url, { caCert: pki.caFile, tlsServerName: 'vault.test' }).client.read('x'));
      const wrongName = client(s.url, { caCert: pki.caFile, tlsServerName: 'other.test' });
      assert.equal(((await rejection(wrongName.client.read('x'))) as VaultConnectionError).reason, 'tls');
    });

    it('reaches an https Vault through a CONNECT proxy and still verifies its certificate', async () => {
      const s = await serveTls('loopback');
      const proxy = await startConnectProxy();
      servers.push(proxy);
      assert.ok(await client(s.url, { caCert: pki.caFile, proxyAddress: proxy.url }).client.read('x'));
      assert.deepEqual(proxy.tunnels, [new URL(s.url).host]);
      const err = await rejection(client(s.url, { proxyAddress: proxy.url, maxRetries: 0 }).client.read('x'));
      assert.ok(err instanceof VaultConnectionError);
      assert.equal(err.reason, 'tls');
    });

    it('tlsSkipVerify accepts an untrusted certificate', async () => {
      const s = await serveTls('namedOnly');
      assert.ok(await client(s.url, { tlsSkipVerify: true }).client.read('x'));
    });

    it('bad TLS files are configuration errors naming the setting', () => {
      const cases: [Partial<VaultClientOptions>, string][] = [
        [{ caCert: `${pki.dir}/nope.pem` }, 'ca_cert'],
        [{ caCert: pki.clientKeyFile }, 'ca_cert'],
        [{ caPath: `${pki.dir}/nope` }, 'ca_path'],
        [{ clientCert: pki.clientCertFile }, 'client_cert'],
        [{ caCertPem: 'garbage' }, 'VAULT_CACERT_BYTES'],
      ];
      for (const [opts, setting] of cases) {
        assert.throws(
          () => new VaultClient({ address: 'https://127.0.0.1:1', ...opts }),
          (e: unknown) => e instanceof VaultConfigError && e.setting === setting,
          setting,
        );
      }
    });
  });
});
