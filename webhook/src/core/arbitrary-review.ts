/**
 * Seeded generators of AdmissionReview requests for the fuzz test (`webhook/src/fuzz.test.ts`); used only
 * by tests. Pure: all randomness comes from the `Rng` passed in, so a seed and a case index reproduce a case.
 *
 * Annotations follow spec §1: every name of `A` and every per-secret prefix of `P` has a value kind, and each
 * kind has valid values, odd spellings and malformed ones. Pods start from a plausible shape and then get odd
 * shapes the API server would, or would never, send.
 */
import type { InjectorConfig } from '../config-types.js';
import { A, full, P } from './keys.js';
import { TELEMETRY_FIELDS } from './telemetry.js';
import { injectorConfig } from './test-fixtures.js';

export interface Rng {
  /** A float in [0, 1). */
  float(): number;
  /** An integer in [0, max). */
  int(max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: small, fast and good enough to spread cases; not for anything secret. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const float = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(float() * max);
  return {
    float,
    int,
    chance: (p) => float() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(items.length)] as T;
    },
  };
}

/** FNV-1a over the text: lets FUZZ_SEED be any word as well as a number. */
export function parseSeed(text: string): number {
  const t = text.trim();
  if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) return Number(t) >>> 0;
  let h = 0x811c9dc5;
  for (const ch of t) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  return h;
}

/** The seed of case `index`, so one case can be regenerated without the ones before it. */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The injector configurations cases run under (index = `GeneratedCase.config`). */
export const FUZZ_CONFIGS: readonly InjectorConfig[] = [
  injectorConfig(),
  injectorConfig({ setSecurityContext: false, runAsSameUser: true, revokeOnShutdown: true, vaultNamespace: 'ns1' }),
  injectorConfig({ nativeSidecar: true, vaultImage: 'ghcr.io/acme/vault-injector/agent:1.0', defaultTemplate: 'json' }),
  injectorConfig({
    authMinBackoff: '1s',
    authMaxBackoff: '1m',
    ephemeralStorageLimit: '1Gi',
    ephemeralStorageRequest: '128Mi',
    proxyAddress: 'http://proxy:3128',
    vaultCaCertBytes: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
    disableIdleConnections: 'auto-auth,templating',
    templateMaxConnectionsPerHost: 10,
  }),
];

export interface GeneratedCase {
  readonly index: number;
  /** What the generator did, in order: `pod:no-spec`, `ann:agent-limits-cpu=odd`, ... */
  readonly tags: readonly string[];
  /** The exact bytes sent. */
  readonly body: Buffer;
  /** `undefined`: no Content-Type header at all. */
  readonly contentType: string | undefined;
  /** Whether the webhook is expected to accept this Content-Type. */
  readonly contentTypeOk: boolean;
  readonly method: string;
  readonly path: string;
  readonly config: number;
  /** Only meaningful over HTTP (content type, method): never worth skipping the HTTP round trip. */
  readonly httpOnly: boolean;
}

type Obj = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------
// Annotation values

type ValueKind =
  | 'bool'
  | 'int'
  | 'uint'
  | 'float'
  | 'duration'
  | 'quantity'
  | 'jsonPatch'
  | 'list'
  | 'containerName'
  | 'path'
  | 'image'
  | 'authType'
  | 'defaultTemplate'
  | 'status'
  | 'volumeName'
  | 'template'
  | 'templateEngine'
  | 'string';

