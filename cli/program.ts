import { Command } from 'commander';
import { versionLine } from './version.js';

export interface ProgramIO {
  readonly version: string;
  readonly runtime: { node: string; platform: string; arch: string };
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/**
 * The command tree. Each sub-command lives in its own package (webhook/, agent/, certs/);
 * this file only wires them, so `--help` lists every command in one place.
 */
export function buildProgram(io: ProgramIO): Command {
  const program = new Command('vault-injector')
    .description('Vault Agent Injector for Kubernetes: a mutating admission webhook and the agent it injects.')
    .version(io.version, '-v, --version', 'print the version and exit')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run "vault-injector --help" for the list of commands)')
    .exitOverride();

  program
    .command('version')
    .description('print the version, Node.js runtime and platform')
    .action(() => io.out(`${versionLine(io.version, io.runtime)}\n`));

  return program;
}
