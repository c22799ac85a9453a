/** Configuration errors: each names the key (as a dotted path) and, where known, the file it came from. */
export const CONFIG_ERROR_CODES = [
  'CONFIG_SYNTAX', // a file or VAULT_CONFIG that is not valid HCL/JSON/base64
  'CONFIG_READ', // a -config path that cannot be read
  'CONFIG_UNKNOWN_KEY',
  'CONFIG_BAD_TYPE', // wrong value type (bool, int, string, list, block)
  'CONFIG_BAD_VALUE', // right type, value not allowed (names the allowed values)
  'CONFIG_MISSING', // a required key is absent
  'CONFIG_DUPLICATE_BLOCK', // a block that may appear once appears more often
  'CONFIG_UNSUPPORTED', // exec / env_template and other features this agent does not implement
  'CONFIG_INVALID', // Vault's cross-field validation (§2.1)
  'CONFIG_NONE', // no VAULT_CONFIG and no -config path
  'CONFIG_FLAG', // a command-line flag of `vault-injector agent`
] as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

export class AgentConfigError extends Error {
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    /** Dotted key path, e.g. `auto_auth.method.config.role`; undefined for whole-config problems. */
    readonly key?: string,
    /** The file (or `VAULT_CONFIG`) the key came from, when it came from one source. */
    readonly source?: string,
    options?: ErrorOptions,
  ) {
    super(source ? `${source}: ${message}` : message, options);
    this.name = 'AgentConfigError';
  }
}
