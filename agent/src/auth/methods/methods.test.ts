import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError, type AuthErrorCode } from '../errors.js';
import { createAuthMethod } from './factory.js';
import type { AuthMethodConfig } from './types.js';

interface ErrorCase {
  name: string;
  cfg: AuthMethodConfig;
  code: AuthErrorCode;
  message: string;
}

const errorCases: ErrorCase[] = [
  {
    name: 'unknown type lists the supported ones',
    cfg: { type: 'aws', mountPath: '', config: {} },
    code: 'AUTH_UNKNOWN_METHOD',
    message: 'unknown auto_auth method type "aws" (supported: approle, jwt, kubernetes)',
  },
  {
    name: 'kubernetes without role',
    cfg: { type: 'kubernetes', mountPath: 'auth/kubernetes', config: {} },
    code: 'AUTH_BAD_CONFIG',
    message: "kubernetes auth: missing 'role' value",
  },
  {
    name: 'kubernetes with an empty role',
    cfg: { type: 'kubernetes', mountPath: 'auth/kubernetes', config: { role: ' ' } },
    code: 'AUTH_BAD_CONFIG',
    message: "kubernetes auth: 'role' value is empty",
  },
  {
    name: 'kubernetes role that is not a string',
    cfg: { type: 'kubernetes', mountPath: 'auth/kubernetes', config: { role: true } },
    code: 'AUTH_BAD_CONFIG',
    message: "kubernetes auth: 'role' must be a string",
  },
  {
    name: 'jwt without path',
    cfg: { type: 'jwt', mountPath: 'auth/jwt', config: { role: 'r' } },
    code: 'AUTH_BAD_CONFIG',
    message: "jwt auth: missing 'path' value",
  },
  {
    name: 'approle without role_id_file_path',
    cfg: { type: 'approle', mountPath: 'auth/approle', config: {} },
    code: 'AUTH_BAD_CONFIG',
    message: "approle auth: missing 'role_id_file_path' value",
  },
  {
    name: 'approle with a non-boolean remove flag',
    cfg: {
      type: 'approle',
      mountPath: 'auth/approle',
      config: { role_id_file_path: '/r', remove_secret_id_file_after_reading: 'sometimes' },
    },
    code: 'AUTH_BAD_CONFIG',
    message: `approle auth: 'remove_secret_id_file_after_reading' must be true or false (got "sometimes")`,
  },
];

