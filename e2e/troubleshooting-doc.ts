// The link between docs/troubleshooting.md and its e2e suite: each checked block in the doc is a list of log
// lines, and the suite fails when the real agent or webhook no longer prints them.

/** One `<!-- check: <id> <source> -->` marker and the fenced block after it. */
export interface CheckedExcerpt {
  /** The failure it documents, e.g. `policy-403`; the suite has one scenario per id. */
  readonly id: string;
  /** Whose output the lines come from: a container (`vault-agent`, `vault-agent-init`), `webhook` or `apiserver`. */
  readonly source: string;
  readonly lines: readonly string[];
}

const MARKER = /<!--\s*check:\s*([a-z0-9-]+)\s+([a-z0-9-]+)\s*-->\s*\n```[a-z]*\n([\s\S]*?)\n```/g;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

/** Every checked block of the doc, in order. */
export function checkedExcerpts(markdown: string): CheckedExcerpt[] {
  const out: CheckedExcerpt[] = [];
  for (const m of markdown.matchAll(MARKER)) {
    const lines = (m[3] ?? '').split('\n').filter((l) => l.trim() !== '');
    out.push({ id: m[1] ?? '', source: m[2] ?? '', lines });
  }
  return out;
}

/**
 * A doc line as a whole-line pattern: a leading timestamp stands for any timestamp, `…` for any text
 * (ports, backoff, uids); everything else is literal.
 */
export function excerptPattern(line: string): RegExp {
  const stamped = TIMESTAMP.test(line);
  const body = stamped ? line.replace(TIMESTAMP, '') : line;
  const literal = body.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${stamped ? '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ' : ''}${literal.join('.*?')}$`);
}

/** The excerpt lines that no line of `output` matches (empty: the doc is still true). */
export function missingLines(excerpt: CheckedExcerpt, output: string): string[] {
  const lines = output.split('\n');
  return excerpt.lines.filter((l) => {
    const pattern = excerptPattern(l);
    return !lines.some((o) => pattern.test(o));
  });
}