/** Every annotation of spec §1 by kind: a new name in `A` does not compile until it is listed here. */
const KINDS = {
  inject: 'bool',
  status: 'status',
  prePopulate: 'bool',
  prePopulateOnly: 'bool',
  initFirst: 'bool',
  injectContainers: 'list',
  requestNamespace: 'string',
  defaultTemplate: 'defaultTemplate',
  secretVolumePath: 'path',
  preserveSecretCase: 'bool',
  injectToken: 'bool',
  role: 'string',
  authType: 'authType',
  authPath: 'string',
  authMinBackoff: 'duration',
  authMaxBackoff: 'duration',
  autoAuthExitOnErr: 'bool',
  serviceAccountTokenVolumeName: 'volumeName',
  namespace: 'string',
  service: 'string',
  proxyAddress: 'string',
  tlsSkipVerify: 'bool',
  tlsSecret: 'string',
  tlsServerName: 'string',
  caCert: 'path',
  caKey: 'path',
  clientCert: 'path',
  clientKey: 'path',
  clientMaxRetries: 'string',
  clientTimeout: 'string',
  image: 'image',
  logLevel: 'string',
  logFormat: 'string',
  goMaxProcs: 'string',
  revokeOnShutdown: 'bool',
  revokeGrace: 'uint',
  configMap: 'string',
  extraSecret: 'string',
  copyVolumeMounts: 'containerName',
  limitsCpu: 'quantity',
  limitsMem: 'quantity',
  limitsEphemeral: 'quantity',
  requestsCpu: 'quantity',
  requestsMem: 'quantity',
  requestsEphemeral: 'quantity',
  jsonPatch: 'jsonPatch',
  initJsonPatch: 'jsonPatch',
  runAsUser: 'int',
  runAsGroup: 'int',
  runAsSameUser: 'bool',
  setSecurityContext: 'bool',
  shareProcessNamespace: 'bool',
  cacheEnable: 'bool',
  cacheUseAutoAuthToken: 'string',
  cacheListenerPort: 'string',
  cacheExitOnErr: 'bool',
  enableQuit: 'bool',
  templateConfigExitOnRetryFailure: 'bool',
  templateStaticSecretRenderInterval: 'duration',
  templateMaxConnectionsPerHost: 'int',
  templateLeaseRenewalThreshold: 'float',
  disableIdleConnections: 'list',
  disableKeepAlives: 'list',
  nativeSidecar: 'bool',
} as const satisfies Record<keyof typeof A, ValueKind>;

/** Per-secret (and other suffixed) prefixes by kind; `telemetry` and `authConfig` have their own generators. */
const PREFIX_KINDS = {
  secret: 'string',
  templateFile: 'path',
  template: 'template',
  file: 'path',
  perms: 'string',
  command: 'string',
  leftDelim: 'string',
  rightDelim: 'string',
  errorOnMissingKey: 'bool',
  templateEngine: 'templateEngine',
  secretVolumePath: 'path',
  preserveSecretCase: 'bool',
  authConfig: 'string',
  telemetry: 'string',
} as const satisfies Record<keyof typeof P, ValueKind>;

const VALID: Record<ValueKind, readonly string[]> = {
  bool: ['true', 'false', '1', '0', 't', 'f', 'T', 'F', 'TRUE', 'True', 'FALSE', 'False', ''],
  int: ['0', '100', '1000', '65534', '-1', '+5', '-0', '007', '9007199254740991', ''],
  uint: ['0', '5', '01', '30', '9007199254740991'],
  float: ['0', '0.5', '.75', '5.', '1e-3', '-2.5E2', '0x1p-2', '0X1.8P3', 'inf', '-Infinity', 'NaN', '1_000.5'],
  duration: ['5s', '1m', '1h30m', '1.5h', '-2s', '+3s', '300ms', '0', '-0', '1µs', '1μs', '10us', '2ns', '.5s', '1.s'],
  quantity: ['250m', '1', '64Mi', '1Gi', '1e3', '1E3', '+1Ki', '01', '1.500', '0', '1.', '.5', '1.G', '0.1', '100k'],
  jsonPatch: [
    '[]',
    'null',
    '[{"op":"add","path":"/env/-","value":{"name":"X","value":"y"}}]',
    '[{"op":"replace","path":"/image","value":"other:1"}]',
    '[{"op":"add","path":"/ports","value":[{"containerPort":8200}]}]',
    '[{"op":"test","path":"/image","value":"hashicorp/vault:2.0.4"}]',
    '[{"op":"copy","from":"/image","path":"/workingDir"}]',
    '[{"op":"move","from":"/env","path":"/env2"}]',
    '[{"op":"remove","path":"/resources"}]',
    '[{"op":"add","path":"/securityContext","value":{"privileged":true}}]',
    '[{"op":"add","path":"/volumeMounts/0","value":{"name":"x","mountPath":"/x"}}]',
  ],
  list: ['', 'app', 'app,web', 'web,app', 'auto-auth', 'auto-auth,caching,templating', 'templating'],
  containerName: ['app', 'web', 'foobar', 'foo1', 'web-init', 'init-0', 'nope'],
  path: ['/vault/secrets', '/etc/secrets', '/data', 'relative/dir', '/a/../b', '/vault/secrets/', '/'],
  image: [
    'hashicorp/vault:2.0.4',
    'openbao/openbao:2',
    'ghcr.io/acme/vault-injector/agent:1.0',
    'registry.local:5000/vault-injector-agent@sha256:0123',
    'vault',
  ],
  authType: ['kubernetes', 'aws', 'gcp', 'jwt', 'approle'],
  defaultTemplate: ['map', 'json', 'MAP', 'Json'],
  templateEngine: ['go', 'handlebars', 'Handlebars', '', 'mustache'],
  status: ['injected', 'update', '', 'Injected'],
  volumeName: ['', 'kube-api-access-abc', 'sa-token', 'foobar', 'projected-token'],
  template: [
    '{{ with secret "kv/data/app" }}{{ .Data.data.password }}{{ end }}',
    '{{- with secret "database/creds/ro" -}}postgres://{{ .Data.username }}:{{ .Data.password }}@db/app{{- end }}',
    '{{ range $k, $v := .Data }}{{ $k }}={{ $v }}\n{{ end }}',
    '[[ with secret "kv/data/app" ]][[ .Data.data | toJSON ]][[ end ]]',
    '{{ with pkiCert "pki/issue/web" "common_name=web.app.svc" }}{{ .Cert }}{{ .Key }}{{ end }}',
    'plain text, no actions',
    'ünïcødé {{ "😀" }}',
  ],
  string: ['r', 'app-role', 'https://vault.vault:8200', 'auth/k8s', 'debug', 'json', 'x', 'ns1/ns2', '127.0.0.1'],
};

