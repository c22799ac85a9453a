#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { packageVersion } from './version.js';

// Each sub-command loads its own modules when it runs: the agent starts in every pod, and loading the webhook's
// (or the agent's) whole dependency tree up front cost a few hundred milliseconds before the first render.
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
        const { CONFIG_HELP } = await import('../webhook/src/config.js');
        io.out(`Usage: vault-injector webhook [flags]\n\n${CONFIG_HELP}`);
        return 0;
      }
      const { runWebhook } = await import('../webhook/src/main.js');
      return runWebhook(args, process.env, io);
    },
    agent: async (args) => {
      const code = await (await import('../agent/src/main.js')).runAgent(args, process.env, io);
      // Everything is stopped and logged (stderr/stdout are synchronous on Linux pipes and files); waiting for
      // Node to notice idle sockets only delays vault-agent-init, and the app behind it, by tens of milliseconds.
      process.exit(code);
    },
    mutate: async (args) =>
      (await import('../webhook/src/mutate-command.js')).runMutate(args, process.env, io, () =>
        readFileSync(0, 'utf8'),
      ),
    checkFiles: async (args) => {
      const missing = args.filter((a) => a !== '--' && !existsSync(a));
      if (missing.length) io.err(`not yet rendered: ${missing.join(', ')}\n`);
      return missing.length ? 1 : 0;
    },
    tokenRevoke: async (args) => (await import('../agent/src/token-revoke.js')).runTokenRevoke(args, process.env, io),
    demo: async (args) => (await import('./demo.js')).runDemo(args, io),
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
