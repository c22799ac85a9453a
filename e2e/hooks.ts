import { describeLeftovers, findLeftovers } from './bed/audit.js';
import type { BedBinaries } from './bed/provision.js';
import { provisionAll } from './bed/stack.js';

let binaries: BedBinaries | undefined;

/** The binaries provisioned before the suites started. */
export function bedBinaries(): BedBinaries {
  if (!binaries) throw new Error('the e2e global setup did not run (use `npm run test:e2e`)');
  return binaries;
}

const log = (m: string) => process.stdout.write(`[e2e:setup] ${m}\n`);

/** Before any suite: provision (build what is missing). */
export async function mochaGlobalSetup(): Promise<void> {
  const report = await provisionAll(log);
  binaries = report.binaries;
  log(
    `ready in ${report.seconds.toFixed(1)} s (${report.built.length ? `built ${report.built.join(', ')}` : 'all cached'})`,
  );
}

/** After every suite: nothing may be left behind, or the run fails. */
export async function mochaGlobalTeardown(): Promise<void> {
  const leftovers = describeLeftovers(findLeftovers());
  if (leftovers) {
    process.exitCode = 1;
    // Mocha does not print a global teardown's error, so say it here too.
    process.stderr.write(`[e2e:setup] audit FAILED: the suites left things behind: ${leftovers}\n`);
    throw new Error(`e2e audit: the suites left things behind: ${leftovers}`);
  }
  log('audit: no processes, temp dirs or mounts left behind');
}
