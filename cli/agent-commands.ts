import { existsSync } from 'node:fs';
import type { runAgent } from '../agent/src/main.js';
import type { runTokenRevoke } from '../agent/src/token-revoke.js';
import type { SubCommands } from './program.js';

export interface CommandIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Standard output and error of this process. */
export const processIO: CommandIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** What the agent commands run; the full CLI loads it on demand, the agent image's bundle links it in. */
export interface AgentModules {
  readonly runAgent: typeof runAgent;
  readonly runTokenRevoke: typeof runTokenRevoke;
}

/**
 * The sub-commands the agent image runs: the agent itself, the native-sidecar startup probe and the preStop
 * revoke hook.
 */
export function agentCommands(
  io: CommandIO,
  load: () => Promise<AgentModules>,
): Pick<SubCommands, 'agent' | 'checkFiles' | 'tokenRevoke'> {
  return {
    agent: async (args) => {
      const code = await (await load()).runAgent(args, process.env, io);
      // Everything is stopped and logged (stderr/stdout are synchronous on Linux pipes and files); waiting for
      // Node to notice idle sockets only delays vault-agent-init, and the app behind it, by tens of milliseconds.
      process.exit(code);
    },
    checkFiles: async (args) => {
      const missing = args.filter((a) => a !== '--' && !existsSync(a));
      if (missing.length) io.err(`not yet rendered: ${missing.join(', ')}\n`);
      return missing.length ? 1 : 0;
    },
    tokenRevoke: async (args) => (await load()).runTokenRevoke(args, process.env, io),
  };
}

/** A command that threw (not a usage error): the error with its stack on stderr, exit code 1. */
export function reportFailure(err: unknown): void {
  process.stderr.write(`vault-injector: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
