import assert from 'node:assert/strict';
import { backoffLogValue, formatGoDuration } from './go-duration.js';

const cases = [
  { name: 'zero', ms: 0, want: '0s' },
  { name: 'milliseconds', ms: 770, want: '770ms' },
  { name: 'whole seconds', ms: 1000, want: '1s' },
  { name: 'fractional seconds', ms: 1500, want: '1.5s' },
  { name: 'minutes and seconds', ms: 123_450, want: '2m3.45s' },
  { name: 'whole minute', ms: 60_000, want: '1m0s' },
  { name: 'max backoff', ms: 300_000, want: '5m0s' },
  { name: 'hour', ms: 3_600_000, want: '1h0m0s' },
];

describe('Go duration strings', () => {
  cases.forEach((c, i) => {
    it(`${String(i + 1).padStart(3, '0')} ${c.name}`, () => assert.equal(formatGoDuration(c.ms), c.want));
  });
  it('009 backoff values are truncated to 10 ms', () => {
    assert.equal(backoffLogValue(1789), '1.78s');
    assert.equal(backoffLogValue(779), '770ms');
  });
});
