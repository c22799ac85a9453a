import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHcl2, toHcl2 } from './hcl.js';
import { loadAgentConfig } from './load.js';
import { AgentConfigError, type ConfigErrorCode } from './load-errors.js';
import { DEFAULT_KUBERNETES_TOKEN_PATH, finaliseConfig, mergePartials, normaliseFile } from './load-normalise.js';
import type { AgentConfig } from './load-types.js';
import type { VaultConfig } from './schema.js';

type Env = Record<string, string | undefined>;
const pad = (i: number): string => String(i + 1).padStart(3, '0');
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

/** Pure path: one raw object → AgentConfig. */
function fromRaw(raw: unknown, env: Env = {}): AgentConfig {
  return finaliseConfig(mergePartials([normaliseFile(raw, 'test.json')]), { env });
}

function errorOf(fn: () => unknown): AgentConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AgentConfigError, `expected AgentConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an AgentConfigError');
}

async function asyncErrorOf(p: Promise<unknown>): Promise<AgentConfigError> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof AgentConfigError, `expected AgentConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an AgentConfigError');
}

const KUBE_METHOD = {
  type: 'kubernetes',
  mount_path: 'auth/kubernetes',
  config: { role: 'app', token_path: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
};
const TOKEN_SINK = { type: 'file', config: { path: '/home/vault/.vault-token' } };

/** vault-k8s §4: the init config of a typical pod, exactly as the injector writes it. */
const INIT_CONFIG: VaultConfig = {
  auto_auth: { method: KUBE_METHOD, sink: [TOKEN_SINK as VaultConfig['auto_auth']['sink'][number]] },
  exit_after_auth: true,
  pid_file: '/home/vault/.pid',
  vault: { address: 'https://vault.vault.svc:8200' },
  template: [
    {
      destination: '/vault/secrets/db',
      contents: '{{ with secret "secret/data/db" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}',
      left_delimiter: '{{',
      right_delimiter: '}}',
    },
  ],
  template_config: { exit_on_retry_failure: true },
};

describe('agent config: the injector-generated JSON (vault-k8s §4, spec §2.12)', () => {
  it('001 the init config parses, with every default applied', () => {
    const c = fromRaw(INIT_CONFIG);
    assert.equal(c.exitAfterAuth, true);
    assert.equal(c.pidFile, '/home/vault/.pid');
    assert.equal(c.vault.address, 'https://vault.vault.svc:8200');
    assert.equal(c.vault.retry.numRetries, 12);
    const m = c.autoAuth?.method;
    assert.equal(m?.type, 'kubernetes');
    assert.equal(m?.mountPath, 'auth/kubernetes');
    assert.equal(m?.minBackoffMs, 1000);
    assert.equal(m?.maxBackoffMs, 300_000);
    assert.equal(m?.exitOnErr, false);
    assert.deepEqual(m?.kubernetes, { role: 'app', tokenPath: DEFAULT_KUBERNETES_TOKEN_PATH });
    assert.deepEqual(
      c.autoAuth?.sinks.map((s) => [s.path, s.mode]),
      [['/home/vault/.vault-token', 0o640]],
    );
    const [t] = c.templates;
    assert.equal(t?.destination, '/vault/secrets/db');
    assert.equal(t?.createDestDirs, true);
    assert.equal(t?.perms, 0o644);
    assert.equal(t?.permsSet, false);
    assert.equal(t?.commandTimeoutMs, 30_000);
    assert.equal(t?.errorOnMissingKey, false);
    assert.equal(t?.errorFatal, true);
    assert.equal(t?.language, 'go');
    assert.deepEqual(c.templateConfig, {
      exitOnRetryFailure: true,
      staticSecretRenderIntervalMs: 300_000,
      maxConnectionsPerHost: 10,
      leaseRenewalThreshold: 0.9,
    });
    assert.deepEqual(c.listeners, []);
    assert.equal(c.cache, undefined);
    assert.equal(c.apiProxy, undefined);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.logFormat, 'standard');
  });

  it('002 the §2.12 shape with every field the injector can emit', () => {
    const raw = {
      auto_auth: {
        method: {
          type: 'kubernetes',
          mount_path: 'auth/k8s/',
          namespace: 'team-a',
          config: { role: 'app', token_path: '/var/run/secrets/vault/token' },
          min_backoff: '2s',
          max_backoff: '1m',
          exit_on_err: true,
        },
        sink: [TOKEN_SINK, { type: 'file', config: { path: '/vault/secrets/token' } }],
      },
      exit_after_auth: false,
      pid_file: '/home/vault/.pid',
      vault: {
        address: 'https://vault.vault.svc:8200',
        ca_cert: '/vault/tls/ca.crt',
        ca_path: '/vault/tls/ca.key',
        tls_skip_verify: true,
        client_cert: '/vault/tls/client.crt',
        client_key: '/vault/tls/client.key',
        tls_server_name: 'vault.internal',
      },
      template: [
        {
          destination: '/vault/secrets/db',
          contents: '{{ .x }}',
          left_delimiter: '[[',
          right_delimiter: ']]',
          command: 'pkill -HUP app',
          perms: '0640',
          error_on_missing_key: true,
          create_dest_dirs: true,
        },
        { destination: '/vault/secrets/file', source: '/etc/template.ctmpl' },
      ],
      listener: [{ type: 'tcp', address: '127.0.0.1:8200', tls_disable: true, agent_api: { enable_quit: true } }],
      cache: { use_auto_auth_token: 'true', persist: { type: 'kubernetes', path: '/vault/agent-cache' } },
      template_config: {
        exit_on_retry_failure: true,
        static_secret_render_interval: '10m',
        max_connections_per_host: 20,
        lease_renewal_threshold: 0.75,
      },
      disable_idle_connections: ['templating'],
      disable_keep_alives: ['templating', 'auto-auth'],
      telemetry: { prometheus_retention_time: '24h', disable_hostname: true, statsd_address: '127.0.0.1:9125' },
    };
    const c = fromRaw(raw);
    const m = c.autoAuth?.method;
    assert.equal(m?.mountPath, 'auth/k8s');
    assert.equal(m?.namespace, 'team-a');
    assert.equal(m?.minBackoffMs, 2000);
    assert.equal(m?.maxBackoffMs, 60_000);
    assert.equal(m?.exitOnErr, true);
    assert.equal(m?.kubernetes?.tokenPath, '/var/run/secrets/vault/token');
    assert.deepEqual(
      c.autoAuth?.sinks.map((s) => s.path),
      ['/home/vault/.vault-token', '/vault/secrets/token'],
    );
    assert.deepEqual(c.vault, {
      address: 'https://vault.vault.svc:8200',
      caCert: '/vault/tls/ca.crt',
      caPath: '/vault/tls/ca.key',
      clientCert: '/vault/tls/client.crt',
      clientKey: '/vault/tls/client.key',
      tlsSkipVerify: true,
      tlsServerName: 'vault.internal',
      namespace: undefined,
      retry: { numRetries: 12 },
    });
    const [db, file] = c.templates;
    assert.deepEqual([db?.leftDelimiter, db?.rightDelimiter], ['[[', ']]']);
    assert.deepEqual(db?.command, ['pkill -HUP app']);
    assert.deepEqual([db?.perms, db?.permsSet, db?.errorOnMissingKey], [0o640, true, true]);
    assert.deepEqual([file?.source, file?.contents], ['/etc/template.ctmpl', undefined]);
    assert.deepEqual(c.listeners, [
      {
        type: 'tcp',
        address: '127.0.0.1:8200',
        tlsDisable: true,
        tlsCertFile: undefined,
        tlsKeyFile: undefined,
        requireRequestHeader: false,
        role: 'default',
        agentApi: { enableQuit: true },
      },
    ]);
    assert.equal(c.cache?.useAutoAuthToken, true);
    assert.equal(c.cache?.persist?.path, '/vault/agent-cache');
    assert.deepEqual(c.apiProxy, { useAutoAuthToken: true, enforceConsistency: 'never', whenInconsistent: 'fail' });
    assert.deepEqual(c.templateConfig, {
      exitOnRetryFailure: true,
      staticSecretRenderIntervalMs: 600_000,
      maxConnectionsPerHost: 20,
      leaseRenewalThreshold: 0.75,
    });
    assert.deepEqual([...c.disableIdleConnections], ['templating']);
    assert.deepEqual([...c.disableKeepAlives], ['templating', 'auto-auth']);
    assert.equal(c.telemetry.prometheusRetentionTimeMs, 86_400_000);
    assert.equal(c.telemetry.disableHostname, true);
    assert.deepEqual([...c.telemetry.other], [['statsd_address', '127.0.0.1:9125']]);
  });

  it('003 §4.5 sidecar with cache, no persist: listener + cache, api_proxy synthesised from the cache', () => {
    const c = fromRaw({
      ...INIT_CONFIG,
      exit_after_auth: false,
      listener: [{ type: 'tcp', address: '127.0.0.1:8200', tls_disable: true }],
      cache: { use_auto_auth_token: 'force' },
    });
    assert.equal(c.exitAfterAuth, false);
    assert.equal(c.listeners[0]?.agentApi.enableQuit, false);
    assert.equal(c.apiProxy?.useAutoAuthToken, 'force');
  });

  it('004 §4.5 agent-enable-quit without cache: listener with agent_api and an empty cache {}', () => {
    const c = fromRaw({
      ...INIT_CONFIG,
      listener: [{ type: 'tcp', address: '127.0.0.1:8200', tls_disable: true, agent_api: { enable_quit: true } }],
      cache: {},
    });
    assert.deepEqual(c.cache, { useAutoAuthToken: undefined, persist: undefined });
    assert.equal(c.apiProxy, undefined);
    assert.equal(c.listeners[0]?.agentApi.enableQuit, true);
  });

  it('005 §4.5 persistent cache with exit_on_err', () => {
    const c = fromRaw({
      ...INIT_CONFIG,
      listener: [{ type: 'tcp', address: '127.0.0.1:8200', tls_disable: true }],
      cache: {
        use_auto_auth_token: 'true',
        persist: { type: 'kubernetes', path: '/vault/agent-cache', exit_on_err: true },
      },
    });
    assert.deepEqual(c.cache?.persist, {
      type: 'kubernetes',
      path: '/vault/agent-cache',
      keepAfterImport: false,
      exitOnErr: true,
      serviceAccountTokenFile: undefined,
    });
  });

  it('006 §4.6 the TestNewConfig init fixture: seven templates, mount path "test", TLS settings', () => {
    const tpl = (destination: string, extra: Record<string, unknown>) => ({
      destination,
      left_delimiter: '{{',
      right_delimiter: '}}',
      ...extra,
    });
    const c = fromRaw({
      auto_auth: { method: { type: 'kubernetes', mount_path: 'test', config: { role: 'foobar' } }, sink: [TOKEN_SINK] },
      exit_after_auth: true,
      pid_file: '/home/vault/.pid',
      vault: {
        address: 'https://vault:8200',
        ca_cert: 'ca-cert',
        ca_path: 'ca-key',
        client_cert: 'client-cert',
        client_key: 'client-key',
        tls_server_name: 'foobar.server',
      },
      template: [
        tpl('/vault/secrets/foo', { contents: 'template foo' }),
        tpl('/vault/secrets/bar', {
          contents: '{{ with secret "db/creds/bar" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}',
          command: 'pkill -HUP app',
        }),
        tpl('/etc/container_environment/different-path', { contents: '{{ with secret "x" }}{{ end }}' }),
        tpl('/vault/secrets/with-file-template', { source: '/etc/file-template' }),
        tpl('/custom/path/.env', { contents: 'x', perms: '0600', command: '/tmp/smth.sh' }),
        tpl('/vault/secrets/just-template-file', { source: 'just-template-file' }),
        { destination: '/vault/secrets/baz', contents: '[[ .x ]]', left_delimiter: '[[', right_delimiter: ']]' },
      ],
      template_config: { exit_on_retry_failure: true },
    });
    assert.equal(c.autoAuth?.method.mountPath, 'test');
    assert.equal(c.vault.tlsServerName, 'foobar.server');
    assert.equal(c.vault.tlsSkipVerify, undefined);
    assert.equal(c.templates.length, 7);
    assert.deepEqual(
      c.templates.map((t) => [t.destination, t.source ?? null, t.command.join(' '), t.perms.toString(8)]),
      [
        ['/vault/secrets/foo', null, '', '644'],
        ['/vault/secrets/bar', null, 'pkill -HUP app', '644'],
        ['/etc/container_environment/different-path', null, '', '644'],
        ['/vault/secrets/with-file-template', '/etc/file-template', '', '644'],
        ['/custom/path/.env', null, '/tmp/smth.sh', '600'],
        ['/vault/secrets/just-template-file', 'just-template-file', '', '644'],
        ['/vault/secrets/baz', null, '', '644'],
      ],
    );
    assert.deepEqual(c.listeners, []);
    assert.equal(c.cache, undefined);
  });

  it('007 VAULT_CONFIG (base64, as injected) through loadAgentConfig', async () => {
    const c = await loadAgentConfig({ env: { VAULT_CONFIG: b64(INIT_CONFIG) } });
    assert.deepEqual(c, fromRaw(INIT_CONFIG));
  });
});

