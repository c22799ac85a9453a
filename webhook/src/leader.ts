import type { Logger } from '../../cli/log.js';
import type { KubeApi } from './kube.js';

interface Lease {
  metadata: { name: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    renewTime?: string;
    acquireTime?: string;
    leaseTransitions?: number;
  };
}

export interface LeaderElectorOptions {
  readonly api: KubeApi;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseSeconds?: number;
  readonly log: Logger;
  readonly now?: () => Date;
}

/** Whether a lease held by someone else has run out (pure; the clock is passed in). */
export function leaseExpired(lease: Lease, now: Date): boolean {
  const renew = lease.spec.renewTime ? Date.parse(lease.spec.renewTime) : 0;
  return renew + (lease.spec.leaseDurationSeconds ?? 15) * 1000 < now.getTime();
}

function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Leader election on a coordination.k8s.io Lease, as client-go does it: create the lease, or take it
 * over when it has expired, with the resourceVersion as the arbiter; the leader renews every third of
 * the lease duration. `isLeader` is what other parts ask before doing leader-only work.
 */
export class LeaderElector {
  private leader = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly path: string;
  private readonly leaseSeconds: number;
  private readonly now: () => Date;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(opts.namespace)}/leases`;
    this.leaseSeconds = opts.leaseSeconds ?? 15;
    this.now = opts.now ?? (() => new Date());
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** One election round; returns whether we lead afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { api, name, identity } = this.opts;
    const now = this.now();
    const mine = (transitions: number, acquire: string) => ({
      holderIdentity: identity,
      leaseDurationSeconds: this.leaseSeconds,
      acquireTime: acquire,
      renewTime: microTime(now),
      leaseTransitions: transitions,
    });
    const got = await api.call<Lease>('GET', `${this.path}/${encodeURIComponent(name)}`);
    let ok = false;
    if (got.status === 404) {
      const created = await api.call('POST', this.path, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name },
        spec: mine(0, microTime(now)),
      });
      ok = created.status === 201;
    } else if (got.status === 200 && got.json) {
      const lease = got.json;
      const held = lease.spec.holderIdentity === identity;
      if (held || leaseExpired(lease, now) || !lease.spec.holderIdentity) {
        const transitions = (lease.spec.leaseTransitions ?? 0) + (held ? 0 : 1);
        const updated = await api.call('PUT', `${this.path}/${encodeURIComponent(name)}`, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, resourceVersion: lease.metadata.resourceVersion },
          spec: mine(transitions, held ? (lease.spec.acquireTime ?? microTime(now)) : microTime(now)),
        });
        ok = updated.status === 200; // 409: someone else won this round
      }
    } else {
      throw new Error(`reading lease ${this.opts.namespace}/${name}: HTTP ${got.status}: ${got.text.slice(0, 200)}`);
    }
    if (ok !== this.leader)
      this.opts.log.info(ok ? 'became the leader' : 'lost the leadership', { lease: name, identity });
    this.leader = ok;
    return ok;
  }

  /** Runs rounds every third of the lease duration until stop(). */
  start(): Promise<boolean> {
    const round = () =>
      this.tryAcquireOrRenew().catch((err: Error) => {
        this.opts.log.warn('leader election round failed', { error: err.message });
        this.leader = false;
        return false;
      });
    this.timer = setInterval(() => void round(), (this.leaseSeconds * 1000) / 3);
    this.timer.unref();
    return round();
  }

  /** Gives the lease up (so a follower takes over at once) and stops. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (!this.leader) return;
    this.leader = false;
    const got = await this.opts.api
      .call<Lease>('GET', `${this.path}/${encodeURIComponent(this.opts.name)}`)
      .catch(() => undefined);
    if (got?.json?.spec.holderIdentity !== this.opts.identity) return;
    await this.opts.api
      .call('PUT', `${this.path}/${encodeURIComponent(this.opts.name)}`, {
        ...got.json,
        spec: { ...got.json.spec, holderIdentity: '', renewTime: microTime(new Date(0)) },
      })
      .catch(() => undefined);
  }
}
