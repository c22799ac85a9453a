/** Memory and CPU time of a live process, from Linux's /proc. Parsers are pure; readers do the I/O. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A `Vm*:   123 kB` field of /proc/<pid>/status, in KiB. */
export function statusFieldKiB(status: string, field: 'VmHWM' | 'VmRSS'): number {
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no ${field} line in /proc/<pid>/status`);
  return kb;
}

/** utime + stime (fields 14 and 15) of /proc/<pid>/stat, in clock ticks; `comm` may hold spaces. */
export function statCpuTicks(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('malformed /proc/<pid>/stat: no ")" after comm');
  // fields after "pid (comm) " start at field 3 (state), so field n is at index n - 3
  const fields = stat.slice(close + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) throw new Error('malformed /proc/<pid>/stat: utime/stime');
  return utime + stime;
}

let ticksPerSecond: number | undefined;

/** USER_HZ (`getconf CLK_TCK`), 100 on every mainstream Linux when getconf is missing. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticksPerSecond = Number.isInteger(v) && v > 0 ? v : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export function memoryMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  return statusFieldKiB(readFileSync(`/proc/${pid}/status`, 'utf8'), field) / 1024;
}

/** CPU time (user + system) the process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  return statCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / clockTicksPerSecond();
}
