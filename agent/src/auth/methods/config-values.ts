import { AuthError } from '../errors.js';

type Config = Readonly<Record<string, string | boolean>>;

/** A required string setting, with Vault's wording for missing and empty values. */
export function requiredString(config: Config, key: string, method: string): string {
  const value = config[key];
  if (value === undefined) throw new AuthError('AUTH_BAD_CONFIG', `${method} auth: missing '${key}' value`);
  if (typeof value !== 'string') throw new AuthError('AUTH_BAD_CONFIG', `${method} auth: '${key}' must be a string`);
  if (value.trim() === '') throw new AuthError('AUTH_BAD_CONFIG', `${method} auth: '${key}' value is empty`);
  return value;
}

export function optionalString(config: Config, key: string, method: string, fallback: string): string {
  const value = config[key];
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string') throw new AuthError('AUTH_BAD_CONFIG', `${method} auth: '${key}' must be a string`);
  return value;
}

// Go's strconv.ParseBool spellings, since HCL/JSON configs may carry booleans as strings.
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function optionalBool(config: Config, key: string, method: string, fallback: boolean): boolean {
  const value = config[key];
  if (value === undefined || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new AuthError(
    'AUTH_BAD_CONFIG',
    `${method} auth: '${key}' must be true or false (got ${JSON.stringify(value)})`,
  );
}
