// Trains the V8 code cache of the agent bundle for the Node that runs this script (`node scripts/train-code-cache.mjs`;
// `npm run build` runs it, the agent image's build runs it with the image's Node, bench:agent with the Node it
// measures). See cli/agent-launch.ts for why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bundle');

// The training run: the agent as a pod starts it (Kubernetes auth, a template, a file sink), against an address
// where nothing listens, so it loads its configuration, compiles the template, writes the sink check, builds the
// login request and exits 1 at the refused connection, all without a Vault. The launcher writes the code cache
// as it exits, and says where (cli/agent-launch.ts names it for this Node).
const program = join(out, 'agent.cjs');
const started = Date.now();
const training = mkdtempSync(join(tmpdir(), 'vault-injector-train-'));
try {
  writeFileSync(join(training, 'token'), 'training.jwt.not-a-real-token');
  const config = {
    auto_auth: {
      method: {
        type: 'kubernetes',
        mount_path: 'auth/kubernetes',
        exit_on_err: true,
        config: { role: 'training', token_path: join(training, 'token') },
      },
      sink: [{ type: 'file', config: { path: join(training, 'sink', '.vault-token') } }],
    },
    exit_after_auth: true,
    vault: { address: 'http://127.0.0.1:1', retry: { num_retries: 0 } },
    template: [
      {
        destination: join(training, 'secrets', 'db'),
        contents:
          '{{ with secret "secret/data/db" }}{{ range $k, $v := .Data.data }}{{ $k }}={{ $v | toJSON }}\n{{ end }}{{ end }}',
        error_on_missing_key: true,
      },
    ],
    template_config: { exit_on_retry_failure: true, static_secret_render_interval: '5m' },
  };
  mkdirSync(join(training, 'sink'));
  writeFileSync(join(training, 'config.json'), JSON.stringify(config));
  const run = spawnSync(
    process.execPath,
    [join(out, 'agent-launch.cjs'), 'agent', `-config=${join(training, 'config.json')}`],
    {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: training,
        VAULT_INJECTOR_TRAIN_CODE_CACHE: '1',
        VAULT_INJECTOR_DEBUG_CODE_CACHE: '1',
      },
    },
  );
  // Refused, as planned: anything else means the run did not take the path a pod takes.
  if (run.status !== 1 || !/ECONNREFUSED|connection refused/i.test(run.stderr)) {
    throw new Error(
      `the code-cache training run did not end at the refused login (exit ${run.status}):\n${run.stderr}`,
    );
  }
  const cache = /^vault-injector: code cache \w+: (.+)$/m.exec(run.stderr)?.[1];
  if (cache === undefined || !existsSync(cache) || statSync(cache).mtimeMs < started) {
    throw new Error(`the training run wrote no code cache (${cache ?? 'no path given'}):\n${run.stderr}`);
  }
  process.stdout.write(
    `bundle: ${program} (${Math.round(statSync(program).size / 1024)} KiB), code cache for Node ${process.version} ${Math.round(statSync(cache).size / 1024)} KiB\n`,
  );
} finally {
  rmSync(training, { recursive: true, force: true });
}