const FULL_HCL = `
# A hand-written agent config in HCL: every block form Vault documents.
pid_file = "/home/vault/.pid"
exit_after_auth = false
log_level = "debug"

vault {
  address = "https://vault:8200"
  retry {
    num_retries = -1
  }
}

auto_auth {
  method "kubernetes" {
    mount_path = "auth/kubernetes"
    min_backoff = "5s"
    max_backoff = 600
    config = {
      role = "app"
    }
  }
  sink "file" {
    config = {
      path = "/home/vault/.vault-token"
      mode = 0600
    }
  }
  sink "file" {
    config = {
      path = "/tmp/token2"
    }
  }
}

listener "tcp" {
  address = "127.0.0.1:8100"
  tls_disable = true
  agent_api {
    enable_quit = true
  }
}

api_proxy {
  use_auto_auth_token = "force"
}

template_config {
  exit_on_retry_failure = true
  static_secret_render_interval = "1m"
}

template {
  destination = "/vault/secrets/a"
  contents = "{{ with secret \\"secret/data/a\\" }}{{ .Data.data.x }}{{ end }}"
  perms = "0600"
  command = ["sh", "-c", "echo hi"]
  wait {
    min = "2s"
    max = "10s"
  }
}

template {
  destination = "/vault/secrets/b"
  engine = "handlebars"
  contents = <<EOT
{{#with (secret "secret/data/b")}}{{Data.data.y}}{{/with}}
EOT
  error_on_missing_key = true
}

telemetry {
  prometheus_retention_time = "30s"
  disable_hostname = true
}
`;

