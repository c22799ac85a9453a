// Hands each new token to every sink, retrying a failed write every 1-3 s until it succeeds, a newer token
// supersedes it, or the agent stops (Vault's sink server).
import type { Logger } from '../../../cli/log.js';
import { abortableSleep } from '../sleep.js';
import { errorText } from './errors.js';
import type { TokenSink } from './sink.js';

export interface SinkServerOptions {
  readonly sinks: readonly TokenSink[];
  /** The agent's logger; the server logs as `<name>.sink.server`. */
  readonly log: Logger;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Retry wait after a failed write: 2 s +- 1 s, as Vault. */
export const sinkRetryMs = (random: () => number): number => 1000 + Math.floor(random() * 2000);

export class SinkServer {
  private readonly log: Logger;
  private current: AbortController | undefined;
  private stopped = false;

  constructor(private readonly options: SinkServerOptions) {
    this.log = options.log.named('sink.server');
  }

  /**
   * Writes `token` to every sink, in order. Resolves true once all have it, false if superseded or stopped first.
   * Never rejects: failures are logged and retried.
   */
  async deliver(token: string): Promise<boolean> {
    this.current?.abort();
    if (this.stopped) return false;
    const controller = new AbortController();
    this.current = controller;
    const random = this.options.random ?? Math.random;
    const sleep = this.options.sleep ?? abortableSleep;
    for (const sink of this.options.sinks) {
      for (;;) {
        if (controller.signal.aborted) return false;
        try {
          await sink.write(token);
          break;
        } catch (err) {
          if (controller.signal.aborted) return false;
          this.log.error('error returned by sink function, retrying', { error: errorText(err), path: sink.path });
          await sleep(sinkRetryMs(random), controller.signal);
        }
      }
    }
    if (this.current === controller) this.current = undefined;
    return !controller.signal.aborted;
  }

  /** Logs the start, as Vault does when sinks are configured. */
  start(): void {
    if (this.options.sinks.length > 0) this.log.info('starting sink server');
  }

  stop(): void {
    const wasStopped = this.stopped;
    this.stopped = true;
    this.current?.abort();
    if (!wasStopped && this.options.sinks.length > 0) this.log.info('sink server stopped');
  }
}
