// The agent image's entry point as it ships: dist/bundle/agent-launch.cjs running dist/bundle/agent.cjs with its
// trained code cache (and the HCL worker), built by `npm run build`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageVersion } from './version.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUNDLE = join(ROOT, 'dist', 'bundle', 'agent.cjs');
const LAUNCHER = join(ROOT, 'dist', 'bundle', 'agent-launch.cjs');

function run(args: readonly string[], env: Record<string, string> = {}, launcher = LAUNCHER) {
  const r = spawnSync(process.execPath, [launcher, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('dist/bundle/agent.cjs (the agent image entry point)', () => {
  let dir: string;
  before(() => {
    if (!existsSync(BUNDLE) || !existsSync(LAUNCHER)) throw new Error(`${BUNDLE} is missing: run npm run build`);
    dir = mkdtempSync(join(tmpdir(), 'agent-bundle-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the agent and the libraries it needs, not the webhook or its dependencies', () => {
    const inputs = (
      JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', 'inputs.json'), 'utf8')) as Record<string, string[]>
    )['agent.cjs'];
    assert.ok(inputs, 'inputs.json has no agent.cjs entry');
    assert.ok(inputs.includes('agent/src/main.ts'), 'agent/src/main.ts is not in the bundle');
    assert.ok(inputs.includes('cli/agent-main.ts'));
    for (const unwanted of [
      /^webhook\/src\/(main|server|mutate-command|kube|leader|cert-store)\.ts$/,
      /^cli\/(main|demo)\.ts$/,
      /^e2e\//,
      /node_modules\/(express|@kubernetes|fast-json-patch|@peculiar|chokidar|handlebars|yaml)\//,
    ]) {
      const hit: string | undefined = inputs.find((i) => unwanted.test(i));
      assert.equal(hit, undefined, `${hit} should not be in the agent bundle`);
    }
  });

  it('prints the package version (package.json found beside dist/ as from tsc output)', () => {
    const r = run(['version']);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      `vault-injector v${packageVersion()} (node ${process.version}, ${process.platform}/${process.arch})\n`,
    );
  });

  it('lists the commands and says why the webhook is not here', () => {
    const help = run(['--help']);
    assert.equal(help.code, 0, help.err);
    for (const c of ['agent', 'check-files', 'token-revoke']) assert.match(help.out, new RegExp(`^\\s+${c}\\b`, 'm'));
    const webhook = run(['webhook']);
    assert.equal(webhook.code, 1);
    assert.match(
      webhook.err,
      /^vault-injector: webhook is not available here: the agent image carries the agent commands only/,
    );
    assert.doesNotMatch(webhook.err, /\n\s+at /, 'no stack trace for a missing command');
  });

  it('check-files (the native-sidecar startup probe) exits 0 only when every file exists', () => {
    const present = join(dir, 'present');
    writeFileSync(present, 'x');
    assert.equal(run(['check-files', '--', present]).code, 0);
    const missing = run(['check-files', '--', present, join(dir, 'missing')]);
    assert.equal(missing.code, 1);
    assert.equal(missing.err, `not yet rendered: ${join(dir, 'missing')}\n`);
  });

  it('agent reads HCL through the bundled parser worker (errors name the file, line and key)', () => {
    const broken = join(dir, 'broken.hcl');
    writeFileSync(broken, 'auto_auth {\n  method "kubernetes" {\n    config = { role = "x"\n');
    const r1 = run(['agent', `-config=${broken}`]);
    assert.equal(r1.code, 1);
    assert.match(
      r1.err,
      new RegExp(`^Error loading configuration: ${broken}: invalid HCL: \\[${broken}:4,1-1: Missing expression`),
    );
    const unknownKey = join(dir, 'unknown.hcl');
    writeFileSync(unknownKey, 'exit_after_auth = true\nbogus_key = 1\n');
    const r2 = run(['agent', `-config=${unknownKey}`]);
    assert.equal(r2.code, 1);
    assert.match(r2.err, /unknown key "bogus_key" at the top level/);
  });

  it('agent loads Handlebars on demand from node_modules (a broken template fails with its parse error)', () => {
    const config = join(dir, 'hb.json');
    writeFileSync(
      config,
      JSON.stringify({
        auto_auth: {
          method: {
            type: 'approle',
            config: { role_id_file_path: join(dir, 'r'), secret_id_file_path: join(dir, 's') },
          },
          sink: [{ type: 'file', config: { path: join(dir, 'token') } }],
        },
        exit_after_auth: true,
        vault: { address: 'http://127.0.0.1:1' },
        template: [{ destination: join(dir, 'out'), contents: '{{#if}}x{{/each}}', engine: 'handlebars' }],
      }),
    );
    const r = run(['agent', `-config=${config}`]);
    assert.equal(r.code, 1);
    assert.match(r.err, /runtime error encountered: error="template: .*out: if doesn't match each/);
  });

  it('runs with the code cache the build trained for this Node, and without it when the cache is stale', () => {
    const used = run(['version'], { VAULT_INJECTOR_DEBUG_CODE_CACHE: '1' });
    assert.equal(used.code, 0, used.err);
    assert.equal(
      used.err,
      `vault-injector: code cache accepted: ${BUNDLE}.${process.version}-${process.arch}.code-cache\n`,
    );
    // a copy of the image layout whose cache does not fit the bundle: V8 rejects it and the agent still runs
    const image = join(dir, 'image');
    mkdirSync(join(image, 'dist', 'bundle'), { recursive: true });
    for (const f of ['agent-launch.cjs', 'agent.cjs'])
      copyFileSync(join(ROOT, 'dist', 'bundle', f), join(image, 'dist', 'bundle', f));
    copyFileSync(join(ROOT, 'package.json'), join(image, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(image, 'node_modules'));
    const stale = join(image, 'dist', 'bundle', `agent.cjs.${process.version}-${process.arch}.code-cache`);
    writeFileSync(stale, Buffer.alloc(4096, 7));
    const fallback = run(
      ['version'],
      { VAULT_INJECTOR_DEBUG_CODE_CACHE: '1' },
      join(image, 'dist', 'bundle', 'agent-launch.cjs'),
    );
    assert.equal(fallback.code, 0, fallback.err);
    assert.match(fallback.err, /code cache rejected/);
    assert.match(fallback.out, /^vault-injector v/);
    rmSync(stale);
    const none = run(
      ['version'],
      { VAULT_INJECTOR_DEBUG_CODE_CACHE: '1' },
      join(image, 'dist', 'bundle', 'agent-launch.cjs'),
    );
    assert.equal(none.code, 0, none.err);
    assert.match(none.err, /code cache none/);
  });
});
