import type { Fields } from '../../../../cli/log.js';

/** The auto-auth method block after config parsing: `mount_path` defaulted, backoff handled elsewhere. */
export interface AuthMethodConfig {
  readonly type: string;
  /** e.g. `auth/kubernetes`; empty means `auth/<type>`. */
  readonly mountPath: string;
  readonly namespace?: string;
  readonly config: Readonly<Record<string, string | boolean>>;
}

export interface AuthMethod {
  readonly type: string;
  readonly mountPath: string;
  readonly namespace?: string;
  /** Non-secret fields that say which login was refused (e.g. `role`); logged with login errors. */
  readonly logFields: Fields;
  /** The login request body. Reads credential files again on every call, so rotated files are picked up. */
  loginBody(): Promise<Record<string, unknown>>;
}

/** The file system calls the methods need; tests pass the real one, with temp files. */
export interface MethodFs {
  readFile(path: string): Promise<string>;
  remove(path: string): Promise<void>;
}
