// Thin adapters from the Vault client to the small ports the auth handler and the template runner code against.
import type { AuthVaultPort, LoginAnswer } from './auth/port.js';
import type { RunnerVaultPort } from './runner/port.js';
import type { VaultClient } from './vault/client.js';

/** Auth traffic is never retried by the client: the auth handler has its own backoff (Vault: MaxRetries(0)). */
export function authPort(client: VaultClient): AuthVaultPort {
  return {
    async login(mountPath, body, opts): Promise<LoginAnswer> {
      // Agent configs name the whole mount path (`auth/kubernetes`); the client adds the `auth/` itself.
      const mount = mountPath.replace(/^\/*auth\//, '');
      const secret = await client.login(mount, body, { namespace: opts.namespace, retry: false });
      const auth = secret.auth;
      if (!auth) throw Object.assign(new Error(`login to ${mountPath} returned no auth block`), { status: 200 });
      return {
        clientToken: auth.client_token,
        accessor: auth.accessor,
        leaseDuration: auth.lease_duration,
        renewable: auth.renewable,
        policies: [...(auth.policies ?? [])],
      };
    },
    async renewSelf(token, increment) {
      const secret = await client.renewSelf(token, increment, { retry: false });
      return { leaseDuration: secret.auth?.lease_duration ?? 0, renewable: secret.auth?.renewable ?? false };
    },
    async lookupSelf(token) {
      const secret = await client.lookupSelf(token, { retry: false });
      const data = secret.data ?? {};
      return { ttl: Number(String(data.ttl ?? 0)), renewable: data.renewable === true };
    },
  };
}

/** Bound to one token: the template server makes a new runner (and port) for every new token. */
export function runnerPort(client: VaultClient, token: string): RunnerVaultPort {
  return {
    read: (path) => {
      const q = path.indexOf('?');
      if (q < 0) return client.read(path, { token });
      const query = Object.fromEntries(new URLSearchParams(path.slice(q + 1)));
      return client.read(path.slice(0, q), { token, query });
    },
    write: (path, body) => client.write(path, body, { token }),
    list: (path) => client.list(path, { token }),
    mountInfo: (path) => client.mountInfo(token, path),
    async renewLease(leaseId, increment) {
      const secret = await client.renewLease(token, leaseId, increment);
      return { leaseDuration: secret.lease_duration, renewable: secret.renewable };
    },
  };
}
