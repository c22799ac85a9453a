#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { runAgent } from '../agent/src/main.js';
import { runTokenRevoke } from '../agent/src/token-revoke.js';
import { CONFIG_HELP } from '../webhook/src/config.js';
import { runWebhook } from '../webhook/src/main.js';
import { runMutate } from '../webhook/src/mutate-command.js';
import { runDemo } from './demo.js';
import { buildProgram } from './program.js';
import { packageVersion } from './version.js';

const io = { out: (text: string) => process.stdout.write(text), err: (text: string) => process.stderr.write(text) };
const program = buildProgram(
  {
    version: packageVersion(),
    runtime: { node: process.version, platform: process.platform, arch: process.arch },
    ...io,
  },
  {
    webhook: async (args) => {
      if (args.includes('-h') || args.includes('--help') || args.includes('-help')) {
        io.out(`Usage: vault-injector webhook [flags]\n\n${CONFIG_HELP}`);
        return 0;
      }
      return runWebhook(args, process.env, io);
    },
    agent: async (args) => runAgent(args, process.env, io),
    mutate: async (args) => runMutate(args, process.env, io, () => readFileSync(0, 'utf8')),
    checkFiles: async (args) => {
      const missing = args.filter((a) => a !== '--' && !existsSync(a));
      if (missing.length) io.err(`not yet rendered: ${missing.join(', ')}\n`);
      return missing.length ? 1 : 0;
    },
    tokenRevoke: async (args) => runTokenRevoke(args, process.env, io),
    demo: (args) => runDemo(args, io),
  },
);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commander throws on --help/--version (exit 0) and on usage errors (exit 1) because of exitOverride.
  if (err instanceof CommanderError) process.exitCode = err.exitCode;
  else {
    process.stderr.write(`vault-injector: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
