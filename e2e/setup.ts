/** `npm run e2e:setup`: provision the test bed's binaries and print what is there. */
import { provisionAll } from './bed/stack.js';

const log = (m: string) => process.stdout.write(`[e2e:setup] ${m}\n`);
try {
  const report = await provisionAll(log);
  for (const [tool, version] of Object.entries(report.versions)) log(`${tool.padEnd(15)} ${version}`);
  log(
    `done in ${report.seconds.toFixed(1)} s (${report.built.length ? `built ${report.built.join(', ')}` : 'all cached'})`,
  );
} catch (err) {
  process.stderr.write(`[e2e:setup] failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
