import assert from 'node:assert/strict';
import { type AgentResult, goalLines, median, minimum, requestsTable, summaryTable } from './agent-report.js';
import { emptyCounts } from './agent-requests.js';

const hourly = (kv2: number, renew: number) => ({ ...emptyCounts(), 'KV v2 read': kv2, 'token renew': renew });

const theirs: AgentResult = {
  label: 'Vault Agent 1.14.8',
  initMs: new Map([
    [1, [100, 80, 90]],
    [50, [300, 200]],
  ]),
  sidecarStartMs: [300, 280, 320],
  sidecar: {
    peakMiB: 120,
    steadyMiB: 110,
    cpuSeconds: 0.5,
    windowSeconds: 60,
    perHour: hourly(240, 60),
  },
};
const ours: AgentResult = {
  label: 'vault-injector agent',
  initMs: new Map([
    [1, [60, 70, 50]],
    [50, [400, 500]],
  ]),
  sidecarStartMs: [900, 850],
  sidecar: { peakMiB: 60, steadyMiB: 55, cpuSeconds: 1, windowSeconds: 60, perHour: hourly(240, 0) },
};

describe('bench:agent report', () => {
  it('median and min', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.ok(Number.isNaN(median([])));
    assert.equal(minimum([3, 1, 2]), 1);
  });

  it('one row per metric with both columns and the ratio; CPU scaled to 10 minutes', () => {
    const text = summaryTable(ours, theirs, [1, 50]).join('\n');
    assert.match(text, /\| init, 1 template: median ms +\| +60 \| +90 \| +0\.67x \|/);
    assert.match(text, /\| init, 50 templates: min ms +\| +400 \| +200 \| +2\.00x \|/);
    assert.match(text, /\| sidecar: spawn to all rendered, median ms +\| +875 \| +300 \| +2\.92x \|/);
    assert.match(text, /\| sidecar: spawn to all rendered, min ms +\| +850 \| +280 \| +3\.04x \|/);
    assert.match(text, /\| sidecar peak RSS MiB \(VmHWM\) +\| +60\.0 \| +120\.0 \| +0\.50x \|/);
    assert.match(text, /\| sidecar CPU s per 10 idle min +\| +10\.00 \| +5\.00 \| +2\.00x \|/);
    assert.match(text, /\| Vault requests per hour +\| +240 \| +300 \| +0\.80x \|/);
  });

  it('shows n/a for an agent that could not be measured', () => {
    const text = summaryTable(undefined, theirs, [1]).join('\n');
    assert.match(text, /\| init, 1 template: median ms +\| +n\/a \| +90 \| +n\/a \|/);
    assert.deepEqual(goalLines(undefined, theirs, [1]), ['goal: not checked (needs both agents measured)']);
  });

  it('lists request kinds that occur or are expected, with the expected rate and a total', () => {
    const text = requestsTable(ours, theirs, hourly(266.67, 41.9)).join('\n');
    assert.match(text, /\| token renew +\| +0 \| +60 \| +42 \|/);
    assert.match(text, /\| total +\| +240 \| +300 \| +309 \|/);
    assert.doesNotMatch(text, /PKI issue/);
  });

  it('checks the goal: faster first render per template count, no more memory', () => {
    assert.deepEqual(goalLines(ours, theirs, [1, 50]), [
      'goal "faster to first render" (median; init by template count, sidecar start): 1: met, 50: NOT met, sidecar: NOT met',
      'goal "no more memory" (sidecar peak and steady RSS): met',
    ]);
  });
});
