/**
 * The agent's VaultClient against a real Vault dev server: token calls, KV v1 and v2 (numbers kept as
 * written), mount discovery, 403 classification, response wrapping and AppRole login.
 */
import assert from 'node:assert/strict';
import { JsonNumber } from '../agent/src/template/dependencies.js';
import { VaultClient } from '../agent/src/vault/client.js';
import { VaultResponseError } from '../agent/src/vault/errors.js';
import { startVaultServer, type VaultServer, writePolicy } from './bed/vault-server.js';
import { bedBinaries } from './hooks.js';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('agent VaultClient against a real Vault', () => {
  let vault: VaultServer;
  let client: VaultClient;
  let root: string;

  /** A token with the `app-reader` policy, renewable, 1 h. */
  async function readerToken(): Promise<string> {
    const created = await client.write('auth/token/create', { policies: ['app-reader'], ttl: '1h' }, { token: root });
    assert.ok(created?.auth);
    return created.auth.client_token;
  }

  before(async function () {
    this.timeout(60_000);
    vault = await startVaultServer(bedBinaries().vault);
    root = vault.rootToken;
    client = new VaultClient({ address: vault.addr, maxRetries: 2 });
    await writePolicy(
      vault.root,
      'app-reader',
      'path "secret/data/app/*" { capabilities = ["read"] }\npath "secret/metadata/app/*" { capabilities = ["list"] }\npath "kv/*" { capabilities = ["read"] }',
    );
    await vault.root.write('sys/mounts/kv', { type: 'kv', options: { version: '1' } });
    await vault.root.write('sys/mounts/private', { type: 'kv', options: { version: '2' } });
  });

  after(async function () {
    this.timeout(30_000);
    await client?.close();
    await vault?.stop();
  });

  it('001 health reports an active, unsealed 1.14 server', async () => {
    const h = await client.health();
    assert.equal(h.status, 200);
    assert.equal(h.sealed, false);
    assert.match(h.version, /^1\.14\./);
  });

  it('002 token lookup-self, renew-self, revoke-self; a revoked token gets 403', async () => {
    const token = await readerToken();
    const self = await client.lookupSelf(token);
    assert.deepEqual(self.data?.policies, ['app-reader', 'default']);
    assert.ok(self.data?.ttl instanceof JsonNumber);

    const renewed = await client.renewSelf(token, 600);
    assert.equal(renewed.auth?.client_token, token);
    assert.equal(renewed.auth?.lease_duration, 600);
    assert.equal(renewed.auth?.renewable, true);

    await client.revokeSelf(token);
    const err = await rejection(client.lookupSelf(token));
    assert.ok(err instanceof VaultResponseError);
    assert.equal(err.status, 403);
    // Vault 1.14 answers a revoked token with a bare "permission denied" (newer versions add "invalid token",
    // which the unit tests cover); the message never repeats the token.
    assert.deepEqual(err.errors, ['permission denied']);
    assert.ok(!err.message.includes(token), err.message);
  });

  it('003 KV v2: write, read (numbers as Vault writes them), list sorted, missing key is null', async () => {
    const data = { ttl: new JsonNumber('3600'), ratio: new JsonNumber('0.25'), name: 'web' };
    const written = await client.write('secret/data/app/config', { data }, { token: root });
    assert.equal(written?.data?.version instanceof JsonNumber && written.data.version.text, '1');
    await client.write('secret/data/app/b-other', { data: { x: 'y' } }, { token: root });
    await client.write('secret/data/app/A/nested', { data: { x: 'y' } }, { token: root });

    const token = await readerToken();
    const secret = await client.read('secret/data/app/config', { token });
    assert.ok(['', 'kv'].includes(secret?.mount_type ?? 'absent'), 'mount_type: only newer servers send it');
    assert.equal(secret?.lease_duration, 0);
    assert.ok(secret?.data);
    const stored = secret.data.data as Record<string, unknown>;
    assert.deepEqual(stored, data);
    // The KV v2 plugin keeps values as float64, so Vault itself rewrites 1.50 as 1.5; KV v1 (005) keeps lexemes.
    await client.write('secret/data/app/float', { data: { p: new JsonNumber('1.50') } }, { token: root });
    const float = await client.read('secret/data/app/float', { token: root });
    assert.deepEqual((float?.data?.data as Record<string, unknown> | undefined)?.p, new JsonNumber('1.5'));

    assert.deepEqual(await client.list('secret/metadata/app/', { token }), ['A/', 'b-other', 'config', 'float']);
    assert.deepEqual(await client.list('secret/metadata/app/none/', { token }), []);
    assert.equal(await client.read('secret/data/app/missing', { token }), null);
  });

  it('004 KV v2: a deleted version answers 404 with its metadata, which read returns', async () => {
    await client.write('secret/data/app/gone', { data: { a: 'b' } }, { token: root });
    await client.delete('secret/data/app/gone', { token: root });
    const gone = await client.read('secret/data/app/gone', { token: root });
    assert.ok(gone);
    assert.equal((gone.data as { data: unknown }).data, null);
    const metadata = (gone.data as { metadata: { deletion_time: string } }).metadata;
    assert.notEqual(metadata.deletion_time, '');
  });

  it('005 KV v1: writes answer 204, numbers come back verbatim, the ttl key is the lease_duration', async () => {
    const numbers = {
      price: new JsonNumber('1.50'),
      id: new JsonNumber('9007199254740993'),
      e: new JsonNumber('1E+2'),
    };
    assert.equal(await client.write('kv/app', { password: 'p', ttl: '30m', ...numbers }, { token: root }), null);
    await client.write('kv/plain', { a: 'b' }, { token: root });
    const token = await readerToken();
    const app = await client.read('kv/app', { token });
    assert.equal(app?.lease_duration, 1800);
    assert.equal(app?.lease_id, '');
    assert.equal(app?.renewable, false);
    assert.deepEqual(app?.data, { password: 'p', ttl: '30m', ...numbers });
    const plain = await client.read('kv/plain', { token });
    assert.equal(plain?.lease_duration, 2_764_800); // the mount default, 768h
  });

  it('006 mountInfo tells KV v1 from v2, and is null without access or mount', async () => {
    const token = await readerToken();
    assert.deepEqual(await client.mountInfo(token, 'secret/app/config'), { path: 'secret/', type: 'kv', version: '2' });
    assert.deepEqual(await client.mountInfo(token, 'kv/app'), { path: 'kv/', type: 'kv', version: '1' });
    assert.equal(await client.mountInfo(token, 'private/thing'), null);
    assert.equal(await client.mountInfo(token, 'nowhere/at/all'), null);
  });

  it('007 403: a valid token without the policy is permission denied, not an invalid token', async () => {
    const token = await readerToken();
    const err = await rejection(client.read('secret/data/other/thing', { token }));
    assert.ok(err instanceof VaultResponseError);
    assert.equal(err.status, 403);
    assert.equal(err.permissionDenied, true);
    assert.equal(err.invalidToken, false);
    assert.equal(err.message, 'GET /v1/secret/data/other/thing: 403 permission denied');
    const bogus = await rejection(client.read('secret/data/app/config', { token: 'hvs.not-a-real-token' }));
    assert.ok(bogus instanceof VaultResponseError);
    assert.equal(bogus.status, 403);
    assert.ok(!bogus.message.includes('not-a-real-token'));
  });

  it('008 wrap: sys/wrapping/wrap and X-Vault-Wrap-TTL give wrapping tokens that unwrap to the data', async () => {
    const info = await client.wrap(root, { token: 'inner-value' }, '2m');
    assert.equal(info.ttl, 120);
    assert.equal(info.creation_path, 'sys/wrapping/wrap');
    const unwrapped = await client.write('sys/wrapping/unwrap', {}, { token: info.token });
    assert.deepEqual(unwrapped?.data, { token: 'inner-value' });

    const wrappedRead = await client.write('sys/wrapping/lookup', { token: 'x' }, { token: root }).catch(() => null);
    assert.equal(wrappedRead, null); // unknown wrapping token: 400, not a crash
  });

  it('009 AppRole login returns an auth block; with wrapTTL a wrapped one; a bad secret is a 400', async () => {
    await vault.root.write('sys/auth/approle', { type: 'approle' });
    await vault.root.write('auth/approle/role/agent', { token_policies: ['app-reader'], token_ttl: '20m' });
    const roleId = (await vault.root.read<{ role_id: string }>('auth/approle/role/agent/role-id')).data.role_id;
    const secretId = async () =>
      (await vault.root.write<{ secret_id: string }>('auth/approle/role/agent/secret-id'))?.data.secret_id ?? '';

    const login = await client.login('approle', { role_id: roleId, secret_id: await secretId() }, { retry: false });
    assert.equal(login.auth?.lease_duration, 1200);
    assert.deepEqual(login.auth?.token_policies, ['app-reader', 'default']);
    assert.ok(await client.read('secret/data/app/config', { token: login.auth?.client_token ?? '' }));

    const wrapped = await client.login('/approle/', { role_id: roleId, secret_id: await secretId() }, { wrapTTL: 60 });
    assert.equal(wrapped.auth, null);
    assert.equal(wrapped.wrap_info?.creation_path, 'auth/approle/login');

    const err = await rejection(client.login('approle', { role_id: roleId, secret_id: 'wrong' }, { retry: false }));
    assert.ok(err instanceof VaultResponseError);
    assert.equal(err.status, 400);
  });
});
