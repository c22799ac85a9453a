// What the runner needs from Vault. Bound to one token: a new token means a new runner (spec §2.7).
import type { VaultSecretData } from '../template/dependencies.js';

export interface RunnerVaultPort {
  /** GET /v1/<path> (path may carry ?version=N); null on 404 without a body. */
  read(path: string): Promise<VaultSecretData | null>;
  /** PUT /v1/<path>; null when Vault answers 204. */
  write(path: string, body: Record<string, unknown>): Promise<VaultSecretData | null>;
  /** LIST /v1/<path>: sorted keys; [] when none. */
  list(path: string): Promise<string[]>;
  /** GET /v1/sys/internal/ui/mounts/<path>: the mount holding <path>, or null when Vault has no such endpoint. */
  mountInfo(path: string): Promise<{ path: string; type: string; version: string } | null>;
  /** PUT /v1/sys/leases/renew. */
  renewLease(leaseId: string, increment: number): Promise<{ leaseDuration: number; renewable: boolean }>;
}

/** The shape of errors the port throws (the Vault client's errors carry these fields). */
export interface RunnerVaultPortError {
  readonly status?: number;
  readonly permissionDenied?: boolean;
  readonly invalidToken?: boolean;
  readonly message: string;
}

export function portErrorOf(err: unknown): RunnerVaultPortError {
  if (typeof err === 'object' && err !== null) {
    const e = err as Partial<RunnerVaultPortError>;
    return {
      status: typeof e.status === 'number' ? e.status : undefined,
      permissionDenied: e.permissionDenied === true,
      invalidToken: e.invalidToken === true,
      message: typeof e.message === 'string' ? e.message : String(err),
    };
  }
  return { message: String(err) };
}
