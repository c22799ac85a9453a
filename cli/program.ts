import { Command, CommanderError } from 'commander';
import { reportFailure } from './agent-commands.js';
import { versionLine } from './version.js';

export interface ProgramIO {
  readonly version: string;
  readonly runtime: { node: string; platform: string; arch: string };
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Sub-commands that read Go-style flags themselves (vault-k8s compatibility) get their raw arguments. */
export interface SubCommands {
  readonly webhook?: (args: readonly string[]) => Promise<number>;
  readonly mutate?: (args: readonly string[]) => Promise<number>;
  readonly checkFiles: (args: readonly string[]) => Promise<number>;
  readonly agent: (args: readonly string[]) => Promise<number>;
  readonly tokenRevoke: (args: readonly string[]) => Promise<number>;
  /** Only in a source checkout (the test bed is not shipped). */
  readonly demo?: (args: readonly string[]) => Promise<number>;
  /** Why a command this build lacks is missing, said when someone runs it. */
  readonly missingBecause?: string;
}

/**
 * The command tree. Each sub-command lives in its own package (webhook/, agent/, certs/);
 * this file only wires them, so `--help` lists every command in one place.
 */
export function buildProgram(io: ProgramIO, sub?: SubCommands): Command {
  const program = new Command('vault-injector')
    .description('Vault Agent Injector for Kubernetes: a mutating admission webhook and the agent it injects.')
    .version(io.version, '-v, --version', 'print the version and exit')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run "vault-injector --help" for the list of commands)')
    // Program options only before the sub-command: `webhook -vault-address=...` must not read as `-v`.
    .enablePositionalOptions()
    .exitOverride();

  program
    .command('version')
    .description('print the version, Node.js runtime and platform')
    .action(() => io.out(`${versionLine(io.version, io.runtime)}\n`));

  const raw = (name: string, description: string, run: ((args: readonly string[]) => Promise<number>) | undefined) => {
    const cmd = program
      .command(name)
      .description(description)
      .helpOption(false)
      .passThroughOptions()
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[flags...]');
    cmd.action(async (args: string[]) => {
      if (!run) {
        io.err(
          `vault-injector: ${name} is not available here${sub?.missingBecause ? `: ${sub.missingBecause}` : ''}\n`,
        );
        process.exitCode = 1;
        return;
      }
      process.exitCode = await run(args);
    });
    return cmd;
  };
  raw(
    'webhook',
    'run the mutating admission webhook (vault-k8s `agent-inject` flags and AGENT_INJECT_* env; `webhook -h` lists them)',
    sub?.webhook,
  ).alias('agent-inject');
  raw(
    'mutate',
    'show what the webhook does to a pod: -f pod.yaml [--patch] (the same code path, offline)',
    sub?.mutate,
  );
  raw(
    'agent',
    'run the Vault Agent of a pod: VAULT_CONFIG (base64 JSON) and/or -config=FILE; `agent -h` lists the flags',
    sub?.agent,
  );
  raw('check-files', 'exit 0 when every given file exists (the native-sidecar startup probe)', sub?.checkFiles);
  raw(
    'token-revoke',
    "revoke the agent's own Vault token: -self [-wait=5s] [-address=...] (the sidecar's preStop hook; -h lists flags)",
    sub?.tokenRevoke,
  );
  raw(
    'demo',
    'try it first: a local cluster, Vault and the webhook run an annotated pod (source checkout: npm start)',
    sub?.demo,
  );
  return program;
}

/** Runs the command line; a usage error or a failing command sets the exit code instead of throwing. */
export async function runProgram(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    // Commander throws on --help/--version (exit 0) and on usage errors (exit 1) because of exitOverride.
    if (err instanceof CommanderError) process.exitCode = err.exitCode;
    else reportFailure(err);
  }
}
