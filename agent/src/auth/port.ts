// The few Vault calls auto-auth makes. The agent's Vault client is adapted to this port, so the auth loop can be
// tested with a fake and does not depend on the client's shape.

export interface LoginAnswer {
  clientToken: string;
  accessor: string;
  /** Seconds; 0 means the token never expires (root tokens). */
  leaseDuration: number;
  renewable: boolean;
  policies: string[];
}

export interface AuthVaultPort {
  /** `PUT /v1/<mountPath>/login` with `body`, without a token; `mountPath` is e.g. `auth/kubernetes`. */
  login(mountPath: string, body: Record<string, unknown>, opts: { namespace?: string }): Promise<LoginAnswer>;
  /** `PUT /v1/auth/token/renew-self` as `token`. */
  renewSelf(token: string, increment: number): Promise<{ leaseDuration: number; renewable: boolean }>;
  /** `GET /v1/auth/token/lookup-self` as `token`. */
  lookupSelf(token: string): Promise<{ ttl: number; renewable: boolean }>;
}

/** What the port's errors carry. Their message never includes a token. */
export interface AuthVaultPortError {
  status?: number;
  /** A 403 "permission denied": the watcher stops renewing and waits out the lease. */
  permissionDenied?: boolean;
  /** Vault said the token is not valid (any more). */
  invalidToken?: boolean;
  message: string;
}

export const isInvalidTokenError = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as AuthVaultPortError).invalidToken === true;
