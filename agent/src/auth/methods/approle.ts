import { AuthError } from '../errors.js';
import { optionalBool, optionalString, requiredString } from './config-values.js';
import { readCredentialFile } from './credential-file.js';
import type { AuthMethod, AuthMethodConfig, MethodFs } from './types.js';

const isMissingFile = (err: unknown): boolean =>
  err instanceof AuthError && (err.cause as { code?: unknown } | undefined)?.code === 'ENOENT';

/**
 * AppRole auth: `{role_id, secret_id}`. The role ID file is read on every login. The secret ID file is
 * usually deleted after reading (`remove_secret_id_file_after_reading`, default true), so the last secret ID
 * read is kept in memory and used until a new file appears.
 */
export function approleMethod(cfg: AuthMethodConfig, fs: MethodFs): AuthMethod {
  const roleIdPath = requiredString(cfg.config, 'role_id_file_path', 'approle');
  const secretIdPath = optionalString(cfg.config, 'secret_id_file_path', 'approle', '');
  const removeSecretId = optionalBool(cfg.config, 'remove_secret_id_file_after_reading', 'approle', true);
  let cachedSecretId = '';

  async function secretId(): Promise<string> {
    try {
      const fresh = await readCredentialFile(fs, secretIdPath, 'secret ID');
      cachedSecretId = fresh;
      if (removeSecretId) await fs.remove(secretIdPath);
    } catch (err) {
      // Gone or empty after an earlier read-and-remove: the remembered secret ID still serves.
      const consumed = isMissingFile(err) || (err instanceof AuthError && err.message.endsWith('is empty'));
      if (!(consumed && cachedSecretId !== '')) throw err;
    }
    return cachedSecretId;
  }

  return {
    type: 'approle',
    mountPath: cfg.mountPath,
    namespace: cfg.namespace,
    logFields: {},
    async loginBody() {
      const roleId = await readCredentialFile(fs, roleIdPath, 'role ID');
      return secretIdPath === '' ? { role_id: roleId } : { role_id: roleId, secret_id: await secretId() };
    },
  };
}
