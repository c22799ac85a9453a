import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { processesOf, processTable } from './proc-table.js';
import { sleep, within } from './time.js';

export interface StartOptions {
  /** Short name used in messages, e.g. `etcd` or `pod/demo/app:vault-agent`. */
  readonly name: string;
  readonly command: string;
  readonly args?: readonly string[];
  /** The whole environment of the child (not merged with ours) when given. */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Also append every output line here. */
  readonly logFile?: string;
  readonly uid?: number;
  readonly gid?: number;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Sessions (= process groups) of every child the bed started: the after-all audit looks for survivors. */
const startedSessions = new Set<number>();

/** Live processes started by this test process (directly, or in a session we created). */
export function survivingProcesses() {
  return processesOf({ sessions: startedSessions, root: process.pid });
}

/**
 * A child process in its own session, with its stdout and stderr captured line by line in
 * arrival order (what `kubectl logs` shows), and a stop that always leaves nothing behind.
 */
export class ManagedProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;
  private readonly child: ChildProcess;
  private readonly log: WriteStream | undefined;
  private readonly lineWatchers = new Set<(line: string) => void>();

  constructor(readonly opts: StartOptions) {
    this.log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    this.child = spawn(opts.command, [...(opts.args ?? [])], {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      detached: true, // own session and process group: one signal reaches the whole tree
      stdio: ['ignore', 'pipe', 'pipe'],
      uid: opts.uid,
      gid: opts.gid,
    });
    const pid = this.child.pid;
    if (pid !== undefined) startedSessions.add(pid);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.push(`[bed] could not start ${opts.command}: ${err.message}`);
        this.status ??= { code: 127, signal: null };
        resolve(this.status);
      });
      this.child.once('close', (code, signal) => {
        this.status = { code, signal };
        this.log?.end();
        resolve(this.status);
      });
    });
    this.capture(this.child.stdout);
    this.capture(this.child.stderr);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  get running(): boolean {
    return this.status === undefined && this.child.pid !== undefined;
  }

  text(): string {
    return this.lines.map((l) => `${l}\n`).join('');
  }

  /** Last lines of output, for error messages. */
  tail(n = 25): string {
    return this.lines.slice(-n).join('\n');
  }

  /** Resolves with the first output line matching `pattern`; rejects on exit or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.lineWatchers.delete(watch);
        fn();
      };
      const watch = (line: string) => {
        if (pattern.test(line)) done(() => resolve(line));
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(new Error(`${this.opts.name}: no line matching ${pattern} in ${timeoutMs} ms\n${this.tail()}`)),
          ),
        timeoutMs,
      );
      this.lineWatchers.add(watch);
      void this.exited.then((s) =>
        done(() =>
          reject(new Error(`${this.opts.name} exited (${describeExit(s)}) before printing ${pattern}\n${this.tail()}`)),
        ),
      );
    });
  }

  signal(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // group already gone
    }
  }

  /**
   * SIGTERM (or `signal`) to the whole group, up to `graceMs` to exit, then SIGKILL; then makes
   * sure no member of the group survives its leader.
   */
  async stop(opts: { graceMs?: number; signal?: NodeJS.Signals } = {}): Promise<ExitStatus> {
    const pid = this.child.pid;
    if (pid === undefined) return this.exited;
    if (this.running) {
      this.signal(opts.signal ?? 'SIGTERM');
      const graceful = await within(this.exited, opts.graceMs ?? 10_000);
      if (graceful === undefined) this.signal('SIGKILL');
    }
    const status = await this.exited;
    for (let i = 0; i < 50; i++) {
      if (!processTable().some((p) => p.pgrp === pid || p.session === pid)) break;
      this.signal('SIGKILL');
      await sleep(100);
    }
    return status;
  }

  private push(line: string): void {
    this.lines.push(line);
    this.log?.write(`${line}\n`);
    for (const w of this.lineWatchers) w(line);
  }

  private capture(stream: NodeJS.ReadableStream | null): void {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const p of parts) this.push(p);
    });
    stream.on('end', () => {
      if (partial) this.push(partial);
      partial = '';
    });
  }
}

export function describeExit(s: ExitStatus): string {
  return s.signal ? `signal ${s.signal}` : `exit code ${s.code}`;
}

/** Runs a command to completion (bounded), returning its output; throws with the output on failure. */
export async function runToCompletion(
  opts: StartOptions & { timeoutMs: number; okCodes?: readonly number[] },
): Promise<{ code: number; output: string }> {
  const p = new ManagedProcess(opts);
  const status = await within(p.exited, opts.timeoutMs);
  if (status === undefined) {
    await p.stop({ graceMs: 2000 });
    throw new Error(`${opts.name} did not finish in ${opts.timeoutMs} ms\n${p.tail()}`);
  }
  await p.stop({ graceMs: 0 }); // reap any children it left in its group
  const code = status.code ?? 128;
  if (!(opts.okCodes ?? [0]).includes(code)) {
    throw new Error(
      `${opts.name} failed (${describeExit(status)}): ${[opts.command, ...(opts.args ?? [])].join(' ')}\n${p.tail(40)}`,
    );
  }
  return { code, output: p.text() };
}
