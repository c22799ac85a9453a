import assert from 'node:assert/strict';
import { JitterBackoff } from './backoff.js';
import { calculateGrace, calculateSleep, type Renewal, watchLifetime } from './lifetime-watcher.js';

/** A virtual clock: sleeping advances time instantly, so a whole lease life runs in microseconds. */
function virtualClock() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('lease timing (Vault LifetimeWatcher rules)', () => {
  it('grace is 10-20 % of the lease, or of the increment when smaller', () => {
    assert.equal(
      calculateGrace(3_600_000, () => 0),
      360_000,
    );
    assert.ok(Math.abs(calculateGrace(3_600_000, () => 0.999999) - 720_000) < 1);
    assert.equal(
      calculateGrace(3_600_000, () => 0, 600_000),
      60_000,
    );
    assert.equal(
      calculateGrace(0, () => 0.5),
      0,
    );
  });

  it('steady-state renewal lands at 70.0-73.3 % of the TTL', () => {
    const ttl = 3_600_000;
    for (const r of [0, 0.5, 0.99999]) {
      const fraction =
        calculateSleep(
          ttl,
          calculateGrace(ttl, () => r),
        ) / ttl;
      assert.ok(fraction >= 0.7 && fraction < 0.7334, `fraction ${fraction}`);
    }
  });

  it('renews at once, then on schedule, and ends when max TTL caps the lease', async () => {
    const clock = virtualClock();
    const maxTtlAt = clock.now() + 100_000; // token_max_ttl 100 s, token_ttl 30 s
    let renewals = 0;
    const end = await watchLifetime({
      leaseDuration: 30,
      renewable: true,
      behavior: 'ignore-errors',
      renew: async (): Promise<Renewal> => {
        renewals++;
        return { leaseDuration: Math.min(30, Math.floor((maxTtlAt - clock.now()) / 1000)) };
      },
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
    });
    assert.deepEqual(end, { reason: 'expiring' });
    assert.ok(renewals >= 3, `renewals ${renewals}`);
    // The first sleep follows the immediate renewal: 2/3 of 30 s + grace/3 (grace 15 % = 4.5 s) = 21.5 s.
    assert.equal(clock.sleeps[0], 21_500);
    // It stops before the token runs out, so the owner can log in again in time.
    assert.ok(clock.now() < maxTtlAt, 'ended before max TTL');
  });

  it('a non-renewable lease is never renewed and ends while more than the grace is left', async () => {
    const clock = virtualClock();
    const start = clock.now();
    let renewals = 0;
    const end = await watchLifetime({
      leaseDuration: 100,
      renewable: false,
      behavior: 'error-on-errors',
      renew: async () => {
        renewals++;
        return { leaseDuration: 100 };
      },
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
    });
    assert.equal(end.reason, 'expiring');
    assert.equal(renewals, 0);
    const used = (clock.now() - start) / 100_000;
    // Vault stops once the next sleep would land inside the grace: here at 71.7 % (grace 15 %).
    assert.ok(used > 0.66 && used < 0.85, `ended at ${used}`);
  });

  it('error-on-errors ends at the first failed renewal; ignore-errors keeps trying until the lease is gone', async () => {
    const failing = async (): Promise<Renewal> => {
      throw new Error('connection refused');
    };
    const a = await watchLifetime({ leaseDuration: 60, renewable: true, behavior: 'error-on-errors', renew: failing });
    assert.equal(a.reason, 'error');

    const clock = virtualClock();
    let attempts = 0;
    const b = await watchLifetime({
      leaseDuration: 600,
      renewable: true,
      behavior: 'ignore-errors',
      renew: async () => {
        attempts++;
        return failing();
      },
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
    });
    assert.notEqual(b.reason, 'stopped');
    assert.ok(attempts >= 3, `attempts ${attempts}`);
    assert.ok(clock.sleeps[0] === 10_000, 'first retry after 10 s');
  });

  it('permission denied on renewal means: stop renewing and wait out the lease', async () => {
    const clock = virtualClock();
    let attempts = 0;
    const end = await watchLifetime({
      leaseDuration: 60,
      renewable: true,
      behavior: 'ignore-errors',
      renew: async () => {
        attempts++;
        throw Object.assign(new Error('permission denied'), { permissionDenied: true });
      },
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0,
    });
    assert.equal(end.reason, 'expiring');
    assert.equal(attempts, 1);
  });

  it('stops promptly when aborted', async () => {
    const controller = new AbortController();
    const pending = watchLifetime({
      leaseDuration: 3600,
      renewable: true,
      behavior: 'ignore-errors',
      renew: async () => ({ leaseDuration: 3600 }),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    assert.deepEqual(await pending, { reason: 'stopped' });
    assert.ok(Date.now() - started < 1000);
  });
});

describe('JitterBackoff (auto-auth retry waits)', () => {
  it('doubles up to max with at most 25 % jitter, then stays at max', () => {
    const b = new JitterBackoff({ minMs: 1000, maxMs: 300_000, maxRetries: Number.POSITIVE_INFINITY, random: () => 0 });
    const waits = Array.from({ length: 12 }, () => b.next());
    assert.deepEqual(waits.slice(0, 4), [1000, 2000, 4000, 8000]);
    assert.equal(waits[11], 300_000);
    const j = new JitterBackoff({ minMs: 1000, maxMs: 300_000, maxRetries: 5, random: () => 0.999 });
    const w = j.next() ?? 0;
    assert.ok(w >= 750 && w <= 1000);
  });

  it('is exhausted after maxRetries (0 = first failure is fatal) and reset starts over', () => {
    const b = new JitterBackoff({ minMs: 1000, maxMs: 5000, maxRetries: 0, random: () => 0 });
    assert.equal(b.next(), undefined);
    const c = new JitterBackoff({ minMs: 1000, maxMs: 5000, maxRetries: 2, random: () => 0 });
    assert.equal(c.next(), 1000);
    assert.equal(c.next(), 2000);
    assert.equal(c.next(), undefined);
    c.reset();
    assert.equal(c.next(), 1000);
  });

  it('rejects nonsense bounds with a clear error', () => {
    assert.throws(() => new JitterBackoff({ minMs: 0, maxMs: 10, maxRetries: 1 }), /0 < min <= max/);
    assert.throws(() => new JitterBackoff({ minMs: 10, maxMs: 5, maxRetries: 1 }), /min=10ms max=5ms/);
  });
});
