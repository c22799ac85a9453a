// Interop both ways (issue 4): the VAULT_CONFIG our webhook generates (the same JSON vault-k8s generates, spec §4)
// runs in our agent against a real Vault and kube-apiserver, and HashiCorp's Vault Agent and ours render
// byte-identical files from it for a golden secret set.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mutate } from '../webhook/src/core/mutate.js';
import type { Pod } from '../webhook/src/core/pod-types.js';
import { injectorConfig, prefixed } from '../webhook/src/core/test-fixtures.js';
import { type Cluster, startCluster } from './bed/cluster.js';
import { httpCall } from './bed/http.js';
import { describeExit, ManagedProcess, runToCompletion } from './bed/processes.js';
import { agentImageArgv } from './bed/stack.js';
import { waitFor } from './bed/time.js';
import { makeTempDir, removeDir } from './bed/tmp.js';
import {
  enableKubernetesAuth,
  enablePki,
  startVaultServer,
  type VaultServer,
  writePolicy,
} from './bed/vault-server.js';
import { bedBinaries } from './hooks.js';

/** The generated agent configuration, only the parts this test reads or relocates. */
interface AgentConfigJson {
  auto_auth: {
    method: { type: string; mount_path: string; config: Record<string, string> };
    sink: { type: string; config: { path: string } }[];
  };
  exit_after_auth: boolean;
  pid_file: string;
  vault: { address: string };
  template: { destination: string; contents?: string; source?: string; perms?: string; command?: string }[];
  [key: string]: unknown;
}

const NAMESPACE = 'apps';
const SERVICE_ACCOUNT = 'app';

// Raw JSON bodies: Vault keeps number lexemes (1.50, 9007199254740993) only if they reach it as written.
const KV2_APP =
  '{"data":{"username":"app","password":"s3cr3t","html":"<a&b>","count":3600,"ratio":1.50,"arr":["x","y"],"obj":{"k":"v","j":1},"nul":null,"t":true,"empty":""}}';
const KV1_NUMBERS = '{"price":1.50,"big":9007199254740993,"ttl":3600,"neg":-2.0,"exp":1e3,"name":"n"}';

const PKI_TEMPLATE =
  '{{- with pkiCert "pki/issue/example-dot-com" "common_name=app.example.com" "ttl=1h" -}}{{ .Cert }}{{ .Key }}{{ .CA }}{{- end }}';

