// Template commands (spec §3.8): a single string with whitespace runs as `sh -c`, anything else as argv; bounded
// by a timeout; a non-zero exit or a timeout is an error. The child inherits the agent's environment.
import { childProcess } from '../builtins.js';

export type TemplateCommand = string | readonly string[];

export class CommandError extends Error {
  constructor(
    readonly command: string,
    message: string,
    readonly code: 'COMMAND_FAILED' | 'COMMAND_TIMEOUT' = 'COMMAND_FAILED',
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

/** The argv that will be executed. */
export function commandArgv(command: TemplateCommand): string[] {
  const list = typeof command === 'string' ? [command] : [...command];
  if (list.length === 0 || list.every((c) => c.trim() === '')) throw new CommandError('', 'empty command');
  if (list.length === 1 && /\s/.test((list[0] ?? '').trim())) return ['sh', '-c', (list[0] ?? '').trim()];
  return list;
}

/** How the command appears in logs: Go's %q of the configured list, e.g. "[\"sh -c 'kill -HUP 1'\"]". */
export function commandLabel(command: TemplateCommand): string {
  const list = typeof command === 'string' ? [command] : [...command];
  return JSON.stringify(`[${list.map((c) => JSON.stringify(c)).join(' ')}]`);
}

export interface RunCommandOptions {
  readonly timeoutMs: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where the child's stdout/stderr go (the agent's own streams by default). */
  readonly stdout?: (chunk: Buffer) => void;
  readonly stderr?: (chunk: Buffer) => void;
}

export function runCommand(command: TemplateCommand, opts: RunCommandOptions): Promise<void> {
  const argv = commandArgv(command);
  const label = argv.join(' ');
  return new Promise((resolve, reject) => {
    const child = childProcess().spawn(argv[0] ?? '', argv.slice(1), {
      env: opts.env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout ends its children too
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, opts.timeoutMs);
    child.stdout.on('data', (c: Buffer) => (opts.stdout ?? ((b) => process.stdout.write(b)))(c));
    child.stderr.on('data', (c: Buffer) => (opts.stderr ?? ((b) => process.stderr.write(b)))(c));
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new CommandError(label, `failed to execute command "${label}": ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut)
        reject(new CommandError(label, `command "${label}" timed out after ${opts.timeoutMs}ms`, 'COMMAND_TIMEOUT'));
      else if (code === 0) resolve();
      else
        reject(
          new CommandError(
            label,
            `command "${label}" exited with ${code !== null ? `code ${code}` : `signal ${signal}`}`,
          ),
        );
    });
  });
}