describe('auto-auth methods', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auth-methods-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  errorCases.forEach((c, i) => {
    it(`${String(i + 1).padStart(3, '0')} config error: ${c.name}`, () => {
      assert.throws(
        () => createAuthMethod(c.cfg),
        (err) => err instanceof AuthError && err.code === c.code && err.message === c.message,
      );
    });
  });

  it('101 kubernetes: mount path defaults to auth/<type>, trailing slash trimmed, default token path', async () => {
    const m = createAuthMethod({ type: 'kubernetes', mountPath: '', namespace: 'team-a', config: { role: 'app' } });
    assert.equal(m.mountPath, 'auth/kubernetes');
    assert.equal(m.namespace, 'team-a');
    assert.deepEqual(m.logFields, { role: 'app' });
    assert.equal(
      createAuthMethod({ type: 'kubernetes', mountPath: 'auth/k8s/', config: { role: 'a' } }).mountPath,
      'auth/k8s',
    );
    await assert.rejects(m.loginBody(), (err) => {
      assert.ok(err instanceof AuthError && err.code === 'AUTH_CREDENTIAL_FILE');
      assert.match(
        err.message,
        /^error reading service account token file "\/var\/run\/secrets\/kubernetes\.io\/serviceaccount\/token": /,
      );
      return true;
    });
  });

  it('102 kubernetes: the token file is trimmed and re-read on every login; an empty file names the path', async () => {
    const path = join(dir, 'token');
    const m = createAuthMethod({
      type: 'kubernetes',
      mountPath: 'auth/kubernetes',
      config: { role: 'app', token_path: path },
    });
    writeFileSync(path, 'aaa.bbb.ccc\n');
    assert.deepEqual(await m.loginBody(), { role: 'app', jwt: 'aaa.bbb.ccc' });
    writeFileSync(path, 'ddd.eee.fff');
    assert.deepEqual(await m.loginBody(), { role: 'app', jwt: 'ddd.eee.fff' });
    writeFileSync(path, ' \n');
    await assert.rejects(m.loginBody(), {
      code: 'AUTH_CREDENTIAL_FILE',
      message: `service account token file "${path}" is empty`,
    });
  });

  it("107 kubernetes: a refused login is logged with the token's service account and audiences, never the token", async () => {
    const path = join(dir, 'sa-token');
    const m = createAuthMethod({ type: 'kubernetes', mountPath: '', config: { role: 'app', token_path: path } });
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = { sub: 'system:serviceaccount:shop:web', aud: ['https://kubernetes.default.svc', 'vault'] };
    writeFileSync(path, `${part({ alg: 'RS256' })}.${part(claims)}.c2ln`);
    await m.loginBody();
    assert.deepEqual(m.logFields, {
      role: 'app',
      service_account: 'shop/web',
      token_audience: 'https://kubernetes.default.svc,vault',
    });
    writeFileSync(path, 'not-a-jwt');
    await m.loginBody();
    assert.deepEqual(m.logFields, { role: 'app' });
  });

  it('103 jwt: {role, jwt} from the file, re-read each time', async () => {
    const path = join(dir, 'jwt');
    const m = createAuthMethod({ type: 'jwt', mountPath: 'auth/jwt', config: { role: 'dev', path } });
    writeFileSync(path, 'one');
    assert.deepEqual(await m.loginBody(), { role: 'dev', jwt: 'one' });
    writeFileSync(path, 'two');
    assert.deepEqual(await m.loginBody(), { role: 'dev', jwt: 'two' });
  });

  it('104 approle: the secret ID file is removed after reading by default and the secret ID remembered', async () => {
    const roleId = join(dir, 'role-id');
    const secretId = join(dir, 'secret-id');
    writeFileSync(roleId, 'rid\n');
    writeFileSync(secretId, 'sid-1\n');
    const m = createAuthMethod({
      type: 'approle',
      mountPath: 'auth/approle',
      config: { role_id_file_path: roleId, secret_id_file_path: secretId },
    });
    assert.deepEqual(m.logFields, {});
    assert.deepEqual(await m.loginBody(), { role_id: 'rid', secret_id: 'sid-1' });
    assert.equal(existsSync(secretId), false);
    assert.deepEqual(await m.loginBody(), { role_id: 'rid', secret_id: 'sid-1' });
    writeFileSync(secretId, 'sid-2');
    assert.deepEqual(await m.loginBody(), { role_id: 'rid', secret_id: 'sid-2' });
  });

  it('105 approle: remove_secret_id_file_after_reading=false keeps the file; a missing first secret ID is an error', async () => {
    const roleId = join(dir, 'role-id');
    const secretId = join(dir, 'secret-id');
    writeFileSync(roleId, 'rid');
    const m = createAuthMethod({
      type: 'approle',
      mountPath: 'auth/approle',
      config: {
        role_id_file_path: roleId,
        secret_id_file_path: secretId,
        remove_secret_id_file_after_reading: 'false',
      },
    });
    await assert.rejects(m.loginBody(), (err) => err instanceof AuthError && err.message.includes(`"${secretId}"`));
    writeFileSync(secretId, 'sid');
    assert.deepEqual(await m.loginBody(), { role_id: 'rid', secret_id: 'sid' });
    assert.equal(existsSync(secretId), true);
  });

  it('106 approle without a secret ID file sends only the role ID (bind_secret_id=false roles)', async () => {
    const roleId = join(dir, 'role-id');
    writeFileSync(roleId, 'rid');
    const m = createAuthMethod({ type: 'approle', mountPath: 'auth/approle', config: { role_id_file_path: roleId } });
    assert.deepEqual(await m.loginBody(), { role_id: 'rid' });
  });
});
