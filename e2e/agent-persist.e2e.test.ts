// cache.persist (vault-k8s agent-cache-enable) against a real Vault and PostgreSQL: vault-agent-init leaves its
// token and its database lease for vault-agent, which renders the same credentials without logging in again.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Postgres, startPostgres } from './bed/postgres.js';
import { ManagedProcess, runToCompletion } from './bed/processes.js';
import { agentImageArgv } from './bed/stack.js';
import { waitFor } from './bed/time.js';
import { makeTempDir, removeDir } from './bed/tmp.js';
import {
  enableDatabaseEngine,
  kvPut,
  startVaultServer,
  type VaultServer,
  writeDatabaseRole,
  writePolicy,
} from './bed/vault-server.js';
import { bedBinaries } from './hooks.js';

const HANDOFF = 'vault-injector-agent-cache.json';

describe('agent persistent cache: init hands its token and leases to the sidecar', () => {
  let vault: VaultServer;
  let postgres: Postgres;
  let dir: string;
  let roleIdFile: string;
  let secretIdFile: string;
  const running: ManagedProcess[] = [];

  before(async function () {
    this.timeout(180_000);
    const bins = bedBinaries();
    vault = await startVaultServer(bins.vault);
    postgres = await startPostgres(bins.postgres);
    dir = makeTempDir('agent-persist');
    const root = vault.root;
    await enableDatabaseEngine(root, postgres);
    await writeDatabaseRole(root, 'app', { defaultTtl: '1h', maxTtl: '2h' });
    await kvPut(root, 'secret', 'app', { greeting: 'hello' });
    await writePolicy(
      root,
      'app',
      'path "database/creds/app" { capabilities = ["read"] }\npath "secret/data/app" { capabilities = ["read"] }',
    );
    await root.write('sys/auth/approle', { type: 'approle' });
    await root.write('auth/approle/role/app', { token_policies: ['app'], token_ttl: '1h', secret_id_ttl: 0 });
    const roleId = (await root.read<{ role_id: string }>('auth/approle/role/app/role-id')).data.role_id;
    const secretId = (await root.write<{ secret_id: string }>('auth/approle/role/app/secret-id'))?.data.secret_id;
    roleIdFile = join(dir, 'role-id');
    secretIdFile = join(dir, 'secret-id');
    writeFileSync(roleIdFile, roleId);
    writeFileSync(secretIdFile, secretId ?? '');
  });

  after(async function () {
    this.timeout(60_000);
    for (const p of running.splice(0)) await p.stop({ graceMs: 2000 });
    await postgres?.stop();
    await vault?.stop();
    if (dir) removeDir(dir);
  });

  /** One pod's agent configs (as vault-k8s writes them for agent-cache-enable), under `pod`. */
  function podConfigs(pod: string, exitOnErr = false) {
    const base = join(dir, pod);
    for (const d of ['home', 'secrets', 'cache']) mkdirSync(join(base, d), { recursive: true });
    writeFileSync(join(base, 'sa-token'), `service-account-token-of-${pod}`);
    const config = (init: boolean) => ({
      auto_auth: {
        method: {
          type: 'approle',
          mount_path: 'auth/approle',
          config: {
            role_id_file_path: roleIdFile,
            secret_id_file_path: secretIdFile,
            remove_secret_id_file_after_reading: false,
          },
        },
        sink: [{ type: 'file', config: { path: join(base, 'home', '.vault-token') } }],
      },
      exit_after_auth: init,
      pid_file: join(base, 'home', init ? '.pid-init' : '.pid'),
      vault: { address: vault.addr },
      listener: [{ type: 'tcp', address: '127.0.0.1:0', tls_disable: true }],
      cache: {
        use_auto_auth_token: true,
        persist: {
          type: 'kubernetes',
          path: join(base, 'cache'),
          service_account_token_file: join(base, 'sa-token'),
          ...(exitOnErr ? { exit_on_err: true } : {}),
        },
      },
      template: [
        {
          destination: join(base, 'secrets', 'db'),
          contents: '{{ with secret "database/creds/app" }}{{ .Data.username }}:{{ .Data.password }}{{ end }}',
        },
        {
          destination: join(base, 'secrets', 'greeting'),
          contents: '{{ with secret "secret/app" }}{{ .Data.data.greeting }}{{ end }}',
        },
      ],
      template_config: { exit_on_retry_failure: true },
    });
    const write = (name: string, init: boolean) => {
      const file = join(base, name);
      writeFileSync(file, JSON.stringify(config(init)));
      return file;
    };
    return { base, init: write('init.json', true), sidecar: write('sidecar.json', false) };
  }

  const [node, ...launcher] = agentImageArgv();
  const env = (base: string) => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(base, 'home'),
    VAULT_LOG_LEVEL: 'debug',
  });

  async function runInit(pod: ReturnType<typeof podConfigs>) {
    return runToCompletion({
      name: 'vault-agent-init',
      command: node ?? process.execPath,
      args: [...launcher, 'agent', `-config=${pod.init}`],
      env: env(pod.base),
      timeoutMs: 60_000,
    });
  }

  function startSidecar(pod: ReturnType<typeof podConfigs>) {
    const p = new ManagedProcess({
      name: 'vault-agent',
      command: node ?? process.execPath,
      args: [...launcher, 'agent', `-config=${pod.sidecar}`],
      env: env(pod.base),
    });
    running.push(p);
    return p;
  }

  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

  it("001 the sidecar renders the init container's database credentials with its token: no login, no new lease", async function () {
    this.timeout(90_000);
    const pod = podConfigs('pod-1');
    const init = await runInit(pod);
    assert.equal(init.code, 0, init.output);
    assert.match(init.output, /persistent cache written for the sidecar: path=.*secrets=1/);
    const creds = read(join(pod.base, 'secrets', 'db'));
    assert.match(creds ?? '', /^v-approle-app-[\w-]+:\S+$/);
    const handoff = join(pod.base, 'cache', HANDOFF);
    assert.ok(existsSync(handoff));
    assert.doesNotMatch(
      readFileSync(handoff, 'utf8'),
      new RegExp(creds?.split(':')[1] ?? 'x'),
      'the password is sealed',
    );

    const sidecar = startSidecar(pod);
    await waitFor(
      'the sidecar to take over',
      () => (sidecar.lines.some((l) => /loaded the persistent cache/.test(l)) ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
    await waitFor(
      'the sidecar render',
      () => (sidecar.lines.some((l) => /\(runner\) (rendered|starting)/.test(l)) ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
    await waitFor('the lease renewal', () => (sidecar.lines.some((l) => /renewed lease/.test(l)) ? true : undefined), {
      timeoutMs: 30_000,
    });
    const log = sidecar.lines.join('\n');
    assert.match(log, /using preloaded token/);
    assert.doesNotMatch(log, /\[INFO\] {2}agent\.auth\.handler: authenticating/, 'the sidecar must not log in again');
    assert.equal(read(join(pod.base, 'secrets', 'db')), creds, 'same credentials as the init container rendered');
    assert.equal(read(join(pod.base, 'secrets', 'greeting')), 'hello');
    assert.ok(!existsSync(handoff), 'the handoff file is removed after import');
    // The database lease is the init container's: Vault still knows exactly one for the role.
    const leases = (await vault.root.call<{ keys: string[] }>('LIST', 'sys/leases/lookup/database/creds/app')).json
      ?.data.keys;
    assert.equal(leases?.length, 1, JSON.stringify(leases));
    await sidecar.stop({ graceMs: 5000 });
  });

  it('002 a handoff cannot be replayed: a second reader logs in (or, with exit_on_err, exits 1)', async function () {
    this.timeout(90_000);
    const pod = podConfigs('pod-2');
    assert.equal((await runInit(pod)).code, 0);
    const handoff = join(pod.base, 'cache', HANDOFF);
    const copy = readFileSync(handoff, 'utf8');
    const first = startSidecar(pod);
    await waitFor(
      'the first sidecar',
      () => (first.lines.some((l) => /loaded the persistent cache/.test(l)) ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
    await first.stop({ graceMs: 5000 });

    writeFileSync(handoff, copy); // the same file again: its wrapped key was already unwrapped
    const second = startSidecar(pod);
    await waitFor(
      'the second sidecar to log in',
      () => (second.lines.some((l) => /authentication successful/.test(l)) ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
    assert.ok(
      second.lines.some((l) =>
        /could not load the persistent cache; logging in instead: error=.*cannot unwrap/.test(l),
      ),
    );
    await second.stop({ graceMs: 5000 });

    const strict = podConfigs('pod-2', true);
    writeFileSync(join(strict.base, 'cache', HANDOFF), copy);
    const third = await runToCompletion({
      name: 'vault-agent (exit_on_err)',
      command: node ?? process.execPath,
      args: [...launcher, 'agent', `-config=${strict.sidecar}`],
      env: env(strict.base),
      timeoutMs: 30_000,
      okCodes: [1],
    });
    assert.equal(third.code, 1);
    assert.match(third.output, /runtime error encountered: error=.*cannot unwrap the persistent cache key/);
  });
});
