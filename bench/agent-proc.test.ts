import assert from 'node:assert/strict';
import { clockTicksPerSecond, cpuSeconds, memoryMiB, statCpuTicks, statusFieldKiB } from './agent-proc.js';

describe('bench:agent /proc readers', () => {
  it('reads VmHWM and VmRSS from a status text', () => {
    const status = 'Name:\tvault\nVmPeak:\t  999 kB\nVmHWM:\t   131072 kB\nVmRSS:\t   65536 kB\n';
    assert.equal(statusFieldKiB(status, 'VmHWM'), 131072);
    assert.equal(statusFieldKiB(status, 'VmRSS'), 65536);
    assert.throws(() => statusFieldKiB('Name:\tx\n', 'VmRSS'), /no VmRSS line/);
  });

  it('sums utime and stime even when comm holds spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 37 5 0 0 20 0 11 0 12345 0 0';
    assert.equal(statCpuTicks(stat), 42);
    assert.throws(() => statCpuTicks('4242 node S'), /no "\)"/);
    assert.throws(() => statCpuTicks('4242 (n) S 1'), /utime\/stime/);
  });

  it('reads this very process', () => {
    assert.ok(clockTicksPerSecond() > 0);
    assert.ok(memoryMiB(process.pid, 'VmHWM') >= memoryMiB(process.pid, 'VmRSS') * 0.5);
    assert.ok(cpuSeconds(process.pid) > 0);
  });
});
