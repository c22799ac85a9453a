// The template runner against a real Vault dev server and a real PostgreSQL: KV v1/v2, dynamic database
// credentials (renewed, then re-fetched after revocation), pkiCert rotation, a denied path next to a readable
// one, Vault going away and coming back, and static re-reads.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import type { RunnerVaultPort } from '../agent/src/runner/port.js';
import { type RunnerTemplateConfig, TemplateRunner, type TemplateRunnerOptions } from '../agent/src/runner/runner.js';
import type { VaultSecretData } from '../agent/src/template/dependencies.js';
import { compileTemplate } from '../agent/src/template/engine.js';
import { createLogger } from '../cli/log.js';
import { httpCall } from './bed/http.js';
import { freePort } from './bed/ports.js';
import { type Postgres, startPostgres } from './bed/postgres.js';
import { sleep, waitFor, within } from './bed/time.js';
import { makeTempDir, removeDir } from './bed/tmp.js';
import {
  enableDatabaseEngine,
  enablePki,
  kvPut,
  startVaultServer,
  type VaultServer,
  writeDatabaseRole,
  writePolicy,
} from './bed/vault-server.js';
import { bedBinaries } from './hooks.js';

/** The port over plain HTTP, as the agent's Vault client will provide it (errors carry status and flags). */
class HttpVaultPort implements RunnerVaultPort {
  constructor(
    private readonly addr: string,
    private readonly token: string,
  ) {}

  private async call(method: string, path: string, body?: unknown) {
    const res = await httpCall({
      url: `${this.addr}/v1/${path}`,
      method,
      body,
      headers: { 'x-vault-token': this.token },
      timeoutMs: 5000,
    });
    const json = res.text.trim() === '' ? undefined : (JSON.parse(res.text) as Record<string, unknown>);
    return { status: res.status, json };
  }

  private static fail(status: number, json: Record<string, unknown> | undefined): never {
    const errors = (json?.errors as string[] | undefined) ?? [];
    throw Object.assign(new Error(`Code: ${status}. Errors: ${errors.join('; ')}`), {
      status,
      permissionDenied: status === 403,
      invalidToken: errors.some((e) => e.includes('invalid token')),
    });
  }

  async read(path: string): Promise<VaultSecretData | null> {
    const r = await this.call('GET', path);
    if (r.status === 404) return r.json?.data ? (r.json as unknown as VaultSecretData) : null;
    if (r.status >= 400) HttpVaultPort.fail(r.status, r.json);
    return r.json as unknown as VaultSecretData;
  }

  async write(path: string, body: Record<string, unknown>): Promise<VaultSecretData | null> {
    const r = await this.call('PUT', path, body);
    if (r.status >= 400) HttpVaultPort.fail(r.status, r.json);
    return r.status === 204 || !r.json ? null : (r.json as unknown as VaultSecretData);
  }

  async list(path: string): Promise<string[]> {
    const r = await this.call('GET', `${path}?list=true`);
    if (r.status === 404) return [];
    if (r.status >= 400) HttpVaultPort.fail(r.status, r.json);
    return [...((r.json?.data as { keys?: string[] } | undefined)?.keys ?? [])].sort();
  }

  async mountInfo(path: string) {
    const r = await this.call('GET', `sys/internal/ui/mounts/${path}`);
    if (r.status === 404) return null;
    if (r.status >= 400) HttpVaultPort.fail(r.status, r.json);
    const d = r.json?.data as { path: string; type: string; options?: { version?: string } | null };
    return { path: d.path, type: d.type, version: d.options?.version ?? '' };
  }

  async renewLease(leaseId: string, increment: number) {
    const r = await this.call('PUT', 'sys/leases/renew', { lease_id: leaseId, increment });
    if (r.status >= 400) HttpVaultPort.fail(r.status, r.json);
    return { leaseDuration: Number(r.json?.lease_duration), renewable: r.json?.renewable === true };
  }
}

/** A loopback TCP proxy we can cut and restore, to make Vault unreachable without stopping it. */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

interface Harness {
  readonly runner: TemplateRunner;
  readonly logs: string[];
  readonly errors: Error[];
  readonly allRendered: Promise<void>;
}