const FULL_JSON = {
  pid_file: '/home/vault/.pid',
  exit_after_auth: false,
  log_level: 'debug',
  vault: { address: 'https://vault:8200', retry: { num_retries: -1 } },
  auto_auth: {
    method: [
      {
        type: 'kubernetes',
        mount_path: 'auth/kubernetes',
        min_backoff: '5s',
        max_backoff: 600,
        config: { role: 'app' },
      },
    ],
    sink: [
      { type: 'file', config: { path: '/home/vault/.vault-token', mode: 384 } },
      { type: 'file', config: { path: '/tmp/token2' } },
    ],
  },
  listener: { type: 'tcp', address: '127.0.0.1:8100', tls_disable: true, agent_api: { enable_quit: true } },
  api_proxy: { use_auto_auth_token: 'force' },
  template_config: { exit_on_retry_failure: true, static_secret_render_interval: '1m' },
  template: [
    {
      destination: '/vault/secrets/a',
      contents: '{{ with secret "secret/data/a" }}{{ .Data.data.x }}{{ end }}',
      perms: '0600',
      command: ['sh', '-c', 'echo hi'],
      wait: '2s:10s',
    },
    {
      destination: '/vault/secrets/b',
      engine: 'handlebars',
      contents: '{{#with (secret "secret/data/b")}}{{Data.data.y}}{{/with}}\n',
      error_on_missing_key: true,
    },
  ],
  telemetry: { prometheus_retention_time: '30s', disable_hostname: true },
};

