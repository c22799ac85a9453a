#!/usr/bin/env node
// The agent image's entry point (dist/bundle/agent-launch.cjs). It runs the agent bundle (dist/bundle/agent.cjs)
// through vm.Script with a V8 code cache that `npm run build` makes: one training run of the agent, whose cache is
// written when it exits and so holds bytecode for every function that run compiled, not only the file's top level
// (Node's own compile cache stops there). Without it every init container compiled the same ~100 functions again,
// about a sixth of its run. The cache is per Node version and architecture; a missing, stale or rejected cache
// only means compiling as usual.
import { readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** Where the code cache of `program` lives for this Node: V8 accepts only caches from its own version. */
function codeCachePath(program: string): string {
  return `${program}.${process.version}-${process.arch}.code-cache`;
}

/** Set by the training run (scripts/train-code-cache.mjs): write the cache when the process exits. */
const TRAIN_ENV = 'VAULT_INJECTOR_TRAIN_CODE_CACHE';
/** Set to 1 to have the launcher say on stderr whether V8 used the cache. */
const DEBUG_ENV = 'VAULT_INJECTOR_DEBUG_CODE_CACHE';

type CommonJsBody = (exports: unknown, require: NodeJS.Require, module: Module, file: string, dir: string) => void;

function launch(program: string): void {
  const source = readFileSync(program, 'utf8');
  const cachePath = codeCachePath(program);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    // no cache for this Node: compile as usual
  }
  // The hashbang becomes a comment: inside the CommonJS wrapper it would not parse, and lines must stay put.
  const script = new Script(Module.wrap(source.replace(/^#!/, '//')), { filename: program, cachedData });
  if (process.env[DEBUG_ENV] === '1') {
    const state = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
    process.stderr.write(`vault-injector: code cache ${state}: ${cachePath}\n`);
  }
  if (process.env[TRAIN_ENV] === '1') {
    process.once('exit', () => {
      try {
        writeFileSync(cachePath, script.createCachedData());
      } catch (err) {
        process.stderr.write(`vault-injector: code cache not written to ${cachePath}: ${(err as Error).message}\n`);
      }
    });
  }
  const body = script.runInThisContext() as CommonJsBody;
  const mod = new Module(program);
  mod.filename = program;
  body.call(mod.exports, mod.exports, createRequire(program), mod, program, dirname(program));
}

launch(fileURLToPath(new URL('./agent.cjs', import.meta.url)));
