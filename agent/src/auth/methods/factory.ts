import { AuthError } from '../errors.js';
import { approleMethod } from './approle.js';
import { nodeMethodFs } from './credential-file.js';
import { jwtMethod } from './jwt.js';
import { kubernetesMethod } from './kubernetes.js';
import type { AuthMethod, AuthMethodConfig, MethodFs } from './types.js';

const BUILDERS = {
  approle: approleMethod,
  jwt: jwtMethod,
  kubernetes: kubernetesMethod,
} as const satisfies Record<string, (cfg: AuthMethodConfig, fs: MethodFs) => AuthMethod>;

export const SUPPORTED_AUTH_METHODS = Object.freeze(Object.keys(BUILDERS).sort());

/** Builds the auto-auth method; unknown types and bad settings fail here, before the agent starts. */
export function createAuthMethod(cfg: AuthMethodConfig, fs: MethodFs = nodeMethodFs): AuthMethod {
  const build = Object.hasOwn(BUILDERS, cfg.type) ? BUILDERS[cfg.type as keyof typeof BUILDERS] : undefined;
  if (!build) {
    throw new AuthError(
      'AUTH_UNKNOWN_METHOD',
      `unknown auto_auth method type ${JSON.stringify(cfg.type)} (supported: ${SUPPORTED_AUTH_METHODS.join(', ')})`,
    );
  }
  const mountPath = (cfg.mountPath.trim() || `auth/${cfg.type}`).replace(/\/+$/, '');
  return build({ ...cfg, mountPath }, fs);
}
