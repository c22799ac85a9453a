/** Command-line flags of `npm run bench:agent`. Pure. */

export interface Options {
  readonly runs: number;
  readonly idleSeconds: number;
  readonly settleSeconds: number;
  readonly templateCounts: readonly number[];
  /** Idle the sidecars side by side (half the wall time) or one after the other. */
  readonly sidecars: 'parallel' | 'sequential';
  /** A script to run as our agent instead of dist/bundle/agent-launch.cjs (`node <script> agent -config=FILE`). */
  readonly oursEntry: string | undefined;
  /** Which Node runs our agent: `image` (the image's major, fetched once), `system` (this one) or a path. */
  readonly node: string;
}

export function parseOptions(argv: readonly string[]): Options {
  const known = ['runs', 'idle-seconds', 'settle', 'templates', 'sidecars', 'ours-entry', 'node'];
  for (const a of argv) {
    const name = /^--([\w-]+)=/.exec(a)?.[1];
    if (!name || !known.includes(name)) {
      throw new Error(`unknown argument ${JSON.stringify(a)}; flags: ${known.map((k) => `--${k}=`).join(' ')}`);
    }
  }
  const get = (name: string, fallback: string) =>
    argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const int = (name: string, fallback: number, min: number, max: number) => {
    const v = Number(get(name, String(fallback)));
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${name} must be an integer in [${min}, ${max}]`);
    return v;
  };
  const templateCounts = get('templates', '1,50')
    .split(',')
    .map((s) => Number(s.trim()));
  if (!templateCounts.length || templateCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 500)) {
    throw new Error('--templates must be a comma-separated list of integers in [1, 500]');
  }
  const sidecars = get('sidecars', 'parallel');
  if (sidecars !== 'parallel' && sidecars !== 'sequential')
    throw new Error('--sidecars must be parallel or sequential');
  const oursEntry = get('ours-entry', '');
  const node = get('node', 'image');
  if (node === '') throw new Error('--node must be image, system or a path to a node binary');
  return {
    oursEntry: oursEntry === '' ? undefined : oursEntry,
    node,
    sidecars,
    runs: int('runs', 5, 1, 50),
    idleSeconds: int('idle-seconds', 60, 10, 3600),
    settleSeconds: int('settle', 5, 0, 120),
    templateCounts: [...new Set(templateCounts)],
  };
}
