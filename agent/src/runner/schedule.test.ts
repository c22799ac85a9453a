import assert from 'node:assert/strict';
import { JsonNumber, type VaultSecretData } from '../template/dependencies.js';
import {
  isRenewableLease,
  jitterFactor,
  listDelayMs,
  nonRenewableBase,
  nonRenewableDelayMs,
  pkiRotationDelayMs,
  RotatingSecretTtlZeroError,
} from './schedule.js';

const NOW = 1_700_000_000_000;
const secret = (over: Partial<VaultSecretData>): VaultSecretData => ({
  request_id: 'r',
  lease_id: '',
  lease_duration: 0,
  renewable: false,
  data: {},
  warnings: null,
  auth: null,
  wrap_info: null,
  ...over,
});
const opts = { staticIntervalMs: 300_000, threshold: 0.9, nowMs: NOW };

describe('runner refresh schedule (spec §3.7)', () => {
  const baseCases: { name: string; s: VaultSecretData; baseMs: number; rotating?: boolean }[] = [
    { name: 'KV v2 (no lease) uses the static interval', s: secret({}), baseMs: 300_000 },
    { name: 'KV v1 advisory lease', s: secret({ lease_duration: 2_764_800 }), baseMs: 2_764_800_000 },
    {
      name: 'leased non-renewable (kubernetes creds)',
      s: secret({ lease_id: 'kubernetes/creds/r/abc', lease_duration: 600 }),
      baseMs: 600_000,
    },
    {
      name: 'auth block lease wins over lease_duration',
      s: secret({
        lease_duration: 0,
        auth: {
          client_token: 't',
          accessor: 'a',
          policies: null,
          metadata: null,
          lease_duration: 1200,
          renewable: false,
        },
      }),
      baseMs: 1_200_000,
    },
    {
      name: 'certificate without lease: expiration - now',
      s: secret({ data: { certificate: 'x', expiration: new JsonNumber(String(NOW / 1000 + 3600)) } }),
      baseMs: 3_600_000,
    },
    {
      name: 'AppRole secret_id: secret_id_ttl + 1',
      s: secret({ data: { secret_id: 'x', secret_id_ttl: new JsonNumber('600') } }),
      baseMs: 601_000,
    },
    {
      name: 'rotating static creds: ttl + 1, slept in full',
      s: secret({ data: { rotation_period: new JsonNumber('86400'), ttl: new JsonNumber('100') } }),
      baseMs: 101_000,
      rotating: true,
    },
  ];
  baseCases.forEach((c, i) => {
    it(`${String(i).padStart(3, '0')} base: ${c.name}`, () => {
      assert.deepEqual(nonRenewableBase(c.s, opts), { baseMs: c.baseMs, rotating: c.rotating ?? false });
    });
  });

  it('a rotating secret with ttl=0 is an error (retried)', () => {
    assert.throws(
      () =>
        nonRenewableBase(secret({ data: { rotation_period: new JsonNumber('3600'), ttl: new JsonNumber('0') } }), opts),
      (e: unknown) =>
        e instanceof RotatingSecretTtlZeroError && e.message === 'vault rotating secret returned ttl=0, will retry',
    );
  });

  it('sleeps base × [0.85, 0.95) for the default threshold, the full base for rotating secrets', () => {
    const kv = secret({});
    assert.equal(nonRenewableDelayMs(kv, { ...opts, random: () => 0 }), 255_000);
    assert.equal(nonRenewableDelayMs(kv, { ...opts, random: () => 0.5 }), 270_000);
    assert.ok(Math.abs(nonRenewableDelayMs(kv, { ...opts, random: () => 0.999999 }) - 285_000) < 1);
    const rotating = secret({ data: { rotation_period: new JsonNumber('3600'), ttl: new JsonNumber('59') } });
    assert.equal(nonRenewableDelayMs(rotating, { ...opts, random: () => 0 }), 60_000);
  });

  it('the factor falls back to the threshold outside (0, 1)', () => {
    assert.equal(
      jitterFactor(0.99, () => 0.999),
      0.99,
    );
    assert.ok(Math.abs(jitterFactor(0.5, () => 1) - 0.55) < 1e-12);
  });

  it('lists are re-listed every static interval exactly', () => {
    assert.equal(listDelayMs({ staticIntervalMs: 1234 }), 1234);
  });

  it('only a renewable secret with a lease id and a duration is renewed', () => {
    assert.equal(isRenewableLease(secret({ renewable: true, lease_id: 'db/creds/r/x', lease_duration: 60 })), true);
    assert.equal(isRenewableLease(secret({ renewable: true, lease_id: '', lease_duration: 60 })), false);
    assert.equal(isRenewableLease(secret({ renewable: false, lease_id: 'x', lease_duration: 60 })), false);
  });

  it('pkiCert rotates at 90 % of NotBefore→NotAfter, at once when that is past', () => {
    const nb = new Date(NOW - 10_000);
    const na = new Date(NOW + 90_000); // lifetime 100 s -> rotate at NotBefore + 90 s = now + 80 s
    assert.equal(pkiRotationDelayMs(nb, na, 0.9, NOW), 80_000);
    assert.equal(pkiRotationDelayMs(nb, na, 0.9, NOW + 200_000), 0);
  });
});
