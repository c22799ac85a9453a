#!/usr/bin/env node
// The agent image's command line: the commands a pod runs (agent, check-files, token-revoke, version).
// The image ships it as one bundled file (`npm run build` → dist/bundle/agent.cjs): the agent starts in
// every pod, and resolving and compiling ~100 modules, or importing node:http as an ES module (Node 22+
// then loads its bundled undici), cost more than the rest of an init run. The full CLI is cli/main.ts.
import { runAgent } from '../agent/src/main.js';
import { runTokenRevoke } from '../agent/src/token-revoke.js';
import { agentCommands, processIO, reportFailure } from './agent-commands.js';

// Imported statically (unlike cli/main.ts) so the bundler hoists the agent's modules into the file's top level:
// V8 compiles that eagerly, and the compile cache then holds it, instead of compiling ~90 module bodies at start.
const commands = agentCommands(processIO, async () => ({ runAgent, runTokenRevoke }));
// What pods run: the agent, its startup probe (exec'd every few seconds until the first render) and the preStop
// hook. They start without the command-line library; anything else (help, version, a typo) goes through it.
const direct = new Map([
  ['agent', commands.agent],
  ['check-files', commands.checkFiles],
  ['token-revoke', commands.tokenRevoke],
]);
const [name, ...args] = process.argv.slice(2);
const run = name === undefined ? undefined : direct.get(name);
if (run) {
  run(args).then((code) => {
    process.exitCode = code;
  }, reportFailure);
} else {
  // No top-level await: the bundle is CommonJS.
  void Promise.all([import('./program.js'), import('./version.js')]).then(
    ([{ buildProgram, runProgram }, { packageVersion }]) => {
      const program = buildProgram(
        {
          version: packageVersion(),
          runtime: { node: process.version, platform: process.platform, arch: process.arch },
          ...processIO,
        },
        {
          ...commands,
          missingBecause:
            'the agent image carries the agent commands only; the webhook runs from vault-injector/webhook',
        },
      );
      return runProgram(program, process.argv);
    },
  );
}
