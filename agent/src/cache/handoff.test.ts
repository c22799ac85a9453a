import assert from 'node:assert/strict';
import { JsonNumber, type VaultSecretData } from '../template/dependencies.js';
import { HandoffError, handoffWrappingToken, newHandoffKey, openHandoff, sealHandoff } from './handoff.js';

const secret: VaultSecretData = {
  request_id: 'r',
  lease_id: 'database/creds/app/abc',
  lease_duration: new JsonNumber('3600') as unknown as number,
  renewable: true,
  data: { username: 'v-app-x', password: 'p@ss"word', port: new JsonNumber('5432') },
  warnings: null,
  auth: null,
  wrap_info: null,
} as unknown as VaultSecretData;

describe('persistent-cache handoff file', () => {
  const state = {
    token: 'hvs.secret-token',
    secrets: [{ key: 'vault.read(database/creds/app)', secret }],
    writtenAt: 1,
  };

  it('opens with its key and binding, numbers kept as written; the token is never in the file as text', () => {
    const key = newHandoffKey();
    const text = sealHandoff(state, key, 'sa-token', 'hvs.wrapping');
    assert.equal(handoffWrappingToken(text), 'hvs.wrapping');
    assert.doesNotMatch(text, /hvs\.secret-token|v-app-x|p@ss/);
    const opened = openHandoff(text, key, 'sa-token');
    assert.equal(opened.token, 'hvs.secret-token');
    assert.equal(opened.secrets[0]?.key, 'vault.read(database/creds/app)');
    assert.deepEqual(opened.secrets[0]?.secret.data, secret.data);
    assert.ok(opened.secrets[0]?.secret.data?.port instanceof JsonNumber);
  });

  it('refuses another service account, another key and any change to the file', () => {
    const key = newHandoffKey();
    const text = sealHandoff(state, key, 'sa-token', 'hvs.wrapping');
    assert.throws(() => openHandoff(text, key, 'other-sa-token'), HandoffError);
    assert.throws(() => openHandoff(text, newHandoffKey(), 'sa-token'), /does not open/);
    const file = JSON.parse(text) as { sealed: string };
    const bytes = Buffer.from(file.sealed, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    assert.throws(
      () => openHandoff(JSON.stringify({ ...file, sealed: bytes.toString('base64') }), key, 'sa-token'),
      HandoffError,
    );
    assert.throws(() => handoffWrappingToken('not json'), /not JSON/);
    assert.throws(() => handoffWrappingToken('{"version":2}'), /not a vault-injector handoff/);
  });
});
