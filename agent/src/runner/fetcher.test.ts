import assert from 'node:assert/strict';
import { createLogger } from '../../../cli/log.js';
import { formatGoDuration } from '../go-duration.js';
import { DependencyError, describeFetchError, FetchAborted, fetchWithRetry, retryDelayMs } from './fetcher.js';

describe('runner fetch retries (spec §3.8)', () => {
  it('Vault Agent defaults wait 0.25, 0.5, 1 … 32, then 60 s (about 5 min 4 s in all)', () => {
    const cfg = { attempts: 12, backoffMs: 250, maxBackoffMs: 60_000 };
    const waits = Array.from({ length: 12 }, (_, n) => retryDelayMs(n, cfg));
    assert.deepEqual(waits, [250, 500, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
    assert.equal(
      waits.reduce((a, b) => a + b),
      303_750,
    );
  });

  it('formats durations as Go does', () => {
    const cases: [number, string][] = [
      [250, '250ms'],
      [1000, '1s'],
      [1500, '1.5s'],
      [60_000, '1m0s'],
      [90_000, '1m30s'],
      [3_723_000, '1h2m3s'],
      [0, '0s'],
    ];
    for (const [ms, want] of cases) assert.equal(formatGoDuration(ms), want);
  });

  it('retries with logged waits, then gives up with the last error', async () => {
    const lines: string[] = [];
    const slept: number[] = [];
    let calls = 0;
    let invalid = 0;
    const err = await fetchWithRetry(
      'vault.read(secret/data/foo)',
      async () => {
        calls++;
        throw new DependencyError('vault.read(secret/data/foo)', 'no secret exists at secret/data/foo', 404);
      },
      {
        retry: { attempts: 3, backoffMs: 250, maxBackoffMs: 60_000 },
        logger: createLogger({ name: 'agent', level: 'info', format: 'standard', write: (l) => lines.push(l) }),
        sleep: async (ms) => {
          slept.push(ms);
        },
        signal: new AbortController().signal,
        onInvalidToken: () => invalid++,
      },
    ).then(
      () => assert.fail('should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof DependencyError);
    assert.equal(calls, 4);
    assert.deepEqual(slept, [250, 500, 1000]);
    assert.equal(invalid, 0);
    assert.match(
      lines[0] ?? '',
      / \[WARN\] {2}agent: \(view\) vault\.read\(secret\/data\/foo\): no secret exists at secret\/data\/foo \(retry attempt 1 after "250ms"\)\n$/,
    );
    assert.match(lines[2] ?? '', /\(retry attempt 3 after "1s"\)/);
    assert.match(lines[3] ?? '', /\[ERROR\] .*\(exceeded maximum retries\)/);
  });

  it('succeeds after a failure, and reports an invalid token', async () => {
    let calls = 0;
    let invalid = 0;
    const value = await fetchWithRetry(
      'k',
      async () => {
        if (calls++ === 0) throw Object.assign(new Error('invalid token'), { status: 403, invalidToken: true });
        return 42;
      },
      {
        retry: { attempts: 3, backoffMs: 1, maxBackoffMs: 1 },
        logger: createLogger({ name: 'a', level: 'error', format: 'standard', write: () => undefined }),
        sleep: async () => undefined,
        signal: new AbortController().signal,
        onInvalidToken: () => invalid++,
      },
    );
    assert.equal(value, 42);
    assert.equal(invalid, 1);
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    await assert.rejects(
      fetchWithRetry(
        'k',
        async () => {
          ac.abort();
          throw new Error('x');
        },
        {
          retry: { attempts: 3, backoffMs: 1, maxBackoffMs: 1 },
          logger: createLogger({ name: 'a', level: 'error', format: 'standard', write: () => undefined }),
          sleep: async () => undefined,
          signal: ac.signal,
        },
      ),
      FetchAborted,
    );
  });

  it('a 403 names the denied path', () => {
    const e = describeFetchError('vault.read(secret/x)', 'secret/data/x', { status: 403, message: 'Code: 403' });
    assert.equal(e.status, 403);
    assert.equal(e.code, 'PERMISSION_DENIED');
    assert.equal(e.message, 'permission denied at secret/data/x: Code: 403');
  });
});