/** The golden set (pod annotations without the `vault.hashicorp.com/` prefix); one pod per default template kind. */
const GOLDEN_PODS: Record<string, Record<string, string>> = {
  'map-default': {
    'agent-inject-secret-kv2-map': 'secret/golden/app',
    'agent-inject-secret-kv1-map': 'kv/numbers',
    'agent-inject-secret-fields': 'secret/golden/app',
    'agent-inject-template-fields': [
      '{{- with secret "secret/golden/app" -}}',
      'user={{ .Data.data.username }}',
      'count={{ .Data.data.count }} ratio={{ .Data.data.ratio }}',
      'missing={{ .Data.data.nope }} null={{ .Data.data.nul }} empty=[{{ .Data.data.empty }}]',
      'whole={{ .Data.data }}',
      '{{ range $k, $v := .Data.data }}{{ $k }}={{ $v }}',
      '{{ end -}}',
      '{{- end }}',
    ].join('\n'),
    'agent-inject-template-json': [
      '{{ with secret "secret/golden/app" }}{{ .Data.data | toJSON }}',
      '{{ .Data.data | toJSONPretty }}',
      '{{ .Data.metadata.version }} {{ .Data.metadata.destroyed }}{{ end }}',
    ].join('\n'),
    'agent-inject-template-kv1-numbers': [
      '{{ with secret "kv/numbers" }}{{ .Data.price }} {{ .Data.big }} {{ .Data.ttl }} {{ .Data.neg }} {{ .Data.exp }}',
      '{{ .Data | toJSON }}',
      '{{ .Data | toJSONPretty }}',
      '{{ printf "%v|%s|%q" .Data.price .Data.big .Data.ttl }} {{ len .Data.big }} {{ eq .Data.ttl "3600" }}',
      '{{ range $k, $v := .Data }}{{ $k }}:{{ $v }};{{ end }}{{ end }}',
    ].join('\n'),
    'agent-inject-template-list': [
      '{{ range secrets "secret/golden/" }}{{ . }}',
      '{{ end }}{{ secrets "secret/golden" | toJSON }} {{ len (secrets "secret/golden/") }}',
    ].join('\n'),
    'agent-inject-template-pki': PKI_TEMPLATE,
    'agent-inject-template-delims':
      '[[ with secret "secret/golden/app" ]]u=[[ .Data.data.username ]] {{ literal }}[[ end ]]',
    'agent-template-left-delim-delims': '[[',
    'agent-template-right-delim-delims': ']]',
    'agent-inject-template-strict':
      '{{ with secret "secret/golden/app" }}{{ .Data.data.username }}:{{ index .Data.data "nope" }}:{{ .Data.data.nul }}{{ end }}',
    'error-on-missing-key-strict': 'true',
    'agent-inject-template-funcs': [
      '{{ with secret "secret/golden/app" -}}',
      '{{ printf "%s-%s-%d-%5.2f" .Data.data.username .Data.data.password 42 3.14159 }}',
      '{{ .Data.data.username | toUpper }} {{ "MiXeD" | toLower }}',
      '{{ .Data.data.password | base64Encode }} {{ "czNjcjN0" | base64Decode }}',
      '{{ .Data.data.password | sha256Hex }}',
      '{{ "a, b ,c" | split "," | join ";" }} {{ "" | split "," | len }}',
      '{{ .Data.data.html }} {{ .Data.data.html | toJSON }} {{ .Data.data.arr }} {{ .Data.data.obj }} {{ .Data.data.t }}',
      '{{- end }}',
    ].join('\n'),
    'agent-inject-perms-funcs': '0640',
    'agent-inject-command-funcs': 'echo rendered >> command.log',
    'agent-inject-secret-envfile': 'secret/golden/app',
    'agent-inject-template-envfile':
      '{{ with secret "secret/golden/app" }}export USER="{{ .Data.data.username }}"{{ end }}\n',
    'secret-volume-path-envfile': '/etc/app',
    'agent-inject-file-envfile': 'config/.env',
    'agent-inject-template-file-fromfile': 'templates/from-file.ctmpl',
  },
  // Beyond the brief's list: formatting and functions where a re-implementation most easily drifts.
  extras: {
    'agent-inject-template-printf': [
      '{{ with secret "kv/numbers" -}}',
      '{{ printf "%v %s %q %x %d" .Data.price .Data.price .Data.price .Data.name .Data.ttl }}',
      '{{ printf "[%-6s][%6s][%08.3f][%+d][%t][%5.1f%%]" "ab" "cd" 3.14159 7 true 99.44 }}',
      '{{ printf "%v" .Data }}',
      '{{ printf "%v %d %s" 1 2 }}',
      '{{- end }}',
    ].join('\n'),
    'agent-inject-template-parse': [
      '{{ with secret "kv/numbers" -}}',
      '{{ $j := printf "{\\"a\\":%s,\\"b\\":%s,\\"c\\":[1,\\"x\\"]}" .Data.big .Data.price | parseJSON }}{{ $j.a }} {{ $j.b }} {{ $j.c }} {{ $j | toJSON }}',
      '{{ "" | parseJSON }} {{ "true" | parseBool }} {{ "42" | parseInt }} {{ "1.25" | parseFloat }}',
      '{{- end }}',
    ].join('\n'),
    'agent-inject-template-strings': [
      '{{ with secret "secret/golden/app" -}}',
      '{{ "  x y  " | trimSpace }}|{{ "a-b-c" | replaceAll "-" "_" }}|{{ "hello world" | toTitle }}',
      '{{ "a1b22c333" | regexReplaceAll "[0-9]+" "#" }} {{ "abc" | regexMatch "^a" }}',
      '{{ "??>>" | base64URLEncode }} {{ "s3cr3t" | md5sum }} {{ hmacSHA256Hex "msg" "key" }}',
      '{{ .Data.data.arr | contains "x" }} {{ "x" | in .Data.data.arr }} {{ "a,b" | split "," | toJSON }}',
      '{{ .Data.data | toUnescapedJSON }}',
      '{{ .Data.data.obj | toYAML }}',
      '{{ "line1\\nline2" | indent 4 }}',
      '{{ index .Data.data.arr 1 }} {{ len .Data.data }} {{ and .Data.data.t "" }} {{ or .Data.data.empty "dflt" }}',
      '{{ if eq .Data.data.username "app" }}eq{{ else }}ne{{ end }} {{ not .Data.data.empty }}',
      '{{ range $i, $e := .Data.data.arr }}{{ $i }}:{{ $e }} {{ end }}',
      '{{ sprig_upper "s" }} {{ sprig_trunc 3 "abcdef" }} {{ sprig_default "d" "" }} {{ sprig_b64enc "x" }}',
      '{{- end }}',
    ].join('\n'),
  },
  'json-default': {
    'agent-inject-default-template': 'json',
    'agent-inject-secret-kv2-json': 'secret/golden/app',
    'agent-inject-secret-kv1-json': 'kv/numbers',
  },
};

