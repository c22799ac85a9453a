import assert from 'node:assert/strict';
import { parseVaultJson } from '../vault/json.js';
import type { Dependency, DependencySource, VaultSecretData } from './dependencies.js';
import { compileTemplate, type RenderResult, TemplateCompileError, TemplateRenderError } from './engine.js';

// Golden set for the Handlebars language: the consul-template helpers, Vault helpers as subexpressions, no HTML
// escaping, json.Number printed verbatim, and missing dependencies recorded like Go templates.

const secret = (data: string, extra: Partial<VaultSecretData> = {}): VaultSecretData => ({
  request_id: 'req',
  lease_id: '',
  lease_duration: 0,
  renewable: false,
  data: parseVaultJson(data) as VaultSecretData['data'],
  warnings: null,
  auth: null,
  wrap_info: null,
  ...extra,
});

const READS: Record<string, VaultSecretData> = {
  'secret/data/app': secret(
    '{"data":{"password":"s3cr3t","username":"app","<x>":"a&b"},"metadata":{"version":3,"f":1.50,"custom_metadata":null}}',
  ),
  'database/creds/app': secret('{"username":"v-app","password":"pw-1"}', {
    lease_id: 'database/creds/app/abc',
    lease_duration: 3600,
    renewable: true,
  }),
};

const source: DependencySource = {
  get(d: Dependency): unknown {
    if (d.kind === 'vault.read') return READS[d.path];
    if (d.kind === 'vault.list' && d.path === 'secret/metadata') return ['b', 'a'];
    if (d.kind === 'file' && d.path === '/etc/app.conf') return 'conf\n';
    if (d.kind === 'vault.pki') return { cert: 'CERT', key: 'KEY', ca: 'CA', caChain: ['CA'] };
    return undefined;
  },
};

interface Case {
  readonly name: string;
  readonly template: string;
  readonly errorOnMissingKey?: boolean;
  readonly denylist?: readonly string[];
  readonly want?: string;
  readonly wantMissing?: readonly string[];
  readonly wantError?: RegExp;
  readonly compileError?: RegExp;
}

const APP = '{{#with (secret "secret/data/app")}}%{{/with}}';
const app = (body: string): string => APP.replace('%', body);

