/** `kubectl logs -f` for one container of a polled pod: hands out each line once, across restarts. */
export class LogCursor {
  private instance = 0;
  private seen = 0;

  /**
   * The lines not handed out yet. `restarts` is the container's restart count and `text` the current
   * instance's output; a higher restart count means a new instance, whose lines start from the top.
   */
  next(restarts: number, text: string): { restarted: boolean; lines: string[] } {
    const all = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    const restarted = restarts !== this.instance;
    if (restarted) {
      this.instance = restarts;
      this.seen = 0;
    }
    const lines = all.slice(this.seen);
    this.seen = all.length;
    return { restarted, lines };
  }
}

/** `kubectl logs --prefix` style: each line tagged with its container. */
export function prefixed(container: string, lines: readonly string[]): string {
  return lines.map((l) => `[${container}] ${l}\n`).join('');
}
