import { isOwnAgentImage } from './containers.js';
import { InjectorError } from './errors.js';
import { A, P } from './keys.js';
import type { AgentSpec } from './spec.js';

/** vault-k8s's `Validate` (spec §3.1 step 7): what a spec must have before containers are built. */
export function validateAgentSpec(spec: AgentSpec): void {
  const fail = (code: InjectorError['code'], message: string, annotation?: string) =>
    new InjectorError(code, 'validate', message, annotation);
  if (spec.requestNamespace === '')
    throw fail('MISSING_NAMESPACE', 'namespace missing from request', A.requestNamespace);
  const sa = spec.serviceAccountToken;
  if (sa.volumeName === '' || sa.mountPath === '' || sa.tokenPath === '') {
    throw fail('SERVICE_ACCOUNT', 'no service account token volume name, mount path or token path found');
  }
  if (spec.image === '')
    throw fail('MISSING_IMAGE', `no Vault image found (annotation vault.hashicorp.com/${A.image} is empty)`, A.image);
  const foreign = spec.secrets.find((s) => s.engine !== 'go');
  if (foreign && !isOwnAgentImage(spec.image)) {
    throw fail(
      'BAD_TEMPLATE_ENGINE',
      `annotation vault.hashicorp.com/${P.templateEngine}${foreign.rawName}=${foreign.engine} needs the vault-injector agent image; agent image ${JSON.stringify(spec.image)} is Vault Agent, which only renders Go templates`,
      `${P.templateEngine}${foreign.rawName}`,
    );
  }
  if (spec.configMap !== '') return; // the user's own agent config: auth and address are theirs
  if (spec.authType === '')
    throw fail(
      'MISSING_AUTH_TYPE',
      `no Vault Auth Type found (annotation vault.hashicorp.com/${A.authType} is empty)`,
      A.authType,
    );
  if (spec.authType === 'kubernetes' && (spec.authConfig.get('role') ?? '') === '') {
    throw fail(
      'MISSING_ROLE',
      `no Vault role found: set annotation vault.hashicorp.com/${A.role} (or vault.hashicorp.com/auth-config-role) to the Vault Kubernetes auth role`,
      A.role,
    );
  }
  if (spec.authPath === '')
    throw fail(
      'MISSING_AUTH_PATH',
      `no Vault Auth Path found (annotation vault.hashicorp.com/${A.authPath} is empty)`,
      A.authPath,
    );
  if (spec.address === '')
    throw fail(
      'MISSING_ADDRESS',
      `no Vault address found (annotation vault.hashicorp.com/${A.service} is empty)`,
      A.service,
    );
}
