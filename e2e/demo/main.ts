import { describeLeftovers, findLeftovers, type Leftovers } from '../bed/audit.js';
import { survivingProcesses } from '../bed/processes.js';
import { leftoverTempDirs } from '../bed/tmp.js';
import { DEMO_HELP, parseDemoArgs } from './options.js';
import { DemoError, runDemo } from './run.js';
import { Shutdown, StopRequested } from './shutdown.js';

export interface CommandIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Two signals closer than this are one Ctrl-C delivered twice (terminal and `npm start` both forward it). */
const REPEAT_WINDOW_MS = 2000;

/**
 * `vault-injector demo` / `npm start`. Exit code 0 after a clean run or a Ctrl-C/SIGTERM stop; 1 when
 * a step fails or something could not be cleaned up; 2 on a usage error.
 */
export async function runDemoCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const parsed = parseDemoArgs(argv);
  if (parsed.kind === 'help') {
    io.out(DEMO_HELP);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.err(`Error: ${parsed.message}\n\n${DEMO_HELP}`);
    return 2;
  }
  const shutdown = new Shutdown();
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (!shutdown.requested) {
      firstSignalAt = now;
      io.out(`\n${signal}: stopping after the current step (Ctrl-C again to stop at once)\n`);
      shutdown.request();
    } else if (now - firstSignalAt > REPEAT_WINDOW_MS) {
      // A step that cannot be cut short (a cold Go build) is ended by killing what we started, by pid.
      io.out(`\n${signal} again: ending every process the demo started now\n`);
      for (const p of survivingProcesses()) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let code = 0;
  try {
    await runDemo(parsed.options, io, shutdown);
  } catch (err) {
    if (!(err instanceof StopRequested)) {
      const message = err instanceof Error ? err.message : String(err);
      io.err(`\nvault-injector demo: ${err instanceof DemoError ? message : `failed: ${message}`}\n`);
      code = 1;
    }
  }
  const startedSomething = shutdown.pending > 0;
  if (startedSomething) io.out('\n==> Stopping everything the demo started\n');
  const results = await shutdown.stopAll((r) =>
    io.out(r.error ? `    ${r.name}: could not stop cleanly: ${r.error}\n` : `    stopped ${r.name}\n`),
  );
  if (results.some((r) => r.error)) code = 1;
  const leftovers = describeLeftovers(ownLeftovers());
  if (leftovers) {
    io.err(`    left behind: ${leftovers}\n`);
    code = 1;
  } else if (startedSomething) io.out('    nothing left behind: no processes, temp dirs or mounts\n');
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return code;
}

/**
 * The bed's audit, limited to this process: its mount scan covers the whole machine, where other
 * test runs may have pods up. A mount of ours outlives its pod only inside a temp dir that could not
 * be removed, so mounts count when they are under one of our leftover temp dirs.
 */
function ownLeftovers(): Leftovers {
  const all = findLeftovers();
  const dirs = leftoverTempDirs();
  return { ...all, mounts: all.mounts.filter((m) => dirs.some((d) => m.startsWith(`${d}/`))) };
}
