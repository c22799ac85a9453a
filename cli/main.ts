#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { agentCommands, processIO } from './agent-commands.js';
import { buildProgram, runProgram } from './program.js';
import { packageVersion } from './version.js';

// Each sub-command loads its own modules when it runs: the agent starts in every pod, and loading the webhook's
// (or the agent's) whole dependency tree up front cost a few hundred milliseconds before the first render.
// The agent image starts from cli/agent-main.ts instead (one bundled file with the agent's commands only).
const io = processIO;
const program = buildProgram(
  {
    version: packageVersion(),
    runtime: { node: process.version, platform: process.platform, arch: process.arch },
    ...io,
  },
  {
    // Loaded when an agent command runs: the webhook and the other commands never pay for the agent's modules.
    ...agentCommands(io, async () => {
      const [{ runAgent }, { runTokenRevoke }] = await Promise.all([
        import('../agent/src/main.js'),
        import('../agent/src/token-revoke.js'),
      ]);
      return { runAgent, runTokenRevoke };
    }),
    webhook: async (args) => {
      if (args.includes('-h') || args.includes('--help') || args.includes('-help')) {
        const { CONFIG_HELP } = await import('../webhook/src/config.js');
        io.out(`Usage: vault-injector webhook [flags]\n\n${CONFIG_HELP}`);
        return 0;
      }
      const { runWebhook } = await import('../webhook/src/main.js');
      return runWebhook(args, process.env, io);
    },
    mutate: async (args) =>
      (await import('../webhook/src/mutate-command.js')).runMutate(args, process.env, io, () =>
        readFileSync(0, 'utf8'),
      ),
    demo: async (args) => (await import('./demo.js')).runDemo(args, io),
  },
);

await runProgram(program, process.argv);
