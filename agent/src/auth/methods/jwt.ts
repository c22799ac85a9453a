import { requiredString } from './config-values.js';
import { readCredentialFile } from './credential-file.js';
import type { AuthMethod, AuthMethodConfig, MethodFs } from './types.js';

/** JWT/OIDC auth: `{role, jwt}` with the JWT read from `path` on every login. */
export function jwtMethod(cfg: AuthMethodConfig, fs: MethodFs): AuthMethod {
  const role = requiredString(cfg.config, 'role', 'jwt');
  const path = requiredString(cfg.config, 'path', 'jwt');
  return {
    type: 'jwt',
    mountPath: cfg.mountPath,
    namespace: cfg.namespace,
    logFields: { role },
    async loginBody() {
      const jwt = await readCredentialFile(fs, path, 'JWT');
      return { role, jwt };
    },
  };
}
