import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthHandler, type AuthHandlerOptions } from '../agent/src/auth/handler.js';
import { createAuthMethod } from '../agent/src/auth/methods/factory.js';
import type { AuthVaultPort, LoginAnswer } from '../agent/src/auth/port.js';
import { FileSink } from '../agent/src/auth/sink.js';
import { createLogger } from '../cli/log.js';
import { type Cluster, startCluster } from './bed/cluster.js';
import { waitFor } from './bed/time.js';
import { makeTempDir, removeDir } from './bed/tmp.js';
import {
  enableKubernetesAuth,
  startVaultServer,
  VaultApiError,
  type VaultServer,
  writePolicy,
} from './bed/vault-server.js';
import { bedBinaries } from './hooks.js';

/** The auth port over plain fetch (the product's client is adapted to the same port elsewhere). */
function fetchPort(addr: string): AuthVaultPort & { readonly logins: LoginAnswer[] } {
  const logins: LoginAnswer[] = [];
  async function call(method: string, path: string, opts: { token?: string; body?: unknown; namespace?: string }) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.token) headers['x-vault-token'] = opts.token;
    if (opts.namespace) headers['x-vault-namespace'] = opts.namespace;
    const res = await fetch(`${addr}/v1/${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    const json = text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    if (!res.ok) {
      const errors = (json.errors as string[] | undefined) ?? [];
      throw Object.assign(new Error(`${method} /v1/${path}: HTTP ${res.status}: ${errors.join('; ')}`), {
        status: res.status,
        permissionDenied: res.status === 403 && errors.some((e) => e.includes('permission denied')),
        invalidToken: errors.some((e) => e.includes('invalid token')),
      });
    }
    return json as {
      auth?: { client_token: string; accessor: string; lease_duration: number; renewable: boolean; policies: string[] };
      data?: Record<string, unknown>;
    };
  }
  return {
    logins,
    async login(mountPath, body, { namespace }) {
      const auth = (await call('PUT', `${mountPath}/login`, { body, namespace })).auth;
      if (!auth) throw new Error('login answer has no auth block');
      const answer = {
        clientToken: auth.client_token,
        accessor: auth.accessor,
        leaseDuration: auth.lease_duration,
        renewable: auth.renewable,
        policies: auth.policies,
      };
      logins.push(answer);
      return answer;
    },
    async renewSelf(token, increment) {
      const auth = (await call('PUT', 'auth/token/renew-self', { token, body: { increment } })).auth;
      if (!auth) throw new Error('renewal answer has no auth block');
      return { leaseDuration: auth.lease_duration, renewable: auth.renewable };
    },
    async lookupSelf(token) {
      const data = (await call('GET', 'auth/token/lookup-self', { token })).data ?? {};
      return { ttl: Number(data.ttl), renewable: data.renewable === true };
    },
  };
}

describe('agent auto-auth against a real kube-apiserver and Vault', () => {
  let cluster: Cluster;
  let vault: VaultServer;
  let dir: string;
  const running: AuthHandler[] = [];

  before(async function () {
    this.timeout(240_000);
    const bins = bedBinaries();
    cluster = await startCluster({ etcd: bins.etcd, kubeApiserver: bins.kubeApiserver });
    vault = await startVaultServer(bins.vault);
    const admin = cluster.admin;
    await admin.ensureNamespace('apps');
    await admin.ensureServiceAccount('apps', 'sa-one');
    await admin.ensureServiceAccount('apps', 'sa-two');
    await enableKubernetesAuth(vault.root, cluster);
    await writePolicy(vault.root, 'apps', 'path "secret/*" { capabilities = ["read"] }');
    const role = (extra: Record<string, unknown>) => ({
      bound_service_account_names: ['sa-one', 'sa-two'],
      bound_service_account_namespaces: ['apps'],
      token_policies: ['apps'],
      ...extra,
    });
    await vault.root.write('auth/kubernetes/role/app', role({ token_ttl: '1h' }));
    await vault.root.write('auth/kubernetes/role/short', role({ token_ttl: '4s', token_max_ttl: '12s' }));
    await vault.root.write('auth/kubernetes/role/six', role({ token_ttl: '6s' }));
  });

  after(async function () {
    this.timeout(60_000);
    await vault?.stop();
    await cluster?.stop();
  });

  beforeEach(() => {
    dir = makeTempDir('agent-auth');
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((h) => h.stop()));
    removeDir(dir);
  });

  async function tokenFile(sa: string): Promise<string> {
    const { token } = await cluster.admin.createToken('apps', sa, { expirationSeconds: 600 });
    const path = join(dir, 'sa-token');
    writeFileSync(path, `${token}\n`);
    return path;
  }

  async function handlerFor(
    role: string,
    tokenPath: string,
    extra: Partial<AuthHandlerOptions> = {},
  ): Promise<{ handler: AuthHandler; port: ReturnType<typeof fetchPort>; lines: string[]; sinkPath: string }> {
    const lines: string[] = [];
    const log = createLogger({ name: 'agent', level: 'info', format: 'standard', write: (l) => lines.push(l) });
    const port = fetchPort(vault.addr);
    const sinkPath = join(dir, '.vault-token');
    const handler = new AuthHandler({
      method: createAuthMethod({
        type: 'kubernetes',
        mountPath: 'auth/kubernetes',
        config: { role, token_path: tokenPath },
      }),
      vault: port,
      sinks: [await FileSink.create({ path: sinkPath }, log)],
      log,
      ...extra,
    });
    running.push(handler);
    return { handler, port, lines, sinkPath };
  }

  const lookup = (token: string) =>
    vault.root
      .withToken(token)
      .read<{ meta: Record<string, string>; path: string; accessor: string }>('auth/token/lookup-self');

  it('001 logs in with a TokenRequest token from the file; a rotated file is used at the next login', async function () {
    this.timeout(60_000);
    const path = await tokenFile('sa-one');
    const { handler, port, sinkPath, lines } = await handlerFor('app', path);
    const run = handler.run();
    const first = await waitFor('the first token in the sink', () => port.logins[0], { timeoutMs: 15_000 });
    await waitFor('the sink file', () => (readSafe(sinkPath) === first.clientToken ? true : undefined), {
      timeoutMs: 5000,
    });
    const one = await lookup(first.clientToken);
    assert.equal(one.data.path, 'auth/kubernetes/login');
    assert.equal(one.data.meta.service_account_name, 'sa-one');

    // The kubelet rotates the projected token (here: another service account, so Vault can tell which was sent).
    const { token: rotated } = await cluster.admin.createToken('apps', 'sa-two', { expirationSeconds: 600 });
    writeFileSync(path, rotated);
    assert.equal(handler.reauthenticate(), true);
    const second = await waitFor('a second login', () => port.logins[1], { timeoutMs: 15_000 });
    assert.equal((await lookup(second.clientToken)).data.meta.service_account_name, 'sa-two');
    await waitFor('the new token in the sink', () => (readSafe(sinkPath) === second.clientToken ? true : undefined), {
      timeoutMs: 5000,
    });
    await handler.stop();
    await run;
    assert.ok(!lines.some((l) => l.includes(first.clientToken) || l.includes(rotated)), 'no token in the logs');
  });

  it('002 token_ttl=4s token_max_ttl=12s: renewals, then a new login near max TTL', async function () {
    this.timeout(60_000);
    const { handler, port, lines, sinkPath } = await handlerFor('short', await tokenFile('sa-one'));
    const started = Date.now();
    const run = handler.run();
    const second = await waitFor('a login after max TTL', () => port.logins[1], { timeoutMs: 30_000, intervalMs: 200 });
    const elapsed = Date.now() - started;
    const first = port.logins[0]!;
    assert.notEqual(second.clientToken, first.clientToken);
    assert.ok(elapsed < 13_000, `re-login at ${elapsed} ms, before the first token's 12 s max TTL`);
    const messages = lines.map((l) => l.replace(/^\S+ \[\w+\] +/, '').trimEnd());
    const relogin = messages.indexOf('agent.auth.handler: lifetime watcher done channel triggered, re-authenticating');
    assert.ok(relogin > 0);
    const renewals = messages.slice(0, relogin).filter((m) => m === 'agent.auth.handler: renewed auth token').length;
    assert.ok(renewals >= 3, `renewals before re-login: ${renewals}`);
    await waitFor(
      'the sink to hold the new token',
      () => (readSafe(sinkPath) === second.clientToken ? true : undefined),
      {
        timeoutMs: 5000,
      },
    );
    // The new token works.
    assert.equal((await lookup(second.clientToken)).data.path, 'auth/kubernetes/login');
    await handler.stop();
    await run;
  });

  it('003 a token revoked by an operator is replaced: the failed renewal leads to a new login', async function () {
    this.timeout(60_000);
    let revokedAnswer = '';
    const { handler, port } = await handlerFor('six', await tokenFile('sa-one'));
    const run = handler.run();
    const first = await waitFor('the first login', () => port.logins[0], { timeoutMs: 15_000 });
    await vault.root.write('auth/token/revoke-accessor', { accessor: first.accessor });
    await assert.rejects(lookup(first.clientToken), (e: unknown) => e instanceof VaultApiError && e.status === 403);
    // What the watcher sees on its next renewal: 403 permission denied, so it stops renewing and waits out the lease.
    await assert.rejects(port.renewSelf(first.clientToken, 0), (e: unknown) => {
      assert.equal((e as { status?: number }).status, 403);
      assert.equal((e as { permissionDenied?: boolean }).permissionDenied, true);
      revokedAnswer = (e as Error).message;
      return true;
    });
    const second = await waitFor('a new login', () => port.logins[1], { timeoutMs: 20_000, intervalMs: 200 });
    assert.notEqual(second.accessor, first.accessor);
    assert.equal((await lookup(second.clientToken)).data.meta.service_account_name, 'sa-one');
    assert.ok(!revokedAnswer.includes(first.clientToken), 'the error does not echo the token');
    await handler.stop();
    await run;
  });

  it('004 a wrong role: the error log names role, service account and mount path, and login is retried with backoff', async function () {
    this.timeout(60_000);
    const { handler, lines } = await handlerFor('nope', await tokenFile('sa-one'), {
      minBackoffMs: 200,
      maxBackoffMs: 800,
    });
    const run = handler.run();
    const errorLines = () => lines.filter((l) => l.includes('[ERROR] agent.auth.handler: error authenticating'));
    await waitFor('three failed attempts', () => (errorLines().length >= 3 ? true : undefined), { timeoutMs: 20_000 });
    await handler.stop();
    await run;
    const first = errorLines()[0] ?? '';
    assert.match(first, /error="[^"]*invalid role name \\"nope\\"[^"]*"/);
    assert.match(
      first,
      / backoff=\d+ms role=nope service_account=\S+\/sa-one token_audience=\S+ mount_path=auth\/kubernetes$/m,
    );
    const backoffs = errorLines().map((l) => Number(/backoff=(\d+)ms/.exec(l)?.[1]));
    assert.ok(
      backoffs.every((b) => b > 0 && b <= 800),
      `backoffs ${backoffs}`,
    );
    assert.ok(backoffs[2]! > backoffs[0]!, `backoff grows: ${backoffs}`);
  });

  it('005 exit_on_err: a refused login makes run() reject after one attempt', async function () {
    this.timeout(30_000);
    const { handler, lines } = await handlerFor('nope', await tokenFile('sa-one'), { exitOnErr: true });
    await assert.rejects(handler.run(), (err: unknown) => {
      assert.equal((err as { status?: number }).status, 400);
      assert.match((err as Error).message, /invalid role name "nope"/);
      return true;
    });
    assert.equal(lines.filter((l) => l.includes('error authenticating')).length, 1);
  });

  it('006 exit_after_auth: run() resolves with a working token in the sink file (mode 0640)', async function () {
    this.timeout(30_000);
    const { handler, sinkPath } = await handlerFor('app', await tokenFile('sa-two'), { exitAfterAuth: true });
    await handler.run();
    const token = readFileSync(sinkPath, 'utf8');
    assert.equal((await lookup(token)).data.meta.service_account_name, 'sa-two');
    assert.equal(statSync(sinkPath).mode & 0o777, 0o640);
  });
});

function readSafe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