const ODD_COMMON: readonly string[] = [
  '',
  ' ',
  '\t',
  '\n',
  'null',
  'undefined',
  '{}',
  '[]',
  '"quoted"',
  '\u0000',
  'ünïcødé',
  '😀',
  '\u2028\u2029',
  '\ud800',
  '<script>alert(1)</script>',
  '{{ .Data.data.password }}',
  '$(echo pwned) `id` \' " \\',
  '../../../etc/passwd',
  'a,b,,c,',
  '%s%n%x',
  '-',
  'NaN',
];

const ODD: Record<ValueKind, readonly string[]> = {
  bool: [
    'yes',
    'no',
    'on',
    'off',
    'tRuE',
    'fAlSe',
    ' true',
    'true ',
    '2',
    '-1',
    '01',
    'truee',
    'y',
    'ｔｒｕｅ',
    'true\u0000',
  ],
  int: ['root', '1e3', '0x10', '1_000', ' 1', '1 ', '1.0', '9007199254740992', '99999999999999999999', '١٢٣', '+', '-'],
  uint: ['', '-1', '+1', 'foo', '1.5', '1e2', ' 5', '18446744073709551616', '٥'],
  float: ['', 'abc', '1e400', '0x', '0x1', '_1', '1__0', '1_', '.', 'e5', '1e', '--1', '+inf', 'infinit', 'nan0'],
  duration: [
    '',
    '5',
    '5 s',
    's',
    '.s',
    '1d',
    '1w',
    '9223372036854775807ns',
    '9223372036854775808ns',
    '2562048h',
    '1h-1m',
  ],
  quantity: [
    'Mi',
    '1MI',
    '1mi',
    '1 Mi',
    '-1',
    '1Ei',
    '8Ei',
    '9Ei',
    '1e2147483647',
    '1e-9999999999',
    '.',
    '+',
    '.Ei',
    '1.2.3',
  ],
  jsonPatch: [
    '',
    '[',
    'not json',
    '{}',
    '"[]"',
    '1',
    'true',
    '[1]',
    '[null]',
    '[[]]',
    '[{}]',
    '[{"op":"bogus","path":"/x"}]',
    '[{"path":"/x"}]',
    '[{"op":"add"}]',
    '[{"op":"add","path":"x","value":1}]',
    '[{"op":"add","path":"/a/b/c","value":1}]',
    '[{"op":"add","path":"/env/99","value":1}]',
    '[{"op":"remove","path":"/nope"}]',
    '[{"op":"test","path":"/name","value":"not-the-name"}]',
    '[{"op":"copy","path":"/x"}]',
    '[{"op":"add","path":"/__proto__/polluted","value":1}]',
    '[{"op":"add","path":"/constructor/prototype/x","value":1}]',
    '[{"op":"remove","path":"/name"}]',
    '[{"op":"replace","path":"","value":null}]',
    '[{"op":"replace","path":"","value":"a string"}]',
    '[{"op":"replace","path":"/name","value":{"toString":1}}]',
    '[{"op":"add","path":"/volumeMounts/-","value":{"name":"x"}}]',
  ],
  list: [',', ',,', ' app', 'app ,web', 'APP', 'nope,nada'],
  containerName: ['', 'APP', 'vault-agent', 'vault-agent-init', ' app'],
  path: ['', 'vault/secrets', '/vault/../../', '//', '/vault/secrets\u0000', 'C:\\secrets', '/ä/😀'],
  image: [''],
  authType: ['', 'Kubernetes', 'AWS', ' kubernetes'],
  templateEngine: ['GO ', 'hbs', 'text/template', '\u0000'],
  defaultTemplate: ['', 'yaml', 'mapp', ' map'],
  status: ['injected ', 'INJECTED'],
  volumeName: ['nope', 'no-projected', 'odd-projected'],
  template: ['{{', '}}', '{{ with secret }}', '{{ end }}', '{{ .Data.data.password', '{{ template "x" }}'],
  string: [],
};

