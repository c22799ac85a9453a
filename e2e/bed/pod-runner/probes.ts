import { connect } from 'node:net';
import { httpCall } from '../http.js';
import type { ManagedProcess } from '../processes.js';
import { sleep, within } from '../time.js';
import { execIn } from './container.js';
import { POD_IP } from './fields.js';
import type { Container, Handler, Probe } from './types.js';

function resolvePort(c: Container, port: number | string): number {
  if (typeof port === 'number') return port;
  const named = c.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`container ${c.name} has no port named ${port}`);
  return named.containerPort;
}

/** One probe or hook attempt; resolves true on success. Never throws for a failed check. */
export async function runHandler(
  h: Handler,
  c: Container,
  proc: ManagedProcess,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<boolean> {
  try {
    if (h.exec) return (await execIn(proc, h.exec.command, env, timeoutMs)).code === 0;
    if (h.httpGet) {
      const scheme = (h.httpGet.scheme ?? 'HTTP').toLowerCase();
      const url = `${scheme}://${h.httpGet.host ?? POD_IP}:${resolvePort(c, h.httpGet.port)}${h.httpGet.path ?? '/'}`;
      const res = await httpCall({ url, timeoutMs });
      return res.status >= 200 && res.status < 400;
    }
    if (h.tcpSocket) {
      const port = resolvePort(c, h.tcpSocket.port);
      return await new Promise<boolean>((resolve) => {
        const s = connect({ host: h.tcpSocket?.host ?? POD_IP, port, timeout: timeoutMs });
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
        s.once('timeout', () => {
          s.destroy();
          resolve(false);
        });
      });
    }
    return false;
  } catch {
    return false;
  }
}

/**
 * Runs a startup probe as the kubelet does: after initialDelaySeconds, every periodSeconds, until it
 * succeeds (true) or fails failureThreshold times in a row (false), or the process exits (false).
 */
export async function runStartupProbe(
  probe: Probe,
  c: Container,
  proc: ManagedProcess,
  env: Record<string, string>,
): Promise<boolean> {
  const period = (probe.periodSeconds ?? 10) * 1000;
  const timeout = (probe.timeoutSeconds ?? 1) * 1000;
  const threshold = probe.failureThreshold ?? 3;
  await sleep((probe.initialDelaySeconds ?? 0) * 1000);
  for (let failures = 0; failures < threshold; ) {
    if (!proc.running) return false;
    if (await runHandler(probe, c, proc, env, timeout)) return true;
    failures++;
    if (failures < threshold) await within(proc.exited, period);
  }
  return false;
}