describe('agent config: HCL and JSON give the same AgentConfig', function () {
  this.timeout(30_000); // the first HCL parse loads the WebAssembly parser
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'h5-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  };

  it('001 the full HCL file equals the full JSON file, deep', async () => {
    const fromHcl = await loadAgentConfig({ env: {}, configPaths: [write('full.hcl', FULL_HCL)] });
    const fromJson = await loadAgentConfig({ env: {}, configPaths: [write('full.json', JSON.stringify(FULL_JSON))] });
    assert.deepEqual(fromHcl, fromJson);
    // and the values are what the HCL says, HCL 1 octal included
    assert.equal(fromHcl.autoAuth?.sinks[0]?.mode, 0o600);
    assert.equal(fromHcl.autoAuth?.sinks[1]?.mode, 0o640);
    assert.equal(fromHcl.vault.retry.numRetries, -1);
    assert.equal(fromHcl.autoAuth?.method.maxBackoffMs, 600_000);
    assert.deepEqual(fromHcl.templates[0]?.wait, { minMs: 2000, maxMs: 10_000 });
    assert.equal(fromHcl.templates[1]?.language, 'handlebars');
    assert.equal(fromHcl.apiProxy?.useAutoAuthToken, 'force');
    assert.equal(fromHcl.logLevel, 'debug');
  });

  it('002 JSON block spellings: method object vs list, template object vs list, labelled maps', () => {
    const base = { auto_auth: { sink: [TOKEN_SINK] } };
    const a = fromRaw({
      ...base,
      auto_auth: { ...base.auto_auth, method: { type: 'kubernetes', config: { role: 'r' } } },
      template: { destination: '/d', contents: 'x' },
      listener: [{ type: 'tcp', tls_disable: true }],
    });
    const b = fromRaw({
      ...base,
      auto_auth: { ...base.auto_auth, method: [{ kubernetes: [{ config: { role: 'r' } }] }] },
      template: [{ destination: '/d', contents: 'x' }],
      listener: { tcp: { tls_disable: true } },
    });
    assert.deepEqual(a, b);
    assert.equal(a.listeners[0]?.address, '127.0.0.1:8200');
  });

  it('003 a directory: *.hcl and *.json in name order, other files ignored; templates add up', async () => {
    write(
      'd/10-auth.hcl',
      'auto_auth {\n method "kubernetes" {\n config = { role = "app" }\n }\n sink "file" {\n config = { path = "/t" }\n }\n}\n',
    );
    write('d/20-templates.json', JSON.stringify({ template: [{ destination: '/b', contents: 'b' }] }));
    write('d/15-templates.hcl', 'template {\n destination = "/a"\n contents = "a"\n}\n');
    write('d/notes.txt', 'not a config');
    write('d/.hidden.hcl', 'this is not hcl {{{');
    const c = await loadAgentConfig({ env: {}, configPaths: [join(dir, 'd')] });
    assert.deepEqual(
      c.templates.map((t) => t.destination),
      ['/a', '/b'],
    );
    assert.equal(c.autoAuth?.method.kubernetes?.role, 'app');
  });

  it('004 invalid HCL is CONFIG_SYNTAX naming the file and line', async () => {
    const path = write('bad.hcl', 'vault {\n  address = \n}\n');
    const e = await asyncErrorOf(loadAgentConfig({ env: {}, configPaths: [path] }));
    assert.equal(e.code, 'CONFIG_SYNTAX');
    assert.equal(e.source, path);
    assert.match(e.message, /bad\.hcl:2/);
  });

  it('005 strings stay literal as in HCL 1: ${ }, %{ } and $${ } in contents and heredocs', async () => {
    const hcl = [
      'auto_auth {',
      '  method "kubernetes" {',
      '    config = { role = "app" }',
      '  }',
      '}',
      'template {',
      '  destination = "/a"',
      '  contents = "home=${ HOME } pct=%{ x } esc=$${y} {{ .z }}"',
      '}',
      'template {',
      '  destination = "/b"',
      '  contents = <<EOT',
      '${ HOME } %{ if } $${lit}',
      'EOT',
      '}',
    ].join('\n');
    const c = await loadAgentConfig({ env: {}, configPaths: [write('literal.hcl', hcl)] });
    assert.deepEqual(
      c.templates.map((t) => t.contents),
      ['home=${ HOME } pct=%{ x } esc=$${y} {{ .z }}', '${ HOME } %{ if } $${lit}\n'],
    );
  });

  it('006 an unquoted value is an error, as in HCL 1', async () => {
    const path = write('bare.hcl', 'pid_file = home\n');
    const e = await asyncErrorOf(loadAgentConfig({ env: {}, configPaths: [path] }));
    assert.deepEqual([e.code, e.key, e.source], ['CONFIG_SYNTAX', 'pid_file', path]);
  });

  it('007 unknown keys in HCL name the key path and the file', async () => {
    const path = write(
      'unknown.hcl',
      'vault {\n  adress = "x"\n}\nauto_auth {\n method "kubernetes" {\n config = { role = "a" }\n }\n sink "file" {\n config = { path = "/t" }\n }\n}\n',
    );
    const e = await asyncErrorOf(loadAgentConfig({ env: {}, configPaths: [path] }));
    assert.equal(e.code, 'CONFIG_UNKNOWN_KEY');
    assert.equal(e.key, 'vault.adress');
    assert.equal(e.source, path);
    assert.match(e.message, /unknown key "adress" in "vault"; allowed keys: address, ca_cert/);
  });
});

