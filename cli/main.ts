#!/usr/bin/env node
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { packageVersion } from './version.js';

const program = buildProgram({
  version: packageVersion(),
  runtime: { node: process.version, platform: process.platform, arch: process.arch },
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});

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
