/**
 * Why an admission was denied. The stage decides the message prefix vault-k8s users already know
 * (spec §3.1); the rest names the annotation, the bad value and what is allowed.
 */
export const DENY_STAGES = {
  shouldInject: 'error checking if should inject agent: ',
  namespace: 'error with request namespace: ',
  defaults: 'error adding default annotations: ',
  parse: 'error creating new agent sidecar: ',
  validate: 'error validating agent configuration: ',
  patch: 'error creating patch for agent: ',
  decode: '',
} as const;

export type DenyStage = keyof typeof DENY_STAGES;

export const ERROR_CODES = [
  'POD_DECODE',
  'BAD_BOOL',
  'BAD_INT',
  'BAD_UINT',
  'BAD_FLOAT',
  'BAD_DURATION',
  'BAD_QUANTITY',
  'BAD_JSON_PATCH',
  'JSON_PATCH_APPLY',
  'BAD_DEFAULT_TEMPLATE',
  'SYSTEM_NAMESPACE',
  'MISSING_ADDRESS',
  'MISSING_AUTH_PATH',
  'MISSING_NAMESPACE',
  'MISSING_AUTH_TYPE',
  'MISSING_ROLE',
  'MISSING_IMAGE',
  'SERVICE_ACCOUNT',
  'RUN_AS_SAME_USER',
  'SHARE_PROCESS_NAMESPACE',
  'NATIVE_SIDECAR_CONFLICT',
  'BAD_TEMPLATE_ENGINE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class InjectorError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly stage: DenyStage,
    message: string,
    readonly annotation?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'InjectorError';
  }
}

/** The `status.message` of a denial: vault-k8s's stage prefix, then our specific text. */
export function denyMessage(err: InjectorError): string {
  return `${DENY_STAGES[err.stage]}${err.message}`;
}
