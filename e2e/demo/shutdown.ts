/** Thrown at a step boundary once a stop was asked for, so the demo unwinds through its cleanups. */
export class StopRequested extends Error {
  constructor() {
    super('stop requested');
    this.name = 'StopRequested';
  }
}

export interface StopResult {
  readonly name: string;
  readonly error?: string;
}

/**
 * What the demo started, stopped in reverse order; and the stop request (Ctrl-C, SIGTERM) that
 * long waits listen for. Each cleanup runs once, even if an earlier one failed.
 */
export class Shutdown {
  private readonly cleanups: { name: string; stop: () => Promise<void> }[] = [];
  private wake: () => void = () => {};
  private asked = false;
  /** Resolves when a stop is asked for. */
  readonly whenRequested = new Promise<void>((resolve) => {
    this.wake = resolve;
  });

  /** How many cleanups are waiting. */
  get pending(): number {
    return this.cleanups.length;
  }

  get requested(): boolean {
    return this.asked;
  }

  request(): void {
    this.asked = true;
    this.wake();
  }

  /** Throws StopRequested when a stop was asked for (call between steps). */
  checkpoint(): void {
    if (this.asked) throw new StopRequested();
  }

  add(name: string, stop: () => Promise<void>): void {
    this.cleanups.push({ name, stop });
  }

  /** Runs every cleanup, last added first; reports each as it finishes. */
  async stopAll(report: (r: StopResult) => void = () => {}): Promise<StopResult[]> {
    const results: StopResult[] = [];
    for (let c = this.cleanups.pop(); c; c = this.cleanups.pop()) {
      let result: StopResult;
      try {
        await c.stop();
        result = { name: c.name };
      } catch (err) {
        result = { name: c.name, error: err instanceof Error ? err.message : String(err) };
      }
      results.push(result);
      report(result);
    }
    return results;
  }
}
