import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { httpCall } from '../e2e/bed/http.js';
import { freePort } from '../e2e/bed/ports.js';
import { startCountingProxy } from './agent-proxy.js';

describe('bench:agent counting proxy', () => {
  let upstream: Server;
  let upstreamAddr: string;

  before(async () => {
    // echoes method, path, token header and body, as the transport check needs nothing more of Vault
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(req.url?.startsWith('/v1/missing') ? 404 : 200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            token: req.headers['x-vault-token'],
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const a = upstream.address();
    upstreamAddr = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });

  after(() => {
    upstream.closeAllConnections();
    upstream.close();
  });

  it('forwards requests unchanged and records method, path and time only', async () => {
    const proxy = await startCountingProxy(upstreamAddr);
    try {
      const t0 = Date.now();
      const put = await httpCall({
        url: `${proxy.addr}/v1/auth/token/renew-self`,
        method: 'PUT',
        headers: { 'x-vault-token': 'hvs.secret' },
        body: { increment: 0 },
      });
      assert.equal(put.status, 200);
      assert.deepEqual(JSON.parse(put.text), {
        method: 'PUT',
        url: '/v1/auth/token/renew-self',
        token: 'hvs.secret',
        body: '{"increment":0}',
      });
      const missing = await httpCall({ url: `${proxy.addr}/v1/missing?list=true` });
      assert.equal(missing.status, 404);
      assert.deepEqual(
        proxy.seen.map((r) => [r.method, r.url]),
        [
          ['PUT', '/v1/auth/token/renew-self'],
          ['GET', '/v1/missing?list=true'],
        ],
      );
      assert.equal(JSON.stringify(proxy.seen).includes('hvs.secret'), false);
      assert.equal(proxy.between(t0, Date.now() + 1).length, 2);
      assert.equal(proxy.between(0, t0).length, 0);
    } finally {
      await proxy.stop();
    }
  });

  it('answers 502 with a Vault-style error when Vault is down', async () => {
    const proxy = await startCountingProxy(`http://127.0.0.1:${await freePort()}`);
    try {
      const r = await httpCall({ url: `${proxy.addr}/v1/sys/health` });
      assert.equal(r.status, 502);
      assert.match(JSON.parse(r.text).errors[0], /^bench proxy: /);
    } finally {
      await proxy.stop();
    }
  });

  it('refuses an https upstream it cannot forward to', async () => {
    await assert.rejects(startCountingProxy('https://127.0.0.1:8200'), /plain http only/);
  });
});
