// `npm run build` step 2: the agent image's entry point as one file (dist/bundle/agent.cjs), its launcher
// (dist/bundle/agent-launch.cjs) and the V8 code cache of one training run (see cli/agent-launch.ts).
// Why: an init container's whole job takes tens of milliseconds, and loading ~100 ES modules (resolve, read,
// compile, link) took as long again. One CommonJS file is read and compiled once, works with Node's compile
// cache, and imports node:http without the ES-module facade that makes Node 22+ load its bundled undici.
// The HCL parser runs in a child process (agent/src/config/hcl-worker.ts), so it gets its own small file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
mkdirSync(out, { recursive: true });

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
};

const agent = await build({
  ...common,
  entryPoints: ['cli/agent-main.ts'],
  outfile: join(out, 'agent.cjs'),
  format: 'cjs',
  // Code that finds files beside itself (package.json, the HCL worker) or loads a dependency lazily through
  // createRequire uses import.meta.url; in the bundle that is the bundle's own URL, so `../../package.json`
  // and `./hcl-worker.js` resolve from dist/bundle/ as they do from dist/<dir>/<dir>/.
  define: { 'import.meta.url': 'bundleUrl' },
  inject: [join(root, 'scripts', 'bundle-url.js')],
});

await build({
  ...common,
  entryPoints: ['cli/agent-launch.ts'],
  outfile: join(out, 'agent-launch.cjs'),
  format: 'cjs',
  define: { 'import.meta.url': 'bundleUrl' },
  inject: [join(root, 'scripts', 'bundle-url.js')],
});

const worker = await build({
  ...common,
  entryPoints: ['agent/src/config/hcl-worker.ts'],
  outfile: join(out, 'hcl-worker.js'),
  format: 'esm',
  // The parser loads its WebAssembly from its own package directory: it stays in node_modules.
  external: ['@cdktn/hcl2json'],
});

// What went into each file, for the test that keeps the webhook's dependencies out of the agent image's entry.
const inputs = (result) => Object.keys(result.metafile.inputs).sort();
writeFileSync(
  join(out, 'inputs.json'),
  `${JSON.stringify({ 'agent.cjs': inputs(agent), 'hcl-worker.js': inputs(worker) }, null, 2)}\n`,
);

// The code cache the launcher reads, for the Node that runs this build (scripts/train-code-cache.mjs).
const trained = spawnSync(process.execPath, [join(root, 'scripts', 'train-code-cache.mjs')], {
  encoding: 'utf8',
  timeout: 120_000,
});
if (trained.status !== 0) throw new Error(`code-cache training failed:\n${trained.stdout}${trained.stderr}`);
process.stdout.write(trained.stdout);