function startRunner(
  vault: RunnerVaultPort,
  templates: readonly { text: string; config: Partial<RunnerTemplateConfig> & { destination: string } }[],
  extra: Partial<TemplateRunnerOptions> = {},
): Harness {
  const logs: string[] = [];
  const errors: Error[] = [];
  let resolveAll: () => void = () => undefined;
  const allRendered = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const runner = new TemplateRunner({
    templates: templates.map((t) => ({
      compiled: compileTemplate({
        name: t.config.destination,
        text: t.text,
        language: 'go',
        destination: t.config.destination,
      }),
      config: { createDestDirs: true, errorFatal: true, ...t.config },
    })),
    vault,
    env: { PATH: process.env.PATH },
    logger: createLogger({ name: 'agent', level: 'debug', format: 'standard', write: (l) => logs.push(l) }),
    staticIntervalMs: 60_000,
    retry: { attempts: 12, backoffMs: 100, maxBackoffMs: 1000 },
    onAllRendered: () => resolveAll(),
    onError: (err) => errors.push(err),
    ...extra,
  });
  runner.start();
  return { runner, logs, errors, allRendered };
}

const read = (p: string): string | undefined => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);

describe('agent template runner against real Vault and PostgreSQL', () => {
  let vault: VaultServer;
  let postgres: Postgres;
  let dir: string;
  let root: HttpVaultPort;
  const runners: TemplateRunner[] = [];
  const track = (h: Harness): Harness => {
    runners.push(h.runner);
    return h;
  };

  before(async function () {
    this.timeout(180_000);
    const bins = bedBinaries();
    vault = await startVaultServer(bins.vault);
    postgres = await startPostgres(bins.postgres);
    dir = makeTempDir('runner');
    root = new HttpVaultPort(vault.addr, vault.rootToken);
  });

  afterEach(() => {
    for (const r of runners.splice(0)) r.stop();
  });

  after(async function () {
    this.timeout(60_000);
    for (const r of runners.splice(0)) r.stop();
    await postgres?.stop();
    await vault?.stop();
    if (dir) removeDir(dir);
  });

  it('001 renders KV v2 through mount detection, KV v1 as is, and a KV v2 list; perms and once mode', async () => {
    await kvPut(vault.root, 'secret', 'devops', { token: 'kv2-token-value' });
    await kvPut(vault.root, 'secret', 'apps/one', { a: '1' });
    await kvPut(vault.root, 'secret', 'apps/two', { a: '2' });
    await vault.root.write('sys/mounts/kv1', { type: 'kv', options: { version: '1' } });
    await vault.root.write('kv1/app', { password: 'kv1-password-value', ttl: '1h' });
    const v2 = join(dir, '001', 'v2.txt');
    const v1 = join(dir, '001', 'v1.txt');
    const list = join(dir, '001', 'list.txt');
    const written = join(dir, '001', 'written.txt');
    const h = track(
      startRunner(
        root,
        [
          { text: '{{ with secret "secret/devops" }}{{ .Data.data.token }}{{ end }}', config: { destination: v2 } },
          {
            text: '{{ with secret "kv1/app" }}{{ .Data.password }} {{ .LeaseDuration }}{{ end }}',
            config: { destination: v1, perms: '0600' },
          },
          { text: '{{ range secrets "secret/apps" }}{{ . }},{{ end }}', config: { destination: list } },
          {
            text: '{{ with secret "secret/written" "a=b" }}v{{ .Data.version }}{{ end }}{{ with secret "kv1/written" "x=y" }} v1-ok{{ end }}',
            config: { destination: written },
          },
        ],
        { once: true },
      ),
    );
    await h.allRendered;
    assert.equal(read(v2), 'kv2-token-value');
    assert.equal(read(v1), 'kv1-password-value 3600');
    assert.equal(read(list), 'one,two,');
    assert.equal(read(written), 'v1 v1-ok', 'a KV v2 write is wrapped in {data}; a KV v1 write answers 204');
    assert.deepEqual((await vault.root.read<{ data: unknown }>('secret/data/written')).data.data, { a: 'b' });
    assert.deepEqual((await vault.root.read('kv1/written')).data, { x: 'y' });
    assert.equal(statSync(v1).mode & 0o777, 0o600);
    assert.equal(statSync(v2).mode & 0o777, 0o644);
    assert.ok(h.runner.isStopped, 'once mode stops after the first full render');
    assert.deepEqual(h.errors, []);
    assert.ok(h.logs.some((l) => l.includes(`[INFO]  agent: (runner) rendered "(dynamic)" => "${v2}"`)));
    assert.ok(
      !h.logs.some((l) => l.includes('kv2-token-value') || l.includes('kv1-password-value')),
      'no secrets in logs',
    );
  });

  it('002 a static secret is re-read on the static interval; the command runs when the file changes', async () => {
    await kvPut(vault.root, 'secret', 'static', { value: 'first' });
    const dest = join(dir, '002', 'static.txt');
    const counter = join(dir, '002', 'command-runs');
    const h = track(
      startRunner(
        root,
        [
          {
            text: '{{ with secret "secret/static" }}{{ .Data.data.value }}{{ end }}',
            config: { destination: dest, command: `echo run >> ${counter}` },
          },
        ],
        { staticIntervalMs: 1000 },
      ),
    );
    await h.allRendered;
    await waitFor('first command run', () => (read(counter) === 'run\n' ? true : undefined), { timeoutMs: 5000 });
    assert.equal(read(dest), 'first');
    await kvPut(vault.root, 'secret', 'static', { value: 'second' });
    await waitFor('the changed value', () => (read(dest) === 'second' ? true : undefined), { timeoutMs: 10_000 });
    await waitFor('second command run', () => (read(counter) === 'run\nrun\n' ? true : undefined), {
      timeoutMs: 5000,
    });
    await sleep(2500); // more re-reads with the same value: no write, no command
    assert.equal(read(counter), 'run\nrun\n');
    assert.deepEqual(h.errors, []);
  });

  it('003 database credentials are renewed, and fetched anew after their lease is revoked', async function () {
    this.timeout(120_000);
    await enableDatabaseEngine(vault.root, postgres);
    await writeDatabaseRole(vault.root, 'app', { defaultTtl: '6s', maxTtl: '10m' });
    const dest = join(dir, '003', 'db.txt');
    const h = track(
      startRunner(root, [
        {
          text: '{{ with secret "database/creds/app" }}{{ .Data.username }} {{ .Data.password }}{{ end }}',
          config: { destination: dest },
        },
      ]),
    );
    await h.allRendered;
    const [user1, pass1] = (read(dest) ?? '').split(' ');
    assert.ok(user1 && pass1, 'credentials written');
    // Past the 6 s TTL: only renewals keep the same user working.
    await sleep(9000);
    assert.equal((read(dest) ?? '').split(' ')[0], user1, 'renewals keep the same credentials');
    const client = new pg.Client({
      host: '127.0.0.1',
      port: postgres.port,
      user: user1,
      password: pass1,
      database: 'postgres',
      connectionTimeoutMillis: 5000,
    });
    await client.connect();
    await client.end();
    assert.ok(
      h.logs.some((l) => l.includes('renewed lease')),
      'the lease was renewed',
    );

    const leases = await vault.root.call<{ keys: string[] }>('LIST', 'sys/leases/lookup/database/creds/app');
    for (const id of leases.json?.data.keys ?? []) {
      await vault.root.write('sys/leases/revoke', { lease_id: `database/creds/app/${id}` });
    }
    const user2 = await waitFor(
      'new credentials after revocation',
      () => {
        const u = (read(dest) ?? '').split(' ')[0];
        return u && u !== user1 ? u : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    assert.notEqual(user2, user1);
    assert.ok(h.logs.some((l) => l.includes('failed to renew')));
    assert.deepEqual(h.errors, []);
  });

  it('004 pkiCert re-issues at 90 % of the certificate life and re-runs the command; the file is its cache', async function () {
    this.timeout(60_000);
    await enablePki(vault.root);
    await vault.root.write('pki/roles/short', {
      allowed_domains: ['example.com'],
      allow_subdomains: true,
      max_ttl: '1h',
      not_before_duration: '1s',
    });
    const dest = join(dir, '004', 'cert.pem');
    const counter = join(dir, '004', 'command-runs');
    const template = {
      text: '{{ with pkiCert "pki/issue/short" "common_name=app.example.com" "ttl=8s" }}{{ .Cert }}{{ .Key }}{{ .CA }}{{ end }}',
      config: { destination: dest, command: ['sh', '-c', `echo run >> ${counter}`] as const },
    };
    const serial = () => new X509Certificate(read(dest) ?? '').serialNumber;
    const h = track(startRunner(root, [template]));
    await h.allRendered;
    const first = serial();
    const cert = new X509Certificate(read(dest) ?? '');
    assert.equal(cert.ca, false);
    assert.ok((read(dest) ?? '').includes('PRIVATE KEY'));

    // A second runner on the same destination uses the file as its cache: no new certificate.
    const cached = track(startRunner(root, [template]));
    await cached.allRendered;
    cached.runner.stop();
    assert.equal(serial(), first, 'a still-fresh certificate in the file is reused');

    // Lifetime 9 s (NotBefore back-dated 1 s): a new certificate about 7 s after issue.
    const second = await waitFor('a re-issued certificate', () => (serial() !== first ? serial() : undefined), {
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    assert.notEqual(second, first);
    await waitFor('the command re-run', () => (read(counter) === 'run\nrun\n' ? true : undefined), {
      timeoutMs: 5000,
    });
    assert.deepEqual(h.errors, []);
  });

  it('005 a denied path fails alone: the other template renders, and the error names the path', async () => {
    await kvPut(vault.root, 'secret', 'allowed', { v: 'visible' });
    await kvPut(vault.root, 'secret', 'forbidden', { v: 'hidden' });
    await writePolicy(vault.root, 'allowed-only', 'path "secret/data/allowed" { capabilities = ["read"] }');
    const created = await vault.root.write('auth/token/create', { policies: ['allowed-only'], ttl: '10m' });
    const token = created?.auth?.client_token ?? '';
    const ok = join(dir, '005', 'ok.txt');
    const denied = join(dir, '005', 'denied.txt');
    let failed: (e: Error) => void = () => undefined;
    const failure = new Promise<Error>((resolve) => {
      failed = resolve;
    });
    const h = track(
      startRunner(
        new HttpVaultPort(vault.addr, token),
        [
          { text: '{{ with secret "secret/forbidden" }}{{ .Data.data.v }}{{ end }}', config: { destination: denied } },
          { text: '{{ with secret "secret/allowed" }}{{ .Data.data.v }}{{ end }}', config: { destination: ok } },
        ],
        { retry: { attempts: 3, backoffMs: 200, maxBackoffMs: 1000 }, onError: (e) => failed(e) },
      ),
    );
    const err = await failure;
    assert.equal(read(ok), 'visible');
    assert.equal(read(denied), undefined);
    assert.match(err.message, /secret\/data\/forbidden/);
    assert.match(err.message, /permission denied/);
    assert.ok(h.runner.isStopped);
    assert.ok(
      h.logs.some((l) =>
        l.includes('[WARN]  agent: (view) vault.read(secret/forbidden): permission denied at secret/data/forbidden'),
      ),
    );
    assert.ok(h.logs.some((l) => l.includes('(retry attempt 1 after "200ms")')));
    assert.ok(h.logs.some((l) => l.includes('(retry attempt 3 after "800ms")')));
    assert.ok(h.logs.some((l) => l.includes('(exceeded maximum retries)')));
  });

  it('006 Vault unreachable mid-run: files keep their content; rendering resumes when it is back', async function () {
    this.timeout(60_000);
    await kvPut(vault.root, 'secret', 'flaky', { v: 'before' });
    const proxy = new CuttableProxy(await freePort(), Number(new URL(vault.addr).port));
    await proxy.open();
    try {
      const dest = join(dir, '006', 'flaky.txt');
      const h = track(
        startRunner(
          new HttpVaultPort(`http://127.0.0.1:${proxy.port}`, vault.rootToken),
          [{ text: '{{ with secret "secret/flaky" }}{{ .Data.data.v }}{{ end }}', config: { destination: dest } }],
          { staticIntervalMs: 1000, retry: { attempts: 20, backoffMs: 200, maxBackoffMs: 500 } },
        ),
      );
      await h.allRendered;
      assert.equal(read(dest), 'before');
      await proxy.cut();
      await kvPut(vault.root, 'secret', 'flaky', { v: 'after' });
      await waitFor('a retried fetch', () => (h.logs.some((l) => l.includes('(retry attempt 2')) ? true : undefined), {
        timeoutMs: 10_000,
      });
      assert.equal(read(dest), 'before', 'the file keeps its content while Vault is away');
      assert.deepEqual(h.errors, []);
      await proxy.open();
      await waitFor('rendering to resume', () => (read(dest) === 'after' ? true : undefined), { timeoutMs: 15_000 });
      assert.deepEqual(h.errors, []);
    } finally {
      await proxy.cut();
    }
  });
  it('007 templates sharing a secret fetch it once; a shared command runs once; a non-fatal template error is skipped', async () => {
    await kvPut(vault.root, 'secret', 'shared', { v: 'shared-value' });
    const reads: string[] = [];
    const counting: RunnerVaultPort = {
      read: (p) => {
        reads.push(p);
        return root.read(p);
      },
      write: (p, b) => root.write(p, b),
      list: (p) => root.list(p),
      mountInfo: (p) => root.mountInfo(p),
      renewLease: (l, i) => root.renewLease(l, i),
    };
    const a = join(dir, '007', 'a.txt');
    const b = join(dir, '007', 'b.txt');
    const broken = join(dir, '007', 'broken.txt');
    const counter = join(dir, '007', 'command-runs');
    const command = `echo run >> ${counter}`;
    const h = track(
      startRunner(counting, [
        { text: '{{ with secret "secret/shared" }}a={{ .Data.data.v }}{{ end }}', config: { destination: a, command } },
        {
          text: '{{ with secret "secret/shared" }}{{ .Data.data.v.nope }}{{ end }}',
          config: { destination: broken, errorFatal: false },
        },
        {
          text: '{{ with secret "/secret/shared/" }}b={{ .Data.data.v }}{{ end }}',
          config: { destination: b, command },
        },
      ]),
    );
    await waitFor('both files', () => (read(a) && read(b) ? true : undefined), { timeoutMs: 10_000 });
    await waitFor('the command', () => (read(counter) ? true : undefined), { timeoutMs: 5000 });
    await sleep(300);
    assert.equal(read(a), 'a=shared-value');
    assert.equal(read(b), 'b=shared-value');
    assert.equal(read(broken), undefined);
    assert.deepEqual(reads, ['secret/data/shared'], 'one read for three users of the same secret');
    assert.equal(read(counter), 'run\n', 'the same command runs once per pass');
    assert.ok(h.logs.some((l) => l.includes('[ERROR] agent: (runner)') && l.includes("can't evaluate field nope")));
    assert.deepEqual(h.errors, []);
  });

  it('008 a fatal template error stops the runner and reports the error', async () => {
    await kvPut(vault.root, 'secret', 'fatal', { v: 'x' });
    let failed: (e: Error) => void = () => undefined;
    const failure = new Promise<Error>((resolve) => {
      failed = resolve;
    });
    const dest = join(dir, '008', 'fatal.txt');
    const h = track(
      startRunner(
        root,
        [{ text: '{{ with secret "secret/fatal" }}{{ .Data.data.v.nope }}{{ end }}', config: { destination: dest } }],
        { onError: (e) => failed(e) },
      ),
    );
    const err = await failure;
    assert.match(err.message, /can't evaluate field nope/);
    assert.ok(h.runner.isStopped);
    assert.equal(read(dest), undefined);
  });
  it('009 a file dependency is re-read when the file changes', async () => {
    const input = join(dir, '009', 'input.txt');
    const dest = join(dir, '009', 'out.txt');
    mkdirSync(join(dir, '009'), { recursive: true });
    writeFileSync(input, 'one');
    const h = track(startRunner(root, [{ text: `[{{ file "${input}" }}]`, config: { destination: dest } }]));
    await h.allRendered;
    assert.equal(read(dest), '[one]');
    writeFileSync(input, 'two');
    await waitFor('the new file content', () => (read(dest) === '[two]' ? true : undefined), { timeoutMs: 10_000 });
    assert.deepEqual(h.errors, []);
  });
  it('010 one pass writes many files concurrently; two templates of one pass sharing a destination: the later wins', async () => {
    for (let i = 0; i < 30; i++) await kvPut(vault.root, 'secret', `many/s${i}`, { v: `value-${i}` });
    const file = (i: number) => join(dir, '010', `f${i}.txt`);
    const shared = join(dir, '010', 'shared.txt');
    const h = track(
      startRunner(root, [
        ...Array.from({ length: 30 }, (_, i) => ({
          text: `{{ with secret "secret/many/s${i}" }}{{ .Data.data.v }}{{ end }}`,
          config: { destination: file(i) },
        })),
        // same secret, so both render in the same pass: there the later template's write lands last
        { text: '{{ with secret "secret/many/s0" }}first{{ end }}', config: { destination: shared } },
        { text: '{{ with secret "secret/many/s0" }}second{{ end }}', config: { destination: shared } },
      ]),
    );
    await within(h.allRendered, 20_000);
    for (let i = 0; i < 30; i++) assert.equal(read(file(i)), `value-${i}`);
    assert.equal(read(shared), 'second');
    const rendered = h.logs.filter((l) => l.includes('(runner) rendered')).map((l) => /=> "(.*)"/.exec(l)?.[1]);
    // every file written once, and logged once
    assert.deepEqual(rendered.filter((d) => d !== shared).sort(), Array.from({ length: 30 }, (_, i) => file(i)).sort());
    assert.deepEqual(h.errors, []);
  });
});
