// The agent image's entry point as it ships: dist/bundle/agent.cjs (and its HCL worker), built by `npm run build`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageVersion } from './version.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUNDLE = join(ROOT, 'dist', 'bundle', 'agent.cjs');

function run(args: readonly string[]) {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('dist/bundle/agent.cjs (the agent image entry point)', () => {
  let dir: string;
  before(() => {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build`);
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
});
