// Errors auto-auth raises itself (bad method or sink config, unreadable credential files). Messages name the
// file or setting at fault and never carry a token or secret.

export const AUTH_ERROR_CODES = [
  'AUTH_UNKNOWN_METHOD',
  'AUTH_BAD_CONFIG',
  'AUTH_CREDENTIAL_FILE',
  'AUTH_NO_TOKEN',
  'AUTH_RENEWAL_EXHAUSTED',
  'SINK_BAD_CONFIG',
  'SINK_NOT_WRITABLE',
] as const;
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AuthError';
  }
}

/** The text to log for any error; Error messages only, so no object dump can leak a token. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}
