/**
 * The design card names node-vault; the issue asks to keep it only if it meets the agent's needs and
 * otherwise to show the failing need in a test. Each case runs node-vault@0.12.0 (dev dependency, never
 * imported by production code) and our VaultClient against the same local server and asserts where
 * node-vault falls short and our client does not.
 */
import assert from 'node:assert/strict';
import nodeVault from 'node-vault';
import { JsonNumber } from '../template/dependencies.js';
import { VaultClient } from './client.js';
import { VaultConnectionError } from './errors.js';
import { type LocalServer, makeTestPki, reply, startServer, type TestPki } from './local-servers.test-support.js';
import { vaultClientOptionsFromEnvironment } from './options.js';

const ENVELOPE = {
  request_id: 'r',
  lease_id: '',
  renewable: false,
  lease_duration: 0,
  wrap_info: null,
  warnings: null,
};

/** node-vault reads VAULT_SKIP_VERIFY from the process environment when a client is made. */
function withProcessEnv<T>(name: string, value: string, fn: () => T): T {
  const before = process.env[name];
  process.env[name] = value;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

describe('node-vault@0.12.0 against the agent needs (why VaultClient replaces it)', () => {
  let pki: TestPki;
  const servers: LocalServer[] = [];
  const clients: VaultClient[] = [];
  const ours = (address: string, extra: Record<string, string> = {}) => {
    const c = new VaultClient({
      ...vaultClientOptionsFromEnvironment({ VAULT_ADDR: address, ...extra }),
      backoff: { minWaitMs: 5, maxWaitMs: 10 },
    });
    clients.push(c);
    return c;
  };
  before(async () => {
    pki = await makeTestPki();
  });
  after(() => pki.remove());
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const s of servers.splice(0)) await s.close();
  });

  it('VAULT_SKIP_VERIFY=false: node-vault turns certificate verification OFF; ours keeps it on', async () => {
    const s = await startServer((_r, res) => reply(res, 200, { ...ENVELOPE, data: { a: 'b' } }), pki.namedOnly);
    servers.push(s);
    const theirs = withProcessEnv('VAULT_SKIP_VERIFY', 'false', () => nodeVault({ endpoint: s.url, token: 't' }));
    const answer = await theirs.read('secret/x');
    assert.deepEqual(answer.data, { a: 'b' }, 'node-vault accepted a certificate from an unknown CA');

    const err = await ours(s.url, { VAULT_SKIP_VERIFY: 'false' })
      .read('secret/x', { token: 't' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof VaultConnectionError);
    assert.equal(err.reason, 'tls');
  });

  it('numbers: node-vault loses the lexeme (1.50 → 1.5) and precision (…993 → …992); ours keeps both', async () => {
    const body = `{"data":{"price":1.50,"id":9007199254740993},"lease_duration":0}`;
    const s = await startServer((_r, res) => reply(res, 200, body));
    servers.push(s);
    const theirs = await nodeVault({ endpoint: s.url, token: 't' }).read('secret/x');
    assert.equal(String(theirs.data.price), '1.5');
    assert.equal(String(theirs.data.id), '9007199254740992');

    const mine = await ours(s.url).read('secret/x', { token: 't' });
    assert.deepEqual(mine?.data, { price: new JsonNumber('1.50'), id: new JsonNumber('9007199254740993') });
  });

  it('kubernetesLogin without mount_point: node-vault calls /v1/auth//login; ours needs and uses the mount', async () => {
    const s = await startServer((_r, res) =>
      reply(res, 200, { ...ENVELOPE, data: null, auth: { client_token: 'tok', policies: [], lease_duration: 60 } }),
    );
    servers.push(s);
    await nodeVault({ endpoint: s.url }).kubernetesLogin({ role: 'app', jwt: 'jwt' });
    assert.equal(s.requests[0]?.url, '/v1/auth//login');

    const login = await ours(s.url).login('kubernetes', { role: 'app', jwt: 'jwt' });
    assert.equal(login.auth?.client_token, 'tok');
    assert.equal(s.requests[1]?.url, '/v1/auth/kubernetes/login');
  });

  it('503 once: node-vault fails at once (no retries); ours retries and succeeds', async () => {
    const s = await startServer((_r, res, i) =>
      i < 2 ? reply(res, 503, { errors: ['Vault is sealed'] }) : reply(res, 200, { ...ENVELOPE, data: { a: 'b' } }),
    );
    servers.push(s);
    await assert.rejects(nodeVault({ endpoint: s.url, token: 't' }).read('secret/x'), /Vault is sealed/);
    assert.equal(s.requests.length, 1);

    const mine = await ours(s.url).read('secret/x', { token: 't' });
    assert.deepEqual(mine?.data, { a: 'b' });
    assert.equal(s.requests.length, 3);
  });
});