const cases: readonly Case[] = [
  { name: 'kv2 fields', template: app('{{Data.data.username}}:{{Data.data.password}}'), want: 'app:s3cr3t' },
  { name: 'json.Number verbatim', template: app('{{Data.metadata.version}} {{Data.metadata.f}}'), want: '3 1.50' },
  { name: 'no HTML escaping', template: app('{{lookup Data.data "<x>"}}'), want: 'a&b' },
  {
    name: 'toJSON escapes like Go',
    template: app('{{toJSON Data.data}}'),
    want: '{"\\u003cx\\u003e":"a\\u0026b","password":"s3cr3t","username":"app"}',
  },
  { name: 'toUnescapedJSON', template: app('{{toUnescapedJSON (lookup Data.data "<x>")}}'), want: '"a&b"' },
  {
    name: 'toJSONPretty keeps numbers',
    template: app('{{toJSONPretty Data.metadata}}'),
    want: '{\n  "custom_metadata": null,\n  "f": 1.50,\n  "version": 3\n}',
  },
  {
    name: 'each over a map (Vault order)',
    template: app('{{#each Data.data}}{{@key}}={{this}};{{/each}}'),
    want: 'password=s3cr3t;username=app;<x>=a&b;',
  },
  {
    name: 'missing secret renders nothing and is recorded',
    template: '{{#with (secret "secret/data/none")}}x{{else}}none{{/with}}',
    wantMissing: ['vault.read(secret/data/none)'],
  },
  {
    name: 'lease fields of a dynamic secret',
    template: '{{#with (secret "database/creds/app")}}{{LeaseID}} {{LeaseDuration}} {{Renewable}}{{/with}}',
    want: 'database/creds/app/abc 3600 true',
  },
  { name: 'secrets sorted', template: '{{#each (secrets "secret/metadata")}}{{this}},{{/each}}', want: 'a,b,' },
  { name: 'join accepts secrets', template: '{{join "," (secrets "secret/metadata")}}', want: 'a,b' },
  { name: 'env and toUpper', template: '{{toUpper (env "FOO")}}', want: 'BAR' },
  { name: 'envOrDefault', template: '{{envOrDefault "NOPE" "dflt"}}', want: 'dflt' },
  { name: 'base64Encode', template: '{{base64Encode "hello"}}', want: 'aGVsbG8=' },
  { name: 'file', template: '{{file "/etc/app.conf"}}', want: 'conf\n' },
  { name: 'timestamp with layout', template: '{{timestamp "2006-01-02 15:04"}}', want: '2024-01-02 03:04' },
  { name: 'contains in if', template: '{{#if (contains "b" "abc")}}yes{{else}}no{{/if}}', want: 'yes' },
  { name: 'arithmetic', template: '{{add 1 2}} {{subtract 1 5}}', want: '3 4' },
  { name: 'split into each', template: '{{#each (split "," "a,b")}}[{{this}}]{{/each}}', want: '[a][b]' },
  {
    name: 'sha256Hex',
    template: '{{sha256Hex "x"}}',
    want: '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881',
  },
  {
    name: 'pkiCert',
    template: '{{#with (pkiCert "pki/issue/web" "common_name=a")}}{{Cert}} {{Data.Key}}{{/with}}',
    want: 'CERT KEY',
  },
  {
    name: 'secret used twice is one dependency',
    template:
      '{{#with (secret "database/creds/app")}}{{Data.username}}{{/with}}{{#with (secret "database/creds/app")}}!{{/with}}',
    want: 'v-app!',
  },
  {
    name: 'nil Auth is empty',
    template: '{{#with (secret "database/creds/app")}}{{#with Auth}}{{ClientToken}}{{else}}no auth{{/with}}{{/with}}',
    want: 'no auth',
  },
  { name: 'missing key is empty by default', template: app('{{Data.nope.x}}'), want: '' },
  {
    name: 'missing key errors with error_on_missing_key',
    template: app('{{Data.nope}}'),
    errorOnMissingKey: true,
    wantError: /^template: hb: "nope" not defined/,
  },
  {
    name: 'typed parameters',
    template: '{{toUpper 5}}',
    wantError: /^template: hb: error calling toUpper: wrong type for value; expected string; got int$/,
  },
  { name: 'k=v check', template: '{{secret "x" "bad"}}', wantError: /error calling secret: not k=v pair "bad"$/ },
  {
    name: 'errors are redacted',
    template: app('{{parseInt Data.data.password}}'),
    wantError: /parsing "\[redacted\]": invalid syntax$/,
  },
  {
    name: 'denylist',
    template: '{{toJSON "x"}}',
    denylist: ['toJSON'],
    wantError: /error calling toJSON: function is disabled$/,
  },
  { name: 'syntax error at compile time', template: '{{#if', compileError: /^template: hb: Parse error on line 1/ },
];

function render(c: Case): RenderResult {
  return compileTemplate({
    name: 'hb',
    text: c.template,
    language: 'handlebars',
    destination: '/tmp/hb-dest',
    errorOnMissingKey: c.errorOnMissingKey,
    functionDenylist: c.denylist,
  }).render({
    source,
    env: (name) => ({ FOO: 'bar' })[name],
    now: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
  });
}

describe('handlebars golden', () => {
  for (const c of cases) {
    it(c.name, () => {
      if (c.compileError !== undefined) {
        assert.throws(
          () => render(c),
          (err: unknown) => err instanceof TemplateCompileError && c.compileError!.test(err.message),
        );
        return;
      }
      if (c.wantError !== undefined) {
        assert.throws(
          () => render(c),
          (err: unknown) => err instanceof TemplateRenderError && c.wantError!.test(err.message),
        );
        return;
      }
      const result = render(c);
      if (c.wantMissing !== undefined) {
        assert.equal(result.output, undefined);
        assert.deepEqual(
          result.missing.map((d) => `${d.kind}(${d.path})`),
          c.wantMissing,
        );
        return;
      }
      assert.deepEqual(result.missing, []);
      assert.equal(result.output, c.want);
    });
  }
});
