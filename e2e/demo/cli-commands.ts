import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../bed/stack.js';

/** The built CLI the pod runner starts for our own images. */
export const BUILT_CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** Command names (and aliases) from the `Commands:` section of `vault-injector --help`. */
export function parseCommandNames(help: string): string[] {
  const section = help.split(/^Commands:\s*$/m)[1] ?? '';
  const names: string[] = [];
  for (const line of section.split('\n')) {
    const m = /^ {2}([a-z][\w-]*(?:\|[a-z][\w-]*)*)/.exec(line);
    if (m?.[1]) names.push(...m[1].split('|'));
  }
  return names;
}

/**
 * Whether the built CLI has a sub-command, asked the way a user would (`--help`), so it holds
 * whichever way main.ts wires it. `agent --help` alone proves nothing: for an unknown command it
 * prints the program's help and exits 0.
 */
export function builtCliHasCommand(name: string, cli = BUILT_CLI): boolean {
  const help = execFileSync(process.execPath, [cli, '--help'], {
    encoding: 'utf8',
    timeout: 20_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseCommandNames(help).includes(name);
}
