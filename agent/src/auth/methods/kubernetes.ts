import type { Fields } from '../../../../cli/log.js';
import { optionalString, requiredString } from './config-values.js';
import { readCredentialFile } from './credential-file.js';
import type { AuthMethod, AuthMethodConfig, MethodFs } from './types.js';

export const DEFAULT_KUBERNETES_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * The service account and audiences a Kubernetes token claims: what a refused login (role not bound to this
 * service account, wrong audience) needs to be understood. Claims only, never the token; {} if it is no JWT.
 */
export function serviceAccountClaims(jwt: string): Fields {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub?: unknown;
      aud?: unknown;
    };
    const sa = typeof payload.sub === 'string' ? /^system:serviceaccount:([^:]+):([^:]+)$/.exec(payload.sub) : null;
    const aud = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
    return {
      service_account: sa ? `${sa[1]}/${sa[2]}` : undefined,
      token_audience: aud.length > 0 ? aud.map(String).join(',') : undefined,
    };
  } catch {
    return {};
  }
}

/** Kubernetes auth: `{role, jwt}` with the service-account token read afresh for every login (it rotates). */
export function kubernetesMethod(cfg: AuthMethodConfig, fs: MethodFs): AuthMethod {
  const role = requiredString(cfg.config, 'role', 'kubernetes');
  const tokenPath = optionalString(cfg.config, 'token_path', 'kubernetes', DEFAULT_KUBERNETES_TOKEN_PATH);
  let claims: Fields = {};
  return {
    type: 'kubernetes',
    mountPath: cfg.mountPath,
    namespace: cfg.namespace,
    get logFields() {
      return { role, ...claims };
    },
    async loginBody() {
      const jwt = await readCredentialFile(fs, tokenPath, 'service account token');
      claims = serviceAccountClaims(jwt);
      return { role, jwt };
    },
  };
}
