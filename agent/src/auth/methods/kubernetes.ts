import { optionalString, requiredString } from './config-values.js';
import { readCredentialFile } from './credential-file.js';
import type { AuthMethod, AuthMethodConfig, MethodFs } from './types.js';

export const DEFAULT_KUBERNETES_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Kubernetes auth: `{role, jwt}` with the service-account token read afresh for every login (it rotates). */
export function kubernetesMethod(cfg: AuthMethodConfig, fs: MethodFs): AuthMethod {
  const role = requiredString(cfg.config, 'role', 'kubernetes');
  const tokenPath = optionalString(cfg.config, 'token_path', 'kubernetes', DEFAULT_KUBERNETES_TOKEN_PATH);
  return {
    type: 'kubernetes',
    mountPath: cfg.mountPath,
    namespace: cfg.namespace,
    logFields: { role },
    async loginBody() {
      const jwt = await readCredentialFile(fs, tokenPath, 'service account token');
      return { role, jwt };
    },
  };
}
