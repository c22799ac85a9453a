import { readdirSync, readFileSync } from 'node:fs';

export interface ProcEntry {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
}

/** Parses `/proc/<pid>/stat`; `comm` may hold spaces and parentheses, so split after the last ')'. */
export function parseStat(text: string): ProcEntry | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text.slice(close + 2).split(' ');
  const [state, ppid, pgrp, session] = fields;
  if (state === undefined || ppid === undefined || pgrp === undefined || session === undefined) return undefined;
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state,
    ppid: Number(ppid),
    pgrp: Number(pgrp),
    session: Number(session),
  };
}

/** A snapshot of every live (non-zombie) process on the machine. */
export function processTable(): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const entry = parseStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (entry && entry.state !== 'Z') out.push(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Processes in any of the given sessions or descending from `root`. */
export function processesOf(opts: { sessions: ReadonlySet<number>; root: number }): ProcEntry[] {
  const table = processTable();
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const descends = (p: ProcEntry): boolean => {
    for (let cur: ProcEntry | undefined = p, hops = 0; cur && hops < 64; hops++) {
      if (cur.ppid === opts.root) return true;
      cur = byPid.get(cur.ppid);
    }
    return false;
  };
  return table.filter((p) => p.pid !== opts.root && (opts.sessions.has(p.session) || descends(p)));
}
