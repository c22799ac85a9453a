/**
 * Transport behaviour of the listener against a local upstream on 127.0.0.1 (headers, streaming, a dead
 * upstream, TLS, unix sockets). The same proxy against a real Vault is in e2e/agent-listener.e2e.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueServingCertificate } from '../../../certs/src/authority.js';
import type { ListenerSpec } from '../config/load-types.js';
import { AgentMetrics } from '../metrics.js';
import { type AgentListener, type StartAgentListenerOptions, startAgentListener } from './server.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const TCP: ListenerSpec = {
  type: 'tcp',
  address: '127.0.0.1:0',
  tlsDisable: true,
  requireRequestHeader: false,
  role: 'default',
  agentApi: { enableQuit: false },
};

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function call(
  target: { address: string } | { socketPath: string },
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<Reply> {
  const where =
    'socketPath' in target
      ? { socketPath: target.socketPath }
      : { host: '127.0.0.1', port: Number(target.address.split(':').at(-1)) };
  return new Promise((resolve, reject) => {
    const r = request({ ...where, method, path, headers, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    r.on('error', reject);
    r.on('timeout', () => r.destroy(new Error('client timeout')));
    r.end(body);
  });
}

describe('agent listener: server against a local upstream', () => {
  let upstream: Server;
  let upstreamAddr: string;
  let seen: Seen[];
  const open: AgentListener[] = [];

  before(async () => {
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const status = req.url?.includes('forbidden') ? 403 : 200;
        res.writeHead(status, { 'content-type': 'application/json', 'x-upstream': 'yes', connection: 'close' });
        res.end(JSON.stringify({ echoed: body.length }));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamAddr = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    seen = [];
  });
  afterEach(async () => {
    for (const l of open.splice(0)) await l.close();
  });
  after(async () => {
    upstream.closeAllConnections();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  const start = async (over: Partial<StartAgentListenerOptions> & { token?: string } = {}) => {
    const l = await startAgentListener({
      listener: TCP,
      proxy: { vaultAddress: upstreamAddr, useAutoAuthToken: true, getToken: () => over.token ?? 'agent-token' },
      enableQuit: false,
      onQuit: () => {},
      ...over,
    });
    open.push(l);
    return l;
  };

  it('001 proxies with the agent token when the client has none, keeping method, path, query and headers', async () => {
    const l = await start();
    assert.match(l.address, /^127\.0\.0\.1:[0-9]+$/);
    const r = await call(l, 'GET', '/v1/secret/data/app?version=2', { 'x-vault-namespace': 'ns1' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-upstream'], 'yes');
    const [s] = seen;
    assert.deepEqual([s?.method, s?.url], ['GET', '/v1/secret/data/app?version=2']);
    assert.equal(s?.headers['x-vault-token'], 'agent-token');
    assert.equal(s?.headers['x-vault-namespace'], 'ns1');
    assert.equal(s?.headers.host, upstreamAddr.replace('http://', ''));
  });

  it('002 keeps a client token (true), replaces it (force), never adds one (false)', async () => {
    const auto = await start();
    await call(auto, 'GET', '/v1/a', { 'x-vault-token': 'client' });
    const force = await start({
      proxy: { vaultAddress: upstreamAddr, useAutoAuthToken: 'force', getToken: () => 'agent' },
    });
    await call(force, 'GET', '/v1/b', { 'x-vault-token': 'client' });
    const off = await start({
      proxy: { vaultAddress: upstreamAddr, useAutoAuthToken: false, getToken: () => 'agent' },
    });
    await call(off, 'GET', '/v1/c');
    assert.deepEqual(
      seen.map((s) => s.headers['x-vault-token']),
      ['client', 'agent', undefined],
    );
  });

  it('003 streams a 2 MiB request body and counts proxy outcomes', async () => {
    const metrics = new AgentMetrics();
    const l = await start({ metrics });
    const big = Buffer.alloc(2 * 1024 * 1024, 'a');
    const r = await call(l, 'PUT', '/v1/secret/data/big', { 'content-type': 'application/octet-stream' }, big);
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { echoed: big.length });
    assert.equal(seen[0]?.body.length, big.length);
    await call(l, 'GET', '/v1/forbidden');
    const text = await metrics.text();
    assert.match(text, /^vault_agent_proxy_success 2$/m);
    assert.match(text, /^vault_agent_proxy_client_error 1$/m);
  });

  it('004 a dead upstream answers 502 with a Vault-style error body', async () => {
    const metrics = new AgentMetrics();
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const l = await start({
      metrics,
      proxy: { vaultAddress: `http://127.0.0.1:${port}`, useAutoAuthToken: true, getToken: () => 'secret-token' },
    });
    const r = await call(l, 'GET', '/v1/sys/health');
    assert.equal(r.status, 502);
    const body = JSON.parse(r.body) as { errors: string[] };
    assert.match(body.errors[0] ?? '', /^error proxying request to Vault: .*ECONNREFUSED/);
    assert.doesNotMatch(r.body, /secret-token/);
    assert.match(await metrics.text(), /^vault_agent_proxy_error 1$/m);
  });

  it('005 quit: 404 when disabled, 405 for GET, 200 then onQuit for POST', async () => {
    let quits = 0;
    const off = await start();
    assert.equal((await call(off, 'POST', '/agent/v1/quit')).status, 404);
    const on = await start({ enableQuit: true, onQuit: () => quits++ });
    assert.equal((await call(on, 'GET', '/agent/v1/quit')).status, 405);
    assert.equal(quits, 0);
    const r = await call(on, 'POST', '/agent/v1/quit');
    assert.deepEqual([r.status, r.body], [200, '']);
    assert.equal(quits, 1);
    assert.equal(seen.length, 0, 'agent API requests never reach Vault');
  });

  it('006 metrics: Prometheus text; 404 without a source', async () => {
    const metrics = new AgentMetrics();
    metrics.authSuccess();
    const l = await start({ metricsText: () => metrics.text() });
    const r = await call(l, 'GET', '/agent/v1/metrics');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(r.body, /^vault_agent_authenticated 1$/m);
    assert.equal((await call(await start(), 'GET', '/agent/v1/metrics')).status, 404);
  });

  it('007 unix socket listener', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'h5-sock-'));
    try {
      const socketPath = join(dir, 'agent.sock');
      const l = await start({ listener: { ...TCP, type: 'unix', address: socketPath } });
      assert.equal(l.address, socketPath);
      assert.equal((await call({ socketPath }, 'GET', '/v1/sys/health')).status, 200);
      assert.equal(seen[0]?.headers['x-vault-token'], 'agent-token');
      // a stale socket (its process killed, so never unlinked) is replaced; a regular file is never deleted
      const stale = join(dir, 'stale.sock');
      const killed = spawnSync(process.execPath, [
        '-e',
        `require('node:net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`,
      ]);
      assert.equal(killed.signal, 'SIGKILL');
      assert.ok(lstatSync(stale).isSocket());
      const again = await start({ listener: { ...TCP, type: 'unix', address: stale } });
      assert.equal((await call({ socketPath: stale }, 'GET', '/v1/x')).status, 200);
      await again.close();
      open.pop();
      const regular = join(dir, 'not-a-socket');
      writeFileSync(regular, 'keep me');
      await assert.rejects(
        start({ listener: { ...TCP, type: 'unix', address: regular } }),
        /exists and is not a socket/,
      );
      assert.equal(readFileSync(regular, 'utf8'), 'keep me');
    } finally {
      for (const l of open.splice(0)) await l.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('008 TLS listener from tls_cert_file / tls_key_file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'h5-tls-'));
    try {
      const now = new Date();
      const ca = await createCertificateAuthority({ commonName: 'h5 test CA', now, validForMs: 3_600_000 });
      const leaf = await issueServingCertificate(ca, {
        commonName: 'agent',
        hosts: ['127.0.0.1'],
        now,
        validForMs: 3_600_000,
      });
      writeFileSync(join(dir, 'tls.crt'), leaf.certPem);
      writeFileSync(join(dir, 'tls.key'), leaf.keyPem);
      const l = await start({
        listener: { ...TCP, tlsDisable: false, tlsCertFile: join(dir, 'tls.crt'), tlsKeyFile: join(dir, 'tls.key') },
      });
      const port = Number(l.address.split(':').at(-1));
      const status = await new Promise<number>((resolve, reject) => {
        const r = httpsRequest(
          { host: '127.0.0.1', port, path: '/v1/sys/health', ca: ca.certPem, agent: false, timeout: 10_000 },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        r.on('error', reject);
        r.end();
      });
      assert.equal(status, 200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('009 a port already in use is a clear error naming the address', async () => {
    const taken = (upstream.address() as AddressInfo).port;
    await assert.rejects(start({ listener: { ...TCP, address: `127.0.0.1:${taken}` } }), (e: Error) => {
      assert.equal(e.name, 'AgentListenerError');
      assert.match(e.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${taken}: .*EADDRINUSE`));
      return true;
    });
  });
});