describe('agent config: toHcl2/fromHcl2 keep HCL 1 meanings', () => {
  const cases = [
    { name: 'octal mode', in: 'mode = 0640\n', out: 'mode = 416 \n' },
    { name: 'hex', in: 'x = 0x1F', out: 'x = 31  ' },
    { name: 'plain zero and decimals untouched', in: 'a = 0\nb = 10\nc = 0.5', out: 'a = 0\nb = 10\nc = 0.5' },
    { name: 'inside strings untouched', in: 'p = "0640"', out: 'p = "0640"' },
    {
      name: 'inside comments untouched',
      in: '# 0640\n// 0x10\n/* 0777 */ m = 0777',
      out: '# 0640\n// 0x10\n/* 0777 */ m = 511 ',
    },
    { name: 'inside heredocs untouched', in: 'c = <<EOT\n0640\nEOT\nm = 010', out: 'c = <<EOT\n0640\nEOT\nm = 8  ' },
    { name: 'identifiers untouched', in: 'a0640 = 1', out: 'a0640 = 1' },
    { name: 'template openers in strings escaped', in: 'c = "${ a } %{ b"', out: 'c = "$${ a } %%{ b"' },
    { name: 'escaped quotes do not end the string', in: 'c = "\\"${x}"', out: 'c = "\\"$${x}"' },
    {
      name: 'template openers in heredocs escaped',
      in: 'c = <<-EOT\n  ${x}\n  EOT\nm = 01',
      out: 'c = <<-EOT\n  $${x}\n  EOT\nm = 1 ',
    },
  ];
  cases.forEach((c, i) => {
    it(`${pad(i)} ${c.name}`, () => assert.equal(toHcl2(c.in), c.out));
  });
  it(`${pad(cases.length)} fromHcl2 unescapes every string, keys and lists included`, () => {
    assert.deepEqual(fromHcl2({ a: ['$${x}', '%%{y}', '$$${z}'], b: { c: 'plain' } }, 'f.hcl'), {
      a: ['${x}', '%{y}', '$${z}'],
      b: { c: 'plain' },
    });
  });
  it(`${pad(cases.length + 1)} fromHcl2 rejects what hcl2json made of an unquoted expression`, () => {
    const e = errorOf(() => fromHcl2({ auto_auth: [{ role: '${app}' }] }, 'f.hcl'));
    assert.deepEqual([e.code, e.key, e.source], ['CONFIG_SYNTAX', 'auto_auth[0].role', 'f.hcl']);
    assert.match(e.message, /is an unquoted expression \(app\); quote strings/);
  });
});