/** Template files named by `agent-inject-template-file-*` (relative: both agents read them from their working dir). */
const TEMPLATE_FILES: Record<string, string> = {
  'templates/from-file.ctmpl': '{{ with secret "kv/numbers" }}{{ .Data.name }}={{ .Data.price }}{{ end }}\n',
};

/** Files whose bytes differ per fetch by design: compared by structure. */
const STRUCTURAL = new Set(['/vault/secrets/pki']);

function agentPod(annotations: Record<string, string>): Pod {
  return {
    metadata: {
      name: 'interop',
      namespace: NAMESPACE,
      annotations: prefixed({ 'agent-inject': 'true', role: 'interop', ...annotations }),
    },
    // The projected token volume the API server's admission adds; the webhook finds the token path through it.
    spec: {
      serviceAccountName: SERVICE_ACCOUNT,
      volumes: [{ name: 'kube-api-access-x1', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }],
      containers: [
        {
          name: 'app',
          image: 'app:1',
          volumeMounts: [
            { name: 'kube-api-access-x1', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
          ],
        },
      ],
    },
  } as Pod;
}

/** Both VAULT_CONFIGs (init and sidecar) our webhook's pure pipeline puts into the pod. */
function generatedConfigs(vaultAddr: string, annotations: Record<string, string>) {
  const result = mutate(agentPod(annotations), NAMESPACE, injectorConfig({ vaultAddress: vaultAddr }));
  assert.equal(result.kind, 'inject', JSON.stringify(result));
  if (result.kind !== 'inject') throw new Error('not injected');
  const decode = (name: string): AgentConfigJson => {
    const all = [...(result.pod.spec?.initContainers ?? []), ...(result.pod.spec?.containers ?? [])];
    const container = all.find((c) => c.name === name);
    const value = container?.env?.find((e) => e.name === 'VAULT_CONFIG')?.value;
    assert.ok(value, `${name} has VAULT_CONFIG`);
    return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as AgentConfigJson;
  };
  return { init: decode('vault-agent-init'), sidecar: decode('vault-agent') };
}

/**
 * The same configuration with every absolute file path (token_path, sinks, pid_file, destinations) moved under
 * `root`, as if `root` were the container's filesystem. Nothing else changes; the test checks that.
 */
function relocated(config: AgentConfigJson, root: string): AgentConfigJson {
  const out = structuredClone(config);
  const move = (p: string) => (p.startsWith('/') ? join(root, p) : p);
  out.auto_auth.method.config.token_path = move(out.auto_auth.method.config.token_path ?? '');
  for (const s of out.auto_auth.sink) s.config.path = move(s.config.path);
  out.pid_file = move(out.pid_file);
  for (const t of out.template) t.destination = move(t.destination);
  return out;
}

/** A root with the service-account token and the template files in place, and the relocated config written. */
function prepareRoot(
  root: string,
  config: AgentConfigJson,
  token: string,
): { configFile: string; config: AgentConfigJson } {
  const moved = relocated(config, root);
  const tokenPath = moved.auto_auth.method.config.token_path ?? '';
  mkdirSync(dirname(tokenPath), { recursive: true });
  writeFileSync(tokenPath, token);
  for (const s of moved.auto_auth.sink) mkdirSync(dirname(s.config.path), { recursive: true });
  for (const [rel, text] of Object.entries(TEMPLATE_FILES)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  const configFile = join(root, 'config.json');
  writeFileSync(configFile, JSON.stringify(moved, null, 2));
  return { configFile, config: moved };
}

const agentEnv = (root: string) => ({ PATH: process.env.PATH, HOME: root });

/** `okCodes` lets a test expect a failure; by default anything but exit 0 throws with the output. */
async function runVaultAgent(bin: string, root: string, configFile: string, okCodes?: readonly number[]) {
  return runToCompletion({
    name: 'vault agent (HashiCorp)',
    command: bin,
    args: ['agent', `-config=${configFile}`],
    env: agentEnv(root),
    cwd: root,
    timeoutMs: 60_000,
    okCodes,
  });
}

async function runOurAgent(root: string, configFile: string, okCodes?: readonly number[]) {
  const [node, ...args] = agentImageArgv();
  return runToCompletion({
    name: 'vault-injector agent',
    command: node ?? process.execPath,
    args: [...args, 'agent', `-config=${configFile}`],
    env: agentEnv(root),
    cwd: root,
    timeoutMs: 60_000,
    okCodes,
  });
}

interface PemBlock {
  readonly type: string;
  readonly der: Buffer;
}

function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(/-----BEGIN ([A-Z ]+)-----\r?\n([\s\S]*?)-----END \1-----/g)) {
    out.push({ type: m[1] ?? '', der: Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64') });
  }
  return out;
}

/** What a pkiCert file must agree on between the two agents: block kinds in order, names, issuer, CA bytes, key pair. */
function pkiShape(text: string) {
  const blocks = pemBlocks(text);
  const certs = blocks.filter((b) => b.type === 'CERTIFICATE').map((b) => new X509Certificate(b.der));
  return {
    types: blocks.map((b) => b.type),
    subjects: certs.map((c) => c.subject),
    issuers: certs.map((c) => c.issuer),
    ca: certs.filter((c) => c.ca).map((c) => c.fingerprint256),
    leafMatchesKey: blocks.some(
      (b) =>
        b.type.endsWith('PRIVATE KEY') &&
        certs.some((c) => !c.ca && c.checkPrivateKey(createPrivateKey({ key: b.der, format: 'der', type: 'pkcs1' }))),
    ),
    endsWithNewline: text.endsWith('\n'),
  };
}

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('agent interop: generated configs, our agent and HashiCorp Vault Agent', () => {
  let cluster: Cluster;
  let vault: VaultServer;
  let dir: string;

  before(async function () {
    this.timeout(240_000);
    const bins = bedBinaries();
    cluster = await startCluster({ etcd: bins.etcd, kubeApiserver: bins.kubeApiserver });
    vault = await startVaultServer(bins.vault);
    await cluster.admin.ensureNamespace(NAMESPACE);
    await cluster.admin.ensureServiceAccount(NAMESPACE, SERVICE_ACCOUNT);
    await enableKubernetesAuth(vault.root, cluster);
    await writePolicy(
      vault.root,
      'interop',
      [
        'path "secret/data/golden*" { capabilities = ["read"] }',
        'path "secret/metadata/golden*" { capabilities = ["read", "list"] }',
        'path "kv/*" { capabilities = ["read"] }',
        'path "pki/issue/*" { capabilities = ["create", "update"] }',
      ].join('\n'),
    );
    await vault.root.write('auth/kubernetes/role/interop', {
      bound_service_account_names: [SERVICE_ACCOUNT],
      bound_service_account_namespaces: [NAMESPACE],
      token_policies: ['interop'],
      token_ttl: '1h',
    });
    await vault.root.write('sys/mounts/kv', { type: 'kv', options: { version: '1' } });
    const raw = async (path: string, body: string) => {
      const res = await httpCall({
        url: `${vault.addr}/v1/${path}`,
        method: 'POST',
        body,
        headers: { 'x-vault-token': vault.rootToken, 'content-type': 'application/json' },
        timeoutMs: 10_000,
      });
      assert.ok(res.status < 300, `${path}: HTTP ${res.status} ${res.text}`);
    };
    await raw('secret/data/golden/app', KV2_APP);
    await raw('secret/data/golden/db', '{"data":{"u":"d"}}');
    await raw('secret/data/golden/nested/leaf', '{"data":{"u":"n"}}');
    await raw('kv/numbers', KV1_NUMBERS);
    await enablePki(vault.root);
  });

  after(async function () {
    this.timeout(60_000);
    await vault?.stop();
    await cluster?.stop();
  });

  beforeEach(() => {
    dir = makeTempDir('agent-interop');
  });

  afterEach(() => {
    removeDir(dir);
  });

  const saToken = async () =>
    (await cluster.admin.createToken(NAMESPACE, SERVICE_ACCOUNT, { expirationSeconds: 600 })).token;

  it('001 the generated configs differ from each other only where vault-k8s says, and relocation moves paths only', () => {
    const { init, sidecar } = generatedConfigs(vault.addr, GOLDEN_PODS['map-default'] ?? {});
    assert.equal(init.exit_after_auth, true);
    assert.equal(sidecar.exit_after_auth, false);
    assert.deepEqual({ ...init, exit_after_auth: false }, sidecar);
    assert.equal(init.vault.address, vault.addr);
    assert.deepEqual(init.auto_auth.method, {
      type: 'kubernetes',
      mount_path: 'auth/kubernetes',
      config: { role: 'interop', token_path: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
    });
    const moved = relocated(init, '/r');
    const strip = (c: AgentConfigJson) => ({
      ...c,
      pid_file: '',
      auto_auth: { method: { ...c.auto_auth.method, config: { ...c.auto_auth.method.config, token_path: '' } } },
      template: c.template.map((t) => ({ ...t, destination: '' })),
    });
    assert.deepEqual(strip(moved), strip(init));
    assert.deepEqual(
      moved.template.map((t) => t.destination),
      init.template.map((t) => `/r${t.destination}`),
    );
  });

  for (const [podName, annotations] of Object.entries(GOLDEN_PODS)) {
    it(`002 ${podName}: Vault Agent and our agent render byte-identical files from the init config`, async function () {
      this.timeout(150_000);
      const { init } = generatedConfigs(vault.addr, annotations);
      const token = await saToken();
      const theirsRoot = join(dir, 'vault-agent');
      const oursRoot = join(dir, 'ours');
      const theirs = prepareRoot(theirsRoot, init, token);
      const ours = prepareRoot(oursRoot, init, token);
      const theirRun = await runVaultAgent(bedBinaries().vault, theirsRoot, theirs.configFile);
      const ourRun = await runOurAgent(oursRoot, ours.configFile);
      const logs = `--- Vault Agent log ---\n${theirRun.output}\n--- our agent log ---\n${ourRun.output}`;

      const differences: string[] = [];
      for (const [i, t] of init.template.entries()) {
        const theirFile = theirs.config.template[i]?.destination ?? '';
        const ourFile = ours.config.template[i]?.destination ?? '';
        if (!existsSync(theirFile) || !existsSync(ourFile)) {
          differences.push(
            `${t.destination}: Vault Agent wrote: ${existsSync(theirFile)}, ours: ${existsSync(ourFile)}`,
          );
          continue;
        }
        const a = readFileSync(theirFile, 'utf8');
        const b = readFileSync(ourFile, 'utf8');
        if (STRUCTURAL.has(t.destination)) {
          const shape = pkiShape(a);
          assert.deepEqual(
            shape.types,
            ['CERTIFICATE', 'RSA PRIVATE KEY', 'CERTIFICATE'],
            `Vault Agent's ${t.destination}`,
          );
          assert.ok(shape.leafMatchesKey, `Vault Agent's ${t.destination}: the key belongs to the leaf`);
          if (JSON.stringify(pkiShape(b)) !== JSON.stringify(shape))
            differences.push(
              `${t.destination} (structure):\n  Vault Agent: ${JSON.stringify(shape)}\n  ours:        ${JSON.stringify(pkiShape(b))}`,
            );
        } else if (a !== b) {
          differences.push(`${t.destination}:\n--- Vault Agent ---\n${a}\n--- ours ---\n${b}\n--- end ---`);
        }
        if (modeOf(theirFile) !== modeOf(ourFile))
          differences.push(`${t.destination}: mode ${modeOf(theirFile)} (Vault Agent) vs ${modeOf(ourFile)} (ours)`);
      }
      const commandLog = (root: string) => {
        const p = join(root, 'command.log');
        return existsSync(p) ? readFileSync(p, 'utf8') : '(no command.log)';
      };
      if (commandLog(theirsRoot) !== commandLog(oursRoot))
        differences.push(
          `command.log: ${JSON.stringify(commandLog(theirsRoot))} vs ${JSON.stringify(commandLog(oursRoot))}`,
        );
      for (const [i, sink] of theirs.config.auto_auth.sink.entries()) {
        const mine = ours.config.auto_auth.sink[i]?.config.path ?? '';
        if (modeOf(sink.config.path) !== modeOf(mine))
          differences.push(`sink ${i}: mode ${modeOf(sink.config.path)} (Vault Agent) vs ${modeOf(mine)} (ours)`);
      }
      assert.deepEqual(differences, [], `${differences.join('\n')}\n${logs}`);
      // The files hold real data, not an empty render both got wrong the same way.
      const rendered = theirs.config.template.map((t) => readFileSync(t.destination, 'utf8')).join('');
      assert.match(rendered, /app|s3cr3t|1\.50/);
    });
  }

  const FAILING: Record<string, { annotations: Record<string, string>; error: string; fewerRetries?: boolean }> = {
    'error_on_missing_key with a missing key': {
      annotations: {
        'agent-inject-template-strict': '{{ with secret "secret/golden/app" }}{{ .Data.data.nope }}{{ end }}',
        'error-on-missing-key-strict': 'true',
      },
      error: 'map has no entry for key \\"nope\\"',
    },
    'a Go parse error': {
      annotations: { 'agent-inject-template-broken': '{{ with secret "secret/golden/app" }}{{ .Data.data.username }}' },
      error: 'unexpected EOF',
    },
    'a secret that does not exist': {
      annotations: { 'agent-inject-secret-absent': 'kv/absent' },
      error: 'no secret exists at kv/absent',
      fewerRetries: true,
    },
  };
  for (const [what, c] of Object.entries(FAILING)) {
    it(`003 ${what}: both agents fail in init mode, write nothing, and say why`, async function () {
      this.timeout(150_000);
      const { init } = generatedConfigs(vault.addr, c.annotations);
      // A missing secret is retried before the runner gives up (exit_on_retry_failure is true in injector configs);
      // 12 retries with backoff take minutes, so that case alone adds `vault.retry.num_retries = 1` for both agents.
      const config: AgentConfigJson = c.fewerRetries
        ? { ...init, vault: { ...init.vault, retry: { num_retries: 1 } } as AgentConfigJson['vault'] }
        : init;
      const token = await saToken();
      const theirs = prepareRoot(join(dir, 'vault-agent'), config, token);
      const ours = prepareRoot(join(dir, 'ours'), config, token);
      const theirRun = await runVaultAgent(bedBinaries().vault, join(dir, 'vault-agent'), theirs.configFile, [1, 2]);
      const ourRun = await runOurAgent(join(dir, 'ours'), ours.configFile, [1, 2]);
      assert.equal(ourRun.code, theirRun.code, `exit codes\n${theirRun.output}\n---\n${ourRun.output}`);
      for (const run of [theirRun, ourRun]) assert.ok(run.output.includes(c.error), run.output);
      for (const t of [...theirs.config.template, ...ours.config.template])
        assert.equal(existsSync(t.destination), false, `${t.destination} must not be written`);
    });
  }

  it('004 our agent runs the sidecar config: renders what init rendered, keeps running, stops cleanly on SIGTERM', async function () {
    this.timeout(120_000);
    const { init, sidecar } = generatedConfigs(vault.addr, GOLDEN_PODS['map-default'] ?? {});
    const token = await saToken();
    const initRoot = join(dir, 'init');
    const sideRoot = join(dir, 'sidecar');
    const initSetup = prepareRoot(initRoot, init, token);
    await runOurAgent(initRoot, initSetup.configFile);
    const side = prepareRoot(sideRoot, sidecar, token);
    const [node, ...args] = agentImageArgv();
    const proc = new ManagedProcess({
      name: 'vault-injector agent (sidecar)',
      command: node ?? process.execPath,
      args: [...args, 'agent', `-config=${side.configFile}`],
      env: agentEnv(sideRoot),
      cwd: sideRoot,
    });
    try {
      const comparable = side.config.template
        .map((t, i) => ({ side: t.destination, init: initSetup.config.template[i]?.destination ?? '' }))
        .filter((_, i) => !STRUCTURAL.has(init.template[i]?.destination ?? ''));
      await waitFor(
        'every sidecar file to match the init render',
        () => {
          if (!proc.running) throw new Error(`the sidecar agent exited\n${proc.tail(40)}`);
          return comparable.every(
            (f) => existsSync(f.side) && readFileSync(f.side, 'utf8') === readFileSync(f.init, 'utf8'),
          )
            ? true
            : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      assert.ok(existsSync(side.config.pid_file), 'pid file written');
      assert.ok(proc.running, 'the sidecar keeps running after rendering');
      proc.signal('SIGTERM');
      const status = await proc.exited;
      assert.equal(status.code, 0, `${describeExit(status)}\n${proc.tail(40)}`);
    } finally {
      await proc.stop({ graceMs: 2000 });
    }
  });
  it('005 ours only: agent-inject-engine-<name>: handlebars renders with the same Vault helpers', async function () {
    this.timeout(120_000);
    const { init } = generatedConfigs(vault.addr, {
      'agent-image': 'vault-injector/agent:0.1.0',
      'agent-inject-secret-hb': 'secret/golden/app',
      'agent-inject-engine-hb': 'handlebars',
      'agent-inject-template-hb': [
        '{{#with (secret "secret/golden/app")}}user={{Data.data.username}} ratio={{Data.data.ratio}}',
        'html={{Data.data.html}}{{/with}}',
        '{{#each (secrets "secret/golden")}}[{{this}}]{{/each}}',
      ].join('\n'),
      'agent-inject-secret-go': 'secret/golden/app',
      'agent-inject-template-go': '{{ with secret "secret/golden/app" }}user={{ .Data.data.username }}{{ end }}',
    });
    const hb = init.template.find((t) => t.destination.endsWith('/hb'));
    assert.equal((hb as { engine?: string } | undefined)?.engine, 'handlebars', 'the webhook writes the engine key');
    const root = join(dir, 'hb');
    const setup = prepareRoot(root, init, await saToken());
    await runOurAgent(root, setup.configFile);
    const dest = (suffix: string) =>
      setup.config.template.find((t) => t.destination.endsWith(suffix))?.destination ?? '';
    // Files are not HTML: no escaping; numbers keep their lexeme; lists are sorted.
    assert.equal(readFileSync(dest('/hb'), 'utf8'), 'user=app ratio=1.5\nhtml=<a&b>\n[app][db][nested/]');
    assert.equal(readFileSync(dest('/go'), 'utf8'), 'user=app');
  });
  it('006 ours only: the agent-configmap route — an HCL config file renders like its JSON twin', async function () {
    this.timeout(120_000);
    const { init } = generatedConfigs(vault.addr, {
      'agent-inject-secret-app': 'secret/golden/app',
      'agent-inject-template-app':
        '{{ with secret "secret/golden/app" }}{{ .Data.data.username }}:{{ .Data.data.ratio }}{{ end }}',
    });
    const root = join(dir, 'hcl');
    const setup = prepareRoot(root, init, await saToken());
    const c = setup.config;
    const t = c.template[0];
    assert.ok(t, 'one template');
    const hcl = [
      'exit_after_auth = true',
      `pid_file = ${JSON.stringify(c.pid_file)}`,
      `vault {\n  address = ${JSON.stringify(vault.addr)}\n}`,
      'auto_auth {',
      '  method "kubernetes" {',
      `    mount_path = ${JSON.stringify(c.auto_auth.method.mount_path)}`,
      '    config = {',
      `      role = ${JSON.stringify(c.auto_auth.method.config.role)}`,
      `      token_path = ${JSON.stringify(c.auto_auth.method.config.token_path)}`,
      '    }',
      '  }',
      `  sink "file" {\n    config = {\n      path = ${JSON.stringify(c.auto_auth.sink[0]?.config.path)}\n    }\n  }`,
      '}',
      'template {',
      `  destination = ${JSON.stringify(t.destination)}`,
      `  contents = ${JSON.stringify(t.contents)}`,
      '  perms = 0640',
      '}',
    ].join('\n');
    const hclFile = join(root, 'config.hcl');
    writeFileSync(hclFile, hcl);
    await runOurAgent(root, hclFile);
    assert.equal(readFileSync(t.destination, 'utf8'), 'app:1.5');
    // HCL 1's octal 0640 stays octal, as Vault Agent reads it.
    assert.equal(modeOf(t.destination), '640');
  });
  it("007 agent-cache-enable: the sidecar takes over the init container's token through the persistent cache", async function () {
    this.timeout(120_000);
    const { init, sidecar } = generatedConfigs(vault.addr, {
      'agent-inject-secret-app': 'secret/golden/app',
      'agent-cache-enable': 'true',
    });
    const cache = init.cache as { persist?: { type: string; path: string } } | undefined;
    assert.equal(cache?.persist?.type, 'kubernetes', 'the webhook writes cache.persist for agent-cache-enable');
    // one pod: init and sidecar share the token file, the sink volume and the cache volume, as in a real pod
    const token = await saToken();
    const podRoot = join(dir, 'pod');
    const inPod = (config: AgentConfigJson): AgentConfigJson => {
      const c = structuredClone(config);
      (c.cache as { persist: { path: string } }).persist.path = join(podRoot, '/vault/agent-cache');
      // the listener port the webhook picks (8200) may be taken on this machine
      c.listener = (c.listener as Array<Record<string, unknown>>).map((l) => ({ ...l, address: '127.0.0.1:0' }));
      return c;
    };
    mkdirSync(join(podRoot, '/vault/agent-cache'), { recursive: true });
    const initSetup = prepareRoot(podRoot, inPod(init), token);
    const initRun = await runOurAgent(podRoot, initSetup.configFile);
    assert.match(initRun.output, /persistent cache written for the sidecar/);
    const initToken = readFileSync(initSetup.config.auto_auth.sink[0]?.config.path ?? '', 'utf8');
    const side = prepareRoot(podRoot, inPod(sidecar), token);
    const [node, ...args] = agentImageArgv();
    const proc = new ManagedProcess({
      name: 'vault-injector agent (sidecar)',
      command: node ?? process.execPath,
      args: [...args, 'agent', `-config=${side.configFile}`],
      env: { ...agentEnv(podRoot), VAULT_LOG_LEVEL: 'debug' },
      cwd: podRoot,
    });
    try {
      await waitFor(
        'the sidecar to render with the handed-over token',
        () => {
          if (!proc.running) throw new Error(`the sidecar agent exited\n${proc.tail(40)}`);
          return proc.lines.some((l) => /\(runner\) (rendered|starting)/.test(l)) ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      const log = proc.lines.join('\n');
      assert.match(log, /loaded the persistent cache/);
      assert.match(log, /using preloaded token/);
      assert.doesNotMatch(log, /agent\.auth\.handler: authenticating/, 'no second login');
      await waitFor('the sidecar sink', () => (proc.lines.some((l) => /token written/.test(l)) ? true : undefined), {
        timeoutMs: 10_000,
      });
      const sidecarToken = readFileSync(side.config.auto_auth.sink[0]?.config.path ?? '', 'utf8');
      assert.ok(initToken.length > 20);
      assert.equal(sidecarToken, initToken, "the sidecar works with the init container's token");
    } finally {
      await proc.stop({ graceMs: 2000 });
    }
  });
});
