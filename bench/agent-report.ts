/** Statistics and the Markdown tables `npm run bench:agent` prints. Pure. */
import { type KindCounts, REQUEST_KINDS, totalOf } from './agent-requests.js';

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export const minimum = (values: readonly number[]): number => (values.length ? Math.min(...values) : Number.NaN);

export interface SidecarResult {
  /** VmHWM at the end of the idle window. */
  readonly peakMiB: number;
  /** Median of the VmRSS samples taken during the idle window. */
  readonly steadyMiB: number;
  /** CPU seconds (user + system) used during the idle window. */
  readonly cpuSeconds: number;
  readonly windowSeconds: number;
  /** Requests per hour by kind, scaled from the window. */
  readonly perHour: KindCounts;
}

export interface AgentResult {
  readonly label: string;
  /** Wall times of the init-mode runs, ms, by template count. */
  readonly initMs: ReadonlyMap<number, readonly number[]>;
  /** Sidecar starts: spawn until every file of the fixed set is rendered, ms. */
  readonly sidecarStartMs: readonly number[];
  readonly sidecar: SidecarResult | undefined;
}

/** One side of the comparison: measured, or absent with the reason shown as `n/a`. */
export type Column = AgentResult | undefined;

const fmt = (v: number | undefined, digits: number): string =>
  v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);

const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0
    ? 'n/a'
    : `${(a / b).toFixed(2)}x`;

function markdown(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ];
}

interface Metric {
  readonly name: string;
  readonly digits: number;
  readonly of: (r: AgentResult) => number | undefined;
}

const opt = (v: number): number | undefined => (Number.isFinite(v) ? v : undefined);

function metrics(templateCounts: readonly number[]): Metric[] {
  const init = (n: number, pick: (v: readonly number[]) => number, what: string): Metric => ({
    name: `init, ${n} template${n === 1 ? '' : 's'}: ${what} ms`,
    digits: 0,
    of: (r) => {
      const runs = r.initMs.get(n);
      return runs?.length ? pick(runs) : undefined;
    },
  });
  return [
    ...templateCounts.flatMap((n) => [init(n, median, 'median'), init(n, minimum, 'min')]),
    { name: 'sidecar: spawn to all rendered, median ms', digits: 0, of: (r) => opt(median(r.sidecarStartMs)) },
    { name: 'sidecar: spawn to all rendered, min ms', digits: 0, of: (r) => opt(minimum(r.sidecarStartMs)) },
    { name: 'sidecar peak RSS MiB (VmHWM)', digits: 1, of: (r) => r.sidecar?.peakMiB },
    { name: 'sidecar steady RSS MiB (VmRSS)', digits: 1, of: (r) => r.sidecar?.steadyMiB },
    {
      name: 'sidecar CPU s per 10 idle min',
      digits: 2,
      of: (r) => (r.sidecar ? (r.sidecar.cpuSeconds * 600) / r.sidecar.windowSeconds : undefined),
    },
    { name: 'Vault requests per hour', digits: 0, of: (r) => (r.sidecar ? totalOf(r.sidecar.perHour) : undefined) },
  ];
}

/** The main table: one row per metric; columns ours, theirs, ratio. */
export function summaryTable(ours: Column, theirs: Column, templateCounts: readonly number[]): string[] {
  const oursLabel = ours?.label ?? 'vault-injector agent';
  const theirsLabel = theirs?.label ?? 'Vault Agent';
  const rows = metrics(templateCounts).map((m) => {
    const a = ours ? m.of(ours) : undefined;
    const b = theirs ? m.of(theirs) : undefined;
    return [m.name, fmt(a, m.digits), fmt(b, m.digits), ratio(a, b)];
  });
  return markdown(['metric', oursLabel, theirsLabel, 'ours / theirs'], rows);
}

/** Requests per hour by kind: measured for each agent, and what the schedule rules predict. */
export function requestsTable(ours: Column, theirs: Column, expected: KindCounts): string[] {
  const used = REQUEST_KINDS.filter(
    (k) => expected[k] > 0 || (ours?.sidecar?.perHour[k] ?? 0) > 0 || (theirs?.sidecar?.perHour[k] ?? 0) > 0,
  );
  const cell = (c: Column, k: (typeof REQUEST_KINDS)[number]) => fmt(c?.sidecar?.perHour[k], 0);
  const rows = used.map((k) => [k, cell(ours, k), cell(theirs, k), fmt(expected[k], 0)]);
  rows.push([
    'total',
    fmt(ours?.sidecar ? totalOf(ours.sidecar.perHour) : undefined, 0),
    fmt(theirs?.sidecar ? totalOf(theirs.sidecar.perHour) : undefined, 0),
    fmt(totalOf(expected), 0),
  ]);
  return markdown(
    [
      'requests per hour',
      ours?.label ?? 'vault-injector agent',
      theirs?.label ?? 'Vault Agent',
      'expected (schedule rules)',
    ],
    rows,
  );
}

/** The issue's goal, checked: faster to first render (init medians) and no more memory (peak and steady). */
export function goalLines(ours: Column, theirs: Column, templateCounts: readonly number[]): string[] {
  if (!ours || !theirs) return ['goal: not checked (needs both agents measured)'];
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : 'NOT met');
  const faster = templateCounts.map((n) => {
    const a = median(ours.initMs.get(n) ?? []);
    const b = median(theirs.initMs.get(n) ?? []);
    return `${n}: ${verdict(Number.isFinite(a) && Number.isFinite(b) ? a < b : undefined)}`;
  });
  const a = median(ours.sidecarStartMs);
  const b = median(theirs.sidecarStartMs);
  faster.push(`sidecar: ${verdict(Number.isFinite(a) && Number.isFinite(b) ? a < b : undefined)}`);
  const mem =
    ours.sidecar && theirs.sidecar
      ? ours.sidecar.peakMiB <= theirs.sidecar.peakMiB && ours.sidecar.steadyMiB <= theirs.sidecar.steadyMiB
      : undefined;
  return [
    `goal "faster to first render" (median; init by template count, sidecar start): ${faster.join(', ')}`,
    `goal "no more memory" (sidecar peak and steady RSS): ${verdict(mem)}`,
  ];
}