interface ErrorCase {
  readonly name: string;
  readonly raw: unknown;
  readonly code: ConfigErrorCode;
  readonly key?: string;
  readonly message: RegExp;
}

const withAuth = (extra: Record<string, unknown>, method: Record<string, unknown> = KUBE_METHOD) => ({
  auto_auth: { method, sink: [TOKEN_SINK] },
  ...extra,
});

const ERROR_CASES: ErrorCase[] = [
  {
    name: 'auto_auth with no sink, no template, no auto-auth proxy',
    raw: { auto_auth: { method: KUBE_METHOD } },
    code: 'CONFIG_INVALID',
    key: 'auto_auth',
    message: /^auto_auth requires at least one sink or at least one template or api_proxy\.use_auto_auth_token=true$/,
  },
  {
    name: 'cache with neither template nor listener',
    raw: withAuth({ cache: {} }),
    code: 'CONFIG_INVALID',
    key: 'cache',
    message: /^enabling the cache requires at least 1 template or 1 listener to be defined$/,
  },
  {
    name: 'nothing to do',
    raw: { vault: { address: 'http://x' } },
    code: 'CONFIG_INVALID',
    message: /^no auto_auth, cache, or listener block found in config$/,
  },
  {
    name: 'kubernetes without role',
    raw: withAuth({}, { type: 'kubernetes', config: {} }),
    code: 'CONFIG_MISSING',
    key: 'auto_auth.method.config.role',
    message: /auto_auth\.method\.config\.role is required for the kubernetes method/,
  },
  {
    name: 'approle without role_id_file_path',
    raw: withAuth({}, { type: 'approle', config: { secret_id_file_path: '/s' } }),
    code: 'CONFIG_MISSING',
    key: 'auto_auth.method.config.role_id_file_path',
    message: /role_id_file_path is required for the approle method/,
  },
  {
    name: 'jwt without path',
    raw: withAuth({}, { type: 'jwt', config: { role: 'r' } }),
    code: 'CONFIG_MISSING',
    key: 'auto_auth.method.config.path',
    message: /config\.path is required for the jwt method/,
  },
  {
    name: 'unsupported method type names the allowed ones',
    raw: withAuth({}, { type: 'aws', config: {} }),
    code: 'CONFIG_BAD_VALUE',
    key: 'auto_auth.method.type',
    message: /"aws" is not allowed; use one of "kubernetes", "approle", "jwt"/,
  },
  {
    name: 'unknown top-level key',
    raw: withAuth({ exit_after_auht: true }),
    code: 'CONFIG_UNKNOWN_KEY',
    key: 'exit_after_auht',
    message: /unknown key "exit_after_auht" at the top level; allowed keys: api_proxy, auto_auth/,
  },
  {
    name: 'unknown template key names the template index',
    raw: withAuth({ template: [{ destination: '/a', contents: 'x', destinaton: '/b' }] }),
    code: 'CONFIG_UNKNOWN_KEY',
    key: 'template[0].destinaton',
    message: /unknown key "destinaton" in "template\[0\]"/,
  },
  {
    name: 'exec is not supported',
    raw: withAuth({ exec: { command: ['x'] } }),
    code: 'CONFIG_UNSUPPORTED',
    key: 'exec',
    message: /exec\/env_template\) is not supported/,
  },
  {
    name: 'env_template is not supported',
    raw: withAuth({ env_template: { FOO: { contents: 'x' } } }),
    code: 'CONFIG_UNSUPPORTED',
    key: 'env_template',
    message: /not supported/,
  },
  {
    name: 'use_auto_auth_token with a bad value',
    raw: withAuth({ listener: [{ type: 'tcp', tls_disable: true }], api_proxy: { use_auto_auth_token: 'always' } }),
    code: 'CONFIG_BAD_VALUE',
    key: 'api_proxy.use_auto_auth_token',
    message: /use true, false or "force"/,
  },
  {
    name: 'bad duration',
    raw: withAuth({}, { ...KUBE_METHOD, min_backoff: 'soon' }),
    code: 'CONFIG_BAD_VALUE',
    key: 'auto_auth.method.min_backoff',
    message: /not a duration; use a Go duration such as "30s"/,
  },
  {
    name: 'bad bool type',
    raw: withAuth({ exit_after_auth: 'yes' }),
    code: 'CONFIG_BAD_VALUE',
    key: 'exit_after_auth',
    message: /"yes" is not a boolean; use true or false/,
  },
  {
    name: 'template without destination',
    raw: withAuth({ template: [{ contents: 'x' }] }),
    code: 'CONFIG_MISSING',
    key: 'template[0].destination',
    message: /template\[0\]\.destination is required/,
  },
  {
    name: 'template with source and contents',
    raw: withAuth({ template: [{ destination: '/a', contents: 'x', source: '/s' }] }),
    code: 'CONFIG_INVALID',
    key: 'template[0].contents',
    message: /set either source or contents, not both/,
  },
  {
    name: 'template engine',
    raw: withAuth({ template: [{ destination: '/a', contents: 'x', engine: 'jinja' }] }),
    code: 'CONFIG_BAD_VALUE',
    key: 'template[0].engine',
    message: /use one of "go", "handlebars"/,
  },
  {
    name: 'sink without path',
    raw: { auto_auth: { method: KUBE_METHOD, sink: [{ type: 'file', config: {} }] } },
    code: 'CONFIG_MISSING',
    key: 'auto_auth.sink[0].config.path',
    message: /config\.path is required for a file sink/,
  },
  {
    name: 'two methods',
    raw: { auto_auth: { method: [KUBE_METHOD, KUBE_METHOD], sink: [TOKEN_SINK] } },
    code: 'CONFIG_DUPLICATE_BLOCK',
    key: 'auto_auth.method',
    message: /exactly one "method" block is required, found 2/,
  },
  {
    name: 'two vault blocks (HCL form)',
    raw: withAuth({ vault: [{ address: 'a' }, { address: 'b' }] }),
    code: 'CONFIG_DUPLICATE_BLOCK',
    key: 'vault',
    message: /only one "vault" block is allowed/,
  },
  {
    name: 'listener without TLS files and without tls_disable',
    raw: withAuth({ listener: [{ type: 'tcp', address: '127.0.0.1:8200' }] }),
    code: 'CONFIG_MISSING',
    key: 'listener[0].tls_cert_file',
    message: /tls_cert_file and tls_key_file are required unless tls_disable = true/,
  },
  {
    name: 'listener role',
    raw: withAuth({ listener: [{ type: 'tcp', tls_disable: true, role: 'admin' }] }),
    code: 'CONFIG_BAD_VALUE',
    key: 'listener[0].role',
    message: /use one of "default", "metrics_only"/,
  },
  {
    name: 'disable_idle_connections value',
    raw: withAuth({ disable_idle_connections: ['templates'] }),
    code: 'CONFIG_BAD_VALUE',
    key: 'disable_idle_connections[0]',
    message: /use one of "auto-auth", "caching", "proxying", "templating"/,
  },
  {
    name: 'log_level value',
    raw: withAuth({ log_level: 'loud' }),
    code: 'CONFIG_BAD_VALUE',
    key: 'log_level',
    message: /use trace, debug, info, warn or error/,
  },
  {
    name: 'sink mode out of range',
    raw: { auto_auth: { method: KUBE_METHOD, sink: [{ type: 'file', config: { path: '/t', mode: 'rw' } }] } },
    code: 'CONFIG_BAD_VALUE',
    key: 'auto_auth.sink[0].config.mode',
    message: /not a file mode; use an octal string such as "0640"/,
  },
  {
    name: 'not an object',
    raw: ['a'],
    code: 'CONFIG_BAD_TYPE',
    message: /the configuration must be an object, got a list/,
  },
  {
    name: 'proxy token without auto_auth',
    raw: { listener: [{ type: 'tcp', tls_disable: true }], api_proxy: { use_auto_auth_token: true } },
    code: 'CONFIG_INVALID',
    key: 'api_proxy.use_auto_auth_token',
    message: /there is no auto_auth block/,
  },
];

