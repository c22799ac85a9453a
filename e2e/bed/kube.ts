import { httpCall, jsonOf } from './http.js';

export interface KubeConnection {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly caPem: string;
  readonly token: string;
}

export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: string,
  ) {
    super(`${method} ${path} -> HTTP ${status}: ${kubeMessage(body)}`);
    this.name = 'KubeError';
  }
}

function kubeMessage(body: string): string {
  try {
    const s = JSON.parse(body) as { message?: string };
    return s.message ?? body.slice(0, 300);
  } catch {
    return body.slice(0, 300);
  }
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; uid?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface TokenOptions {
  readonly audiences?: readonly string[];
  readonly expirationSeconds?: number;
  /** Bind the token to a pod (it dies with the pod), as the kubelet does for projected tokens. */
  readonly boundPod?: { readonly name: string; readonly uid: string };
}

/** The small part of the Kubernetes REST API the test bed needs, as an admin (or any bearer token). */
export class KubeClient {
  constructor(readonly conn: KubeConnection) {}

  /** The same API server, as someone else. */
  as(token: string): KubeClient {
    return new KubeClient({ ...this.conn, token });
  }

  async raw(method: string, path: string, body?: unknown, contentType?: string) {
    return httpCall({
      url: `${this.conn.server}${path}`,
      method,
      body,
      ca: this.conn.caPem,
      headers: {
        authorization: `Bearer ${this.conn.token}`,
        accept: 'application/json',
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      timeoutMs: 30_000,
    });
  }

  async request<T = KubeObject>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.raw(method, path, body, contentType);
    if (res.status < 200 || res.status >= 300) throw new KubeError(res.status, method, path, res.text);
    return jsonOf<T>(res);
  }

  get<T = KubeObject>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async tryGet<T = KubeObject>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (err) {
      if (err instanceof KubeError && err.status === 404) return undefined;
      throw err;
    }
  }

  create<T = KubeObject>(collectionPath: string, obj: unknown): Promise<T> {
    return this.request<T>('POST', collectionPath, obj);
  }

  /** Creates, or leaves alone what already exists (409). */
  async ensure<T = KubeObject>(collectionPath: string, obj: KubeObject): Promise<T> {
    try {
      return await this.create<T>(collectionPath, obj);
    } catch (err) {
      if (err instanceof KubeError && err.status === 409) {
        return this.get<T>(`${collectionPath}/${obj.metadata.name}`);
      }
      throw err;
    }
  }

  mergePatch<T = KubeObject>(path: string, patch: unknown): Promise<T> {
    return this.request<T>('PATCH', path, patch, 'application/merge-patch+json');
  }

  async delete(path: string): Promise<void> {
    try {
      await this.request('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 });
    } catch (err) {
      if (!(err instanceof KubeError && err.status === 404)) throw err;
    }
  }

  /**
   * A namespace ready for pods. There is no controller-manager in the bed, so we create what it
   * would: the `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap.
   */
  async ensureNamespace(name: string): Promise<void> {
    await this.ensure('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await this.ensureServiceAccount(name, 'default');
    await this.ensure(`/api/v1/namespaces/${name}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-root-ca.crt' },
      data: { 'ca.crt': this.conn.caPem },
    });
  }

  ensureServiceAccount(namespace: string, name: string): Promise<KubeObject> {
    return this.ensure(`/api/v1/namespaces/${namespace}/serviceaccounts`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name },
    });
  }

  /** Binds a subject to a ClusterRole cluster-wide. */
  bindClusterRole(bindingName: string, clusterRole: string, sa: { namespace: string; name: string }) {
    return this.ensure('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: bindingName },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [{ kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name }],
    });
  }

  /** TokenRequest: a signed service-account JWT, as the kubelet gets for projected volumes. */
  async createToken(
    namespace: string,
    serviceAccount: string,
    opts: TokenOptions = {},
  ): Promise<{ token: string; expirationTimestamp: string }> {
    const res = await this.create<{ status: { token: string; expirationTimestamp: string } }>(
      `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          audiences: opts.audiences ?? [],
          expirationSeconds: opts.expirationSeconds ?? 3600,
          ...(opts.boundPod
            ? { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: opts.boundPod.name, uid: opts.boundPod.uid } }
            : {}),
        },
      },
    );
    return res.status;
  }
}