const SECRET_NAMES: readonly string[] = [
  'db',
  'DB',
  'Db-Creds',
  'a.b',
  'x_y',
  'ünï',
  '😀',
  'a/b',
  '..',
  '.',
  'a~1b',
  'a b',
  '-',
  '0',
  '__proto__',
  'constructor',
  'toString',
];

const AUTH_CONFIG_PARAMS: readonly string[] = ['role', 'region', 'token-path', 'audience', '', '-', 'x-y-z', 'ÜNI'];

function longValue(rng: Rng): string {
  const unit = rng.pick(['a', 'é', '😀', '{{ . }}', '0123456789', '0', '9', '/', ' ', '\n', '\\', '"', ',', '.']);
  const length = rng.chance(0.03) ? 1_000_000 : rng.pick([300, 1000, 4000, 20_000, 100_000]);
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

/** Nested arrays or objects, `depth` levels. */
export function nested(depth: number, kind: 'array' | 'object'): unknown {
  let v: unknown = kind === 'array' ? [] : { leaf: true };
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { n: v };
  return v;
}

function nestingDepth(rng: Rng): number {
  return rng.chance(0.2) ? rng.pick([2500, 3000]) : rng.pick([2, 10, 100, 500, 1000]);
}

function valueFor(rng: Rng, kind: ValueKind, tags: string[], name: string): string {
  const roll = rng.float();
  if (kind === 'jsonPatch' && roll < 0.05) {
    tags.push(`ann:${name}=deep`);
    return JSON.stringify([{ op: 'add', path: '/x', value: nested(nestingDepth(rng), rng.pick(['array', 'object'])) }]);
  }
  if (roll < 0.02) {
    tags.push(`ann:${name}=long`);
    return longValue(rng);
  }
  if (roll < 0.05) {
    tags.push(`ann:${name}=empty`);
    return '';
  }
  if (roll < 0.12) {
    tags.push(`ann:${name}=odd`);
    return rng.pick(ODD_COMMON);
  }
  const odd = ODD[kind];
  if (roll < 0.32 && odd.length > 0) {
    tags.push(`ann:${name}=bad`);
    return rng.pick(odd);
  }
  tags.push(`ann:${name}`);
  return rng.pick(VALID[kind]);
}

function telemetryValue(rng: Rng): string {
  return rng.pick([
    '500',
    '"500"',
    'true',
    'false',
    '"30s"',
    '["a","b"]',
    '[1]',
    '{}',
    'null',
    '1e400',
    '-0',
    '1.5',
    'not json',
    '[',
    '"\\u0000"',
    'statsd:8125',
    '',
  ]);
}

function telemetryField(rng: Rng): string {
  const [field] = rng.pick(TELEMETRY_FIELDS);
  switch (rng.int(5)) {
    case 0:
      return field.replaceAll('_', '-');
    case 1:
      return field.toUpperCase();
    case 2:
      return rng.pick(['', 'foo', 'prefix-filter-', 'disable_hostname_x']);
    default:
      return field;
  }
}

/** Annotations (prefixed) for a pod that asks for injection, most of the time validly. */
function annotations(rng: Rng, tags: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (name: string, value: string) => {
    out[full(name)] = value;
  };
  if (!rng.chance(0.08)) set(A.inject, rng.chance(0.9) ? 'true' : valueFor(rng, 'bool', tags, A.inject));
  else tags.push('ann:no-agent-inject');
  if (!rng.chance(0.1)) set(A.role, rng.chance(0.9) ? 'app' : valueFor(rng, 'string', tags, A.role));
  const names = Object.keys(KINDS) as (keyof typeof KINDS)[];
  const count = rng.pick([0, 1, 1, 2, 2, 3, 4, 6, 10, 20]);
  for (let i = 0; i < count; i++) {
    const key = rng.pick(names);
    set(A[key], valueFor(rng, KINDS[key], tags, A[key]));
  }
  const secrets = rng.pick([0, 0, 1, 1, 2, 3, 5, 40]);
  const prefixes = (Object.keys(PREFIX_KINDS) as (keyof typeof PREFIX_KINDS)[]).filter(
    (p) => p !== 'telemetry' && p !== 'authConfig',
  );
  for (let i = 0; i < secrets; i++) {
    const secretName = rng.chance(0.85) ? rng.pick(SECRET_NAMES) : rng.chance(0.5) ? `s${i}` : longValue(rng);
    const main = rng.pick([P.secret, P.secret, P.template, P.templateFile]);
    const kind = main === P.secret ? 'string' : main === P.template ? 'template' : 'path';
    const path = main === P.secret && rng.chance(0.8);
    set(`${main}${secretName}`, path ? `kv/data/${i}` : valueFor(rng, kind, tags, main));
    for (let j = rng.int(4); j > 0; j--) {
      const p = rng.pick(prefixes);
      set(`${P[p]}${secretName}`, valueFor(rng, PREFIX_KINDS[p], tags, P[p]));
    }
  }
  if (rng.chance(0.05)) set(P.secret, 'kv/empty-suffix');
  if (rng.chance(0.05)) set('agent-inject-secret', 'kv/no-dash');
  for (let i = rng.chance(0.1) ? rng.int(6) + 1 : 0; i > 0; i--) {
    set(`${P.telemetry}${telemetryField(rng)}`, telemetryValue(rng));
    tags.push('ann:telemetry');
  }
  for (let i = rng.chance(0.1) ? rng.int(3) + 1 : 0; i > 0; i--) {
    set(`${P.authConfig}${rng.pick(AUTH_CONFIG_PARAMS)}`, valueFor(rng, 'string', tags, P.authConfig));
  }
  if (rng.chance(0.05)) {
    tags.push('ann:typos');
    set(rng.pick(['agent-injet', 'Agent-Inject', 'agent-inject-', 'agent_inject', 'role ', '']), 'true');
  }
  if (rng.chance(0.1)) {
    tags.push('ann:foreign');
    out[rng.pick(['app.kubernetes.io/name', 'VAULT.HASHICORP.COM/agent-inject', 'a~b/c', 'x', '__proto__'])] = rng.pick(
      ['true', 'v', ''],
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Pods

const SA_MOUNT = {
  name: 'kube-api-access-abc',
  mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
  readOnly: true,
};
const SA_VOLUME = {
  name: 'kube-api-access-abc',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    ],
  },
};
const CONTAINER_NAMES: readonly string[] = [
  'app',
  'web',
  'foobar',
  'foo1',
  'app',
  '',
  'vault-agent',
  'vault-agent-init',
  'ünï',
];

function container(rng: Rng, name: string, withSaMount: boolean): Obj {
  const c: Obj = { name, image: rng.pick(['nginx', 'busybox:1', 'app@sha256:abc']) };
  const mounts: Obj[] = [];
  if (withSaMount) mounts.push({ ...SA_MOUNT });
  if (rng.chance(0.4))
    mounts.push({ name: 'data', mountPath: rng.pick(['/data', '/vault/secrets', '/etc/serviceaccount']) });
  if (mounts.length > 0 || rng.chance(0.5)) c.volumeMounts = mounts;
  if (rng.chance(0.3)) {
    c.env = [
      { name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::1:role/x' },
      { name: 'AWS_REGION', value: 'eu-west-1' },
      { name: 'FROM_FIELD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ].slice(0, rng.int(4));
  }
  if (rng.chance(0.3)) c.securityContext = { runAsUser: rng.pick([1000, 0, 65534, 7]), runAsNonRoot: true };
  if (rng.chance(0.1)) c.resources = { limits: { cpu: '1' }, requests: { memory: '64Mi' } };
  return c;
}

function plausiblePod(rng: Rng): Obj {
  const withSa = rng.chance(0.85);
  const containers: Obj[] = [];
  for (let i = rng.pick([1, 1, 1, 2, 3, 5]); i > 0; i--) {
    containers.push(container(rng, rng.pick(CONTAINER_NAMES), withSa && containers.length === 0));
  }
  const spec: Obj = { containers, serviceAccountName: 'default', restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' };
  if (rng.chance(0.3)) {
    spec.initContainers = Array.from({ length: rng.int(3) + 1 }, (_, i) =>
      container(rng, rng.pick(['init-0', 'web-init', `init-${i}`, 'vault-agent-init']), false),
    );
  }
  if (withSa || rng.chance(0.5)) spec.volumes = [structuredClone(SA_VOLUME)];
  if (rng.chance(0.2)) spec.shareProcessNamespace = rng.pick([true, false]);
  const metadata: Obj = {};
  if (rng.chance(0.7)) metadata.name = rng.pick(['web', 'foo', 'job-x', 'ünï']);
  else metadata.generateName = 'web-7d9f-';
  metadata.namespace = 'app';
  if (rng.chance(0.3)) metadata.labels = { app: 'web' };
  const pod: Obj = { metadata, spec };
  if (rng.chance(0.5)) {
    pod.apiVersion = 'v1';
    pod.kind = 'Pod';
  }
  if (rng.chance(0.4))
    pod.status = rng.chance(0.8)
      ? {}
      : { phase: rng.pick(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown', '']) };
  return pod;
}

const ODD_VALUES: readonly unknown[] = [null, 'x', 5, true, [], {}, [null], [5], [{}], -1.5];

function asObj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function firstContainer(pod: Obj): Obj | undefined {
  const cs = asObj(pod.spec)?.containers;
  return Array.isArray(cs) ? asObj(cs[0]) : undefined;
}

/** One odd change to a pod (in place); returns its tag. */
function oddPodChange(rng: Rng, pod: Obj): string {
  const spec = asObj(pod.spec);
  const meta = asObj(pod.metadata);
  const c0 = firstContainer(pod);
  const ann = asObj(meta?.annotations);
  switch (rng.int(22)) {
    case 0:
      delete pod.spec;
      return 'pod:no-spec';
    case 1:
      pod.spec = rng.pick(ODD_VALUES);
      return 'pod:spec-odd';
    case 2:
      if (spec) spec.containers = rng.pick([undefined, ...ODD_VALUES]);
      return 'pod:containers-odd';
    case 3:
      if (c0) delete c0.name;
      return 'pod:container-no-name';
    case 4:
      if (c0) c0.name = rng.pick([5, null, {}, '', 'vault-agent']);
      return 'pod:container-name-odd';
    case 5:
      if (spec && Array.isArray(spec.containers)) spec.containers.push(structuredClone(spec.containers[0] ?? {}));
      return 'pod:duplicate-container';
    case 6:
      if (c0)
        c0.volumeMounts = rng.pick([
          null,
          'x',
          [null],
          [{ name: 'a' }],
          [{ name: 'a', mountPath: 5 }],
          [{ mountPath: '/x' }],
        ]);
      return 'pod:mounts-odd';
    case 7:
      if (c0)
        c0.env = rng.pick([null, 'x', [null], [5], [{}], [{ name: 5, value: 5 }], { name: 'AWS_REGION', value: 'x' }]);
      // The env is read only for auth-type aws (IRSA, spec §3.6).
      if (ann && rng.chance(0.5)) ann[full(A.authType)] = 'aws';
      return 'pod:env-odd';
    case 8:
      if (c0)
        c0.securityContext = rng.pick([
          null,
          'x',
          5,
          [],
          { runAsUser: null },
          { runAsUser: '1000' },
          { runAsUser: 1.5 },
          { runAsUser: -1 },
          { runAsUser: 2 ** 53 },
        ]);
      return 'pod:security-context-odd';
    case 9:
      if (rng.chance(0.5)) delete pod.metadata;
      else pod.metadata = rng.pick(ODD_VALUES);
      return 'pod:metadata-odd';
    case 10:
      if (meta) meta.name = rng.pick<unknown>([5, {}, [], '', 'x'.repeat(10_000), '😀', null, { toString: 1 }]);
      return 'pod:name-odd';
    case 11:
      if (meta) meta.annotations = rng.pick([null, [], 'x', 5]);
      return 'pod:annotations-odd';
    case 12: {
      if (ann)
        ann[rng.pick([full(A.inject), full(A.role), 'other/x', full(A.limitsCpu)])] = rng.pick([5, null, true, {}, []]);
      return 'pod:annotation-not-string';
    }
    case 13:
      pod.status = rng.pick([
        null,
        'x',
        5,
        { phase: rng.pick(['Running', 'Succeeded', 'Failed', 'Unknown', '', 'Pending', 5, null]) },
      ]);
      return 'pod:status-odd';
    case 14:
      if (spec) spec.shareProcessNamespace = rng.pick([true, false, null, 'false', 1]);
      return 'pod:share-process-namespace-odd';
    case 15:
      if (spec) spec.volumes = rng.pick([null, 'x', [null], [{}], [{ name: 5 }], []]);
      return 'pod:volumes-odd';
    case 16:
      if (spec) {
        const sources = rng.pick([
          null,
          'x',
          {},
          [],
          [{}],
          [null],
          [{ serviceAccountToken: null }],
          [{ serviceAccountToken: { path: '' } }],
          [{ serviceAccountToken: { path: 5 } }],
        ]);
        spec.volumes = [
          { name: 'no-projected', emptyDir: {} },
          { name: 'odd-projected', projected: { sources } },
          ...(Array.isArray(spec.volumes) ? spec.volumes : []),
        ];
        if (c0 && Array.isArray(c0.volumeMounts))
          c0.volumeMounts.push({ name: 'odd-projected', mountPath: '/var/run/secrets/tokens' });
      }
      // The projected sources are read only for the named token volume (spec §3.5).
      if (ann && rng.chance(0.7)) ann[full(A.serviceAccountTokenVolumeName)] = 'odd-projected';
      return 'pod:projected-odd';
    case 17: {
      const depth = nestingDepth(rng);
      if (spec) spec.extra = nested(depth, rng.pick(['array', 'object']));
      return `pod:deep-${depth}`;
    }
    case 18:
      if (spec)
        spec.initContainers = rng.pick([
          null,
          [],
          [{ name: 'vault-agent-init' }],
          [{ name: 'i' }, { name: 'i' }],
          'x',
          [null],
        ]);
      return 'pod:init-containers-odd';
    case 19:
      if (spec) {
        spec.nodeSelector = { 'kubernetes.io/os': 'linux' };
        spec.tolerations = [{ key: 'k', operator: 'Exists' }];
        spec['x-unknown'] = { a: [1, 'b', null, { c: true }] };
        pod.weird = rng.pick(ODD_VALUES);
      }
      return 'pod:unknown-fields';
    case 20:
      if (spec && Array.isArray(spec.containers)) {
        const n = rng.pick([20, 200]);
        for (let i = 0; i < n; i++)
          spec.containers.push({ name: `c${i}`, volumeMounts: [{ name: 'd', mountPath: `/d/${i}` }] });
      }
      return 'pod:many-containers';
    default:
      if (c0)
        c0.volumeMounts = [
          { name: 'aws-iam-token', mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount' },
          ...(Array.isArray(c0.volumeMounts) ? c0.volumeMounts : []),
        ];
      return 'pod:irsa';
  }
}

// ---------------------------------------------------------------------------------------------------
// Envelopes and bodies

const API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
const CONTENT_TYPES_OK: readonly string[] = [
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'APPLICATION/JSON',
];
const CONTENT_TYPES_BAD: readonly (string | undefined)[] = [
  undefined,
  '',
  'text/plain',
  'application/json; charset=latin1',
  'application/jsonx',
  'application/merge-patch+json',
  'application/x-www-form-urlencoded',
];

function uid(rng: Rng): string {
  const hex = () => rng.int(0x10000).toString(16).padStart(4, '0');
  return `${hex()}${hex()}-${hex()}-${hex()}-${hex()}-${hex()}${hex()}${hex()}`;
}

function review(rng: Rng, tags: string[]): Obj {
  const pod = plausiblePod(rng);
  const meta = asObj(pod.metadata);
  if (meta) meta.annotations = annotations(rng, tags);
  for (let i = rng.chance(0.35) ? rng.pick([1, 1, 2, 3]) : 0; i > 0; i--) tags.push(oddPodChange(rng, pod));
  const request: Obj = {
    uid: uid(rng),
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    requestKind: { group: '', version: 'v1', kind: 'Pod' },
    namespace: 'app',
    operation: 'CREATE',
    userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:authenticated'] },
    object: pod,
    oldObject: null,
    dryRun: rng.chance(0.1),
    options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
  };
  if (asObj(pod.metadata)?.name !== undefined) request.name = asObj(pod.metadata)?.name;
  if (rng.chance(0.15)) {
    const ns = rng.pick([
      undefined,
      '',
      'default',
      'kube-system',
      'kube-public',
      'kube-node-lease',
      'ünï',
      5,
      'n'.repeat(300),
    ]);
    request.namespace = ns;
    tags.push(`req:namespace=${String(ns).slice(0, 20)}`);
  }
  if (rng.chance(0.05)) {
    request.operation = rng.pick(['UPDATE', 'DELETE', 'CONNECT', 'create', '']);
    tags.push(`req:operation=${String(request.operation)}`);
  }
  if (rng.chance(0.03)) {
    request.object = rng.pick([undefined, null, [], 'pod', 5, [pod]]);
    tags.push('req:object-odd');
  }
  if (rng.chance(0.03)) {
    request.uid = rng.pick([undefined, '', 5, null, 'u'.repeat(10_000), 'ünï-😀', '</script>']);
    tags.push('req:uid-odd');
  }
  const doc: Obj = { kind: 'AdmissionReview', apiVersion: rng.pick(API_VERSIONS), request };
  if (rng.chance(0.03)) {
    doc.apiVersion = rng.pick([undefined, '', 'admission.k8s.io/v2', 'admission.k8s.io/V1', 'v1', 5]);
    tags.push('env:apiVersion-odd');
  }
  if (rng.chance(0.03)) {
    doc.kind = rng.pick([undefined, 'Pod', 'admissionreview', '', null]);
    tags.push('env:kind-odd');
  }
  if (rng.chance(0.02)) {
    doc.request = rng.pick([undefined, null, [], 'x', [request]]);
    tags.push('env:request-odd');
  }
  if (rng.chance(0.02)) {
    doc.response = { uid: 'forged', allowed: false };
    tags.push('env:response-present');
  }
  return doc;
}

/** Bodies that are not (or not quite) an AdmissionReview: bad JSON, wrong top-level types, odd bytes. */
function oddBody(rng: Rng, tags: string[]): Buffer {
  const valid = JSON.stringify(review(rng, []));
  const choice = rng.int(16);
  tags.push(`body:${choice}`);
  switch (choice) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return Buffer.from(
        rng.pick([' ', '\n', '{nope', '{', '}', '[]', '[1,2]', 'null', '42', 'true', '"AdmissionReview"']),
      );
    case 2:
      return Buffer.from(valid.slice(0, rng.int(valid.length)));
    case 3:
      return Buffer.from(`\ufeff${valid}`);
    case 4:
      return Buffer.from(`${valid}garbage`);
    case 5:
      return Buffer.from(`${valid}\n${valid}`);
    case 6:
      return Buffer.from(valid.replace('{', '{"kind":"Pod",'));
    case 7:
      return Buffer.from(valid.replace('"kind":"AdmissionReview"', '"kind":"AdmissionReview","kind":"Pod"'));
    case 8:
      return Buffer.from(valid.replace('"operation":"CREATE"', '"operation":NaN'));
    case 9:
      return Buffer.from(`/* comment */${valid}`);
    case 10:
      return Buffer.concat([
        Buffer.from(valid.slice(0, 40)),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
        Buffer.from(valid.slice(40)),
      ]);
    case 11:
      return Buffer.from(valid, 'utf16le');
    case 12:
      return Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    case 13:
      return Buffer.from(valid.replaceAll('"', "'"));
    case 14:
      return Buffer.from(
        `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"u","object":{"spec":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}`,
      );
    default:
      return Buffer.from(valid.replace(/"uid":"[^"]*"/, '"uid":"\\u0000"'));
  }
}

/** Case `index` of a run seeded with `seed`. */
export function arbitraryCase(seed: number, index: number): GeneratedCase {
  const rng = createRng(caseSeed(seed, index));
  const tags: string[] = [];
  const body = rng.chance(0.05) ? oddBody(rng, tags) : Buffer.from(JSON.stringify(review(rng, tags)));
  let contentType: string | undefined = 'application/json';
  let contentTypeOk = true;
  let httpOnly = false;
  if (rng.chance(0.03)) {
    httpOnly = true;
    contentTypeOk = rng.chance(0.5);
    contentType = contentTypeOk ? rng.pick(CONTENT_TYPES_OK) : rng.pick(CONTENT_TYPES_BAD);
    tags.push(`http:content-type=${String(contentType)}`);
  }
  let method = 'POST';
  if (rng.chance(0.02)) {
    httpOnly = true;
    method = rng.pick(['PUT', 'PATCH', 'GET', 'DELETE']);
    tags.push(`http:method=${method}`);
  }
  const path = rng.chance(0.5) ? '/mutate?timeout=10s' : '/mutate';
  return {
    index,
    tags,
    body,
    contentType,
    contentTypeOk,
    method,
    path,
    config: rng.int(FUZZ_CONFIGS.length),
    httpOnly,
  };
}