describe('agent config: validation errors name the key and the allowed values', () => {
  ERROR_CASES.forEach((c, i) => {
    it(`${pad(i)} ${c.name}`, () => {
      const e = errorOf(() => fromRaw(c.raw));
      assert.equal(e.code, c.code);
      assert.equal(e.key, c.key);
      assert.match(e.message, c.message);
    });
  });
});

describe('agent config: numbers, env precedence and merging', () => {
  it('001 retry.num_retries: unset 12, 0 → 12, -1 stays (disabled), 3 stays', () => {
    const n = (retry?: number) =>
      fromRaw(withAuth({ vault: retry === undefined ? {} : { retry: { num_retries: retry } } })).vault.retry.numRetries;
    assert.deepEqual([n(), n(0), n(-1), n(3)], [12, 12, -1, 3]);
  });

  it('002 durations: Go strings, seconds (number or integer string), days', () => {
    const ms = (v: unknown) =>
      fromRaw(withAuth({}, { ...KUBE_METHOD, min_backoff: '100ms', max_backoff: v })).autoAuth?.method.maxBackoffMs;
    assert.deepEqual(
      [ms('1m30s'), ms(90), ms('90'), ms('250ms'), ms('1d'), ms(1.5)],
      [90_000, 90_000, 90_000, 250, 86_400_000, 1500],
    );
  });

  it('003 use_auto_auth_token: true/false/"force"/"true"/"false"', () => {
    const mode = (v: unknown) =>
      fromRaw(withAuth({ listener: [{ type: 'tcp', tls_disable: true }], api_proxy: { use_auto_auth_token: v } }))
        .apiProxy?.useAutoAuthToken;
    assert.deepEqual(
      [mode(true), mode(false), mode('force'), mode('FORCE'), mode('true'), mode('false')],
      [true, false, 'force', 'force', true, false],
    );
  });

  it('004 log level/format: flag > VAULT_LOG_* > config > default', async () => {
    const raw = withAuth({ log_level: 'warn', log_format: 'json' });
    assert.deepEqual(pick(fromRaw(raw)), ['warn', 'json']);
    assert.deepEqual(pick(fromRaw(raw, { VAULT_LOG_LEVEL: 'trace', VAULT_LOG_FORMAT: 'standard' })), [
      'trace',
      'standard',
    ]);
    const c = await loadAgentConfig({
      env: { VAULT_CONFIG: b64(raw), VAULT_LOG_LEVEL: 'trace' },
      logLevelFlag: 'ERR',
    });
    assert.deepEqual(pick(c), ['error', 'json']);
    assert.deepEqual(pick(fromRaw(withAuth({}))), ['info', 'standard']);
    const e = errorOf(() => fromRaw(raw, { VAULT_LOG_FORMAT: 'xml' }));
    assert.deepEqual([e.code, e.key, e.source], ['CONFIG_BAD_VALUE', 'VAULT_LOG_FORMAT', 'environment']);
  });

  it('005 VAULT_AGENT_DISABLE_IDLE_CONNECTIONS / _KEEP_ALIVES override the config lists', () => {
    const raw = withAuth({ disable_idle_connections: ['templating'], disable_keep_alives: ['caching'] });
    const c = fromRaw(raw, {
      VAULT_AGENT_DISABLE_IDLE_CONNECTIONS: 'auto-auth,proxying',
      VAULT_AGENT_DISABLE_KEEP_ALIVES: '',
    });
    assert.deepEqual([...c.disableIdleConnections], ['auto-auth', 'proxying']);
    assert.deepEqual([...c.disableKeepAlives], ['caching']);
  });

  it('006 VAULT_CONFIG then -config files: later blocks win, templates add up, exit_after_auth ORs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'h5-merge-'));
    try {
      const file = join(dir, 'extra.json');
      writeFileSync(
        file,
        JSON.stringify({
          vault: { address: 'http://override:8200' },
          exit_after_auth: false,
          template: [{ destination: '/extra', contents: 'x' }],
        }),
      );
      const c = await loadAgentConfig({ env: { VAULT_CONFIG: b64(INIT_CONFIG) }, configPaths: [file] });
      assert.equal(c.vault.address, 'http://override:8200');
      assert.deepEqual(
        c.templates.map((t) => t.destination),
        ['/vault/secrets/db', '/extra'],
      );
      assert.equal(c.exitAfterAuth, true);
      assert.equal(c.autoAuth?.method.kubernetes?.role, 'app');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('007 no configuration at all, bad base64, unreadable path', async () => {
    assert.equal((await asyncErrorOf(loadAgentConfig({ env: {} }))).code, 'CONFIG_NONE');
    const bad = await asyncErrorOf(loadAgentConfig({ env: { VAULT_CONFIG: 'bm90IGpzb24=' } }));
    assert.deepEqual([bad.code, bad.source], ['CONFIG_SYNTAX', 'VAULT_CONFIG']);
    const missing = await asyncErrorOf(loadAgentConfig({ env: {}, configPaths: ['/nonexistent/h5/agent.hcl'] }));
    assert.deepEqual([missing.code, missing.source], ['CONFIG_READ', '/nonexistent/h5/agent.hcl']);
  });

  it('008 template perms: unset keeps "unset" (0644 effective), "0" also unset, "0600" set', () => {
    const perms = (p?: unknown) => {
      const [t] = fromRaw(withAuth({ template: [{ destination: '/a', contents: 'x', perms: p }] })).templates;
      return [t?.perms.toString(8), t?.permsSet];
    };
    assert.deepEqual(
      [perms(), perms('0'), perms('0600'), perms(420)],
      [
        ['644', false],
        ['644', false],
        ['600', true],
        ['644', true],
      ],
    );
  });
});

describe('agent config: log file settings', () => {
  it('001 log_file and log_rotate_* are carried, typed', () => {
    const c = fromRaw(
      withAuth({
        log_file: '/tmp/agent.log',
        log_rotate_bytes: 1048576,
        log_rotate_duration: '24h',
        log_rotate_max_files: '3',
      }),
    );
    assert.equal(c.logFile, '/tmp/agent.log');
    assert.deepEqual(c.logRotate, { bytes: 1_048_576, durationMs: 86_400_000, maxFiles: 3 });
    assert.equal(fromRaw(withAuth({})).logRotate, undefined);
  });
});

function pick(c: AgentConfig): [string, string] {
  return [c.logLevel, c.logFormat];
}
