import assert from 'node:assert/strict';
import { parseVaultJson } from '../vault/json.js';
import { JsonNumber, type JsonValue, type PemBundle, type VaultSecretData } from './dependencies.js';
import { compileTemplate, type RenderResult, TemplateCompileError, TemplateRenderError } from './engine.js';

// Golden table for consul-template's functions and Vault dependency semantics. Every expected output, error and
// missing-dependency list below was produced by running consul-template v0.39.1's template package (Go 1.26) on
// the same template against the same FIXTURE (a throwaway harness, not in this repository): the template was
// executed, the dependencies it reported missing were answered from the fixture, and it was executed again.
// Go prefixes errors with "execute: "/"parse: " (added by consul-template's runner); those prefixes are dropped.

interface Case {
  readonly name: string;
  readonly template: string;
  readonly errorOnMissingKey?: boolean;
  readonly denylist?: readonly string[];
  readonly sandbox?: string;
  readonly want?: string;
  readonly wantError?: string;
  /** Dependencies still without data, as `kind(path)`. */
  readonly wantMissing?: readonly string[];
}

interface Fixture {
  readonly reads: Record<string, JsonValue>;
  readonly writes: Record<string, JsonValue>;
  readonly lists: Record<string, string[]>;
  readonly files: Record<string, string>;
  readonly pki: Record<string, PemBundle>;
  readonly env: Record<string, string>;
}

const FIXTURE = parseVaultJson(
  '{ "reads": { "secret/data/app": {"request_id": "req-kv2", "lease_id": "", "lease_duration": 0, "renewable": false, "data": {"data": {"password": "s3cr3t", "username": "app"}, "metadata": {"created_time": "2024-01-02T03:04:05.123456789Z", "custom_metadata": null, "deletion_time": "", "destroyed": false, "version": 1}}, "warnings": null, "auth": null, "wrap_info": null}, "secret/legacy": {"request_id":"req-v1","lease_id":"","lease_duration":2764800,"renewable":false, "data":{"a":"one-a","n":3600,"f":1.50,"neg":-7,"big":12345678901234567890,"arr":["x","y"],"obj":{"k":"v","j":1},"nul":null,"t":true,"html":"<a&b>","csv":" a,b ,c ","b64":"aGVsbG8=","json":"{\\"k\\":[1,2.5,\\"x\\"]}","yaml":"a: 1\\nb: [x, y]\\n","path/to/key":"deep","path/other":"other-o","mixed":[1,"1",1.5,true,null]}, "warnings":["careful"],"auth":null,"wrap_info":null}, "database/creds/app": {"request_id":"req-db","lease_id":"database/creds/app/abc","lease_duration":3600,"renewable":true, "data":{"password":"pw-1","username":"v-app-xyz"},"warnings":null,"auth":null,"wrap_info":null}, "auth/token/lookup-self": {"request_id":"req-tok","lease_id":"","lease_duration":0,"renewable":false,"data":null,"warnings":null, "auth":{"client_token":"hvs.tok","accessor":"acc-1","policies":["default","app"],"metadata":{"role":"app"},"lease_duration":600,"renewable":true},"wrap_info":null}, "secret/data/versioned?version=2": {"request_id":"req-v2","lease_id":"","lease_duration":0,"renewable":false,"data":{"data":{"v":"two"},"metadata":{"version":2}},"warnings":null,"auth":null,"wrap_info":null} }, "writes": { "transit/encrypt/app": {"request_id":"req-w","lease_id":"","lease_duration":0,"renewable":false,"data":{"ciphertext":"vault:v1:abc"},"warnings":null,"auth":null,"wrap_info":null} }, "lists": {"secret/metadata/apps": ["a","b","c/"], "secret/metadata/empty": []}, "files": {"/tmp/h2-fixture.txt": "file content\\n"}, "pki": {"pki/issue/web": {"cert":"CERT","key":"KEY","ca":"CA","caChain":["CA","ROOT"]}}, "env": {"FOO":"bar","EMPTY":"","NUM":"42"} }',
) as unknown as Fixture;

/** Vault's envelope with its integer fields as numbers (only `data` keeps json.Number lexemes). */
function envelope(raw: JsonValue): VaultSecretData {
  const r = raw as Record<string, JsonValue>;
  const num = (v: JsonValue | undefined): number => Number((v as JsonNumber | undefined)?.text ?? 0);
  const auth = r.auth as Record<string, JsonValue> | null;
  return {
    request_id: r.request_id as string,
    lease_id: r.lease_id as string,
    lease_duration: num(r.lease_duration),
    renewable: r.renewable as boolean,
    data: r.data as VaultSecretData['data'],
    warnings: r.warnings as string[] | null,
    auth:
      auth === null
        ? null
        : {
            client_token: auth.client_token as string,
            accessor: auth.accessor as string,
            policies: auth.policies as string[] | null,
            metadata: auth.metadata as Record<string, string> | null,
            lease_duration: num(auth.lease_duration),
            renewable: auth.renewable as boolean,
          },
    wrap_info: null,
  };
}

const fixtureSource = {
  get(d: import('./dependencies.js').Dependency): unknown {
    switch (d.kind) {
      case 'vault.read':
        return d.path in FIXTURE.reads ? envelope(FIXTURE.reads[d.path]!) : undefined;
      case 'vault.write':
        return d.path in FIXTURE.writes ? envelope(FIXTURE.writes[d.path]!) : undefined;
      case 'vault.list':
        return FIXTURE.lists[d.path];
      case 'file':
        return FIXTURE.files[d.path];
      case 'vault.pki':
        return FIXTURE.pki[d.path];
    }
  },
};

const cases: readonly Case[] = [
  {
    name: 'default map template KV v2',
    template: '{{ with secret "secret/data/app" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}',
    want: 'data: map[password:s3cr3t username:app]\nmetadata: map[created_time:2024-01-02T03:04:05.123456789Z custom_metadata:<nil> deletion_time: destroyed:false version:1]\n',
  },
  {
    name: 'default json template KV v2',
    template: '{{ with secret "secret/data/app" }}{{ .Data | toJSON }}\n{{ end }}',
    want: '{"data":{"password":"s3cr3t","username":"app"},"metadata":{"created_time":"2024-01-02T03:04:05.123456789Z","custom_metadata":null,"deletion_time":"","destroyed":false,"version":1}}\n',
  },
  {
    name: 'default map template database creds',
    template: '{{ with secret "database/creds/app" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}',
    want: 'password: pw-1\nusername: v-app-xyz\n',
  },
  {
    name: 'default json template database creds',
    template: '{{ with secret "database/creds/app" }}{{ .Data | toJSON }}\n{{ end }}',
    want: '{"password":"pw-1","username":"v-app-xyz"}\n',
  },
  {
    name: 'kv2 data field',
    template: '{{ with secret "secret/data/app" }}{{ .Data.data.username }}:{{ .Data.data.password }}{{ end }}',
    want: 'app:s3cr3t',
  },
  {
    name: 'kv2 whole data.data',
    template: '{{ with secret "secret/data/app" }}{{ .Data.data }}{{ end }}',
    want: 'map[password:s3cr3t username:app]',
  },
  {
    name: 'kv2 version number',
    template: '{{ with secret "secret/data/app" }}{{ .Data.metadata.version }}{{ end }}',
    want: '1',
  },
  {
    name: 'print whole secret struct',
    template: '{{ with secret "database/creds/app" }}{{ . }}{{ end }}',
    want: '{req-db database/creds/app/abc 3600 true map[password:pw-1 username:v-app-xyz] [] <nil> <nil>}',
  },
  {
    name: 'secret struct fields',
    template:
      '{{ with secret "database/creds/app" }}{{ .RequestID }} {{ .LeaseID }} {{ .LeaseDuration }} {{ .Renewable }} {{ .Warnings }} {{ .Auth }} {{ .WrapInfo }}{{ end }}',
    want: 'req-db database/creds/app/abc 3600 true [] <nil> <nil>',
  },
  {
    name: 'secret warnings',
    template: '{{ with secret "secret/legacy" }}{{ .Warnings }} {{ index .Warnings 0 }}{{ end }}',
    want: '[careful] careful',
  },
  {
    name: 'secret auth fields',
    template:
      '{{ with secret "auth/token/lookup-self" }}{{ .Auth.ClientToken }} {{ .Auth.Accessor }} {{ .Auth.Policies }} {{ .Auth.Metadata }} {{ .Auth.LeaseDuration }} {{ .Auth.Renewable }}{{ end }}',
    want: 'hvs.tok acc-1 [default app] map[role:app] 600 true',
  },
  {
    name: 'secret auth struct print',
    template: '{{ with secret "auth/token/lookup-self" }}{{ .Auth }}{{ end }}',
    want: '{hvs.tok acc-1 [default app] map[role:app] 600 true}',
  },
  {
    name: 'secret nil data prints empty map',
    template: '{{ with secret "auth/token/lookup-self" }}{{ .Data }}{{ end }}',
    want: 'map[]',
  },
  {
    name: 'unknown struct field',
    template: '{{ with secret "secret/data/app" }}{{ .Dat }}{{ end }}',
    wantError: 'template: :1:38: executing "" at <.Dat>: can\'t evaluate field Dat in type *dependency.Secret',
  },
  {
    name: 'unknown struct field missingkey=error',
    template: '{{ with secret "secret/data/app" }}{{ .Dat }}{{ end }}',
    errorOnMissingKey: true,
    wantError: 'template: :1:38: executing "" at <.Dat>: can\'t evaluate field Dat in type *dependency.Secret',
  },
  {
    name: 'missing map key zero',
    template: '{{ with secret "secret/data/app" }}{{ .Data.data.nope }}{{ end }}',
    want: '<no value>',
  },
  {
    name: 'missing map key error',
    template: '{{ with secret "secret/data/app" }}{{ .Data.data.nope }}{{ end }}',
    errorOnMissingKey: true,
    wantError: 'template: :1:43: executing "" at <.Data.data.nope>: map has no entry for key "nope"',
  },
  {
    name: 'missing intermediate zero',
    template: '{{ with secret "secret/data/app" }}{{ .Data.nope.x }}{{ end }}',
    wantError: 'template: :1:43: executing "" at <.Data.nope.x>: nil pointer evaluating interface {}.x',
  },
  {
    name: 'missing intermediate error',
    template: '{{ with secret "secret/data/app" }}{{ .Data.nope.x }}{{ end }}',
    errorOnMissingKey: true,
    wantError: 'template: :1:43: executing "" at <.Data.nope.x>: map has no entry for key "nope"',
  },
  {
    name: 'json null prints no value',
    template: '{{ with secret "secret/legacy" }}{{ .Data.nul }}{{ end }}',
    errorOnMissingKey: true,
    want: '<no value>',
  },
  {
    name: 'index missing key',
    template: '{{ with secret "secret/legacy" }}{{ index .Data "nope" }}{{ end }}',
    errorOnMissingKey: true,
    want: '<no value>',
  },
  {
    name: 'secret with version query',
    template:
      '{{ with secret "secret/data/versioned?version=2" }}{{ .Data.data.v }} {{ .Data.metadata.version }}{{ end }}',
    want: 'two 2',
  },
  {
    name: 'secret path trimmed',
    template: '{{ with secret " /secret/data/app/ " }}{{ .Data.data.username }}{{ end }}',
    want: 'app',
  },
  {
    name: 'secret empty path',
    template: '{{ secret "" }}',
    wantError: 'template: :1:3: executing "" at <secret "">: error calling secret: vault.read: invalid format: ""',
  },
  {
    name: 'secret slash path',
    template: '{{ secret "/" }}',
    wantError: 'template: :1:3: executing "" at <secret "/">: error calling secret: vault.read: invalid format: ""',
  },
  { name: 'secret no args', template: '{{ secret }}', want: '<no value>' },
  {
    name: 'secret write',
    template: '{{ with secret "transit/encrypt/app" "plaintext=aGk=" " context = x " }}{{ .Data.ciphertext }}{{ end }}',
    want: 'vault:v1:abc',
  },
  {
    name: 'secret write bad pair',
    template: '{{ secret "transit/encrypt/app" "plaintext" }}',
    wantError:
      'template: :1:3: executing "" at <secret "transit/encrypt/app" "plaintext">: error calling secret: not k=v pair "plaintext"',
  },
  {
    name: 'secret write empty arg skipped',
    template: '{{ with secret "transit/encrypt/app" "" }}{{ .Data.ciphertext }}{{ end }}',
    want: 'vault:v1:abc',
  },
  {
    name: 'secret number arg',
    template: '{{ secret 5 }}',
    wantError: 'template: :1:10: executing "" at <5>: expected string; found 5',
  },
  {
    name: 'secret missing with',
    template: '{{ with secret "secret/data/none" }}x{{ end }}',
    wantMissing: ['vault.read(secret/data/none)'],
  },
  {
    name: 'secret missing field zero',
    template: '{{ (secret "secret/data/none").Data.foo }}',
    wantMissing: ['vault.read(secret/data/none)'],
  },
  {
    name: 'secret missing field error',
    template: '{{ (secret "secret/data/none").Data.foo }}',
    errorOnMissingKey: true,
    wantError: 'template: :1:11: executing "" at <"secret/data/none">: nil data; no entry for key "Data"',
  },
  {
    name: 'secret missing and present',
    template: '{{ with secret "secret/data/app" }}a{{ end }}{{ with secret "secret/data/none" }}b{{ end }}',
    wantMissing: ['vault.read(secret/data/none)'],
  },
  {
    name: 'two passes record both',
    template:
      '{{ with secret "secret/data/app" }}{{ with secret "database/creds/app" }}{{ .Data.username }}{{ end }}{{ end }}',
    want: 'v-app-xyz',
  },
  {
    name: 'secret into variable',
    template: '{{ $s := secret "database/creds/app" }}{{ $s.Data.username }}',
    want: 'v-app-xyz',
  },
  { name: 'secrets list', template: '{{ range secrets "secret/metadata/apps" }}{{ . }};{{ end }}', want: 'a;b;c/;' },
  { name: 'secrets print', template: '{{ secrets "secret/metadata/apps" }}', want: '[a b c/]' },
  {
    name: 'secrets empty',
    template: '{{ range secrets "secret/metadata/empty" }}{{ . }}{{ else }}none{{ end }}',
    want: 'none',
  },
  {
    name: 'secrets missing',
    template: '{{ range secrets "secret/metadata/none" }}{{ . }}{{ else }}none{{ end }}',
    wantMissing: ['vault.list(secret/metadata/none)'],
  },
  { name: 'secrets empty path', template: '{{ secrets "" }}', want: '[]' },
  { name: 'secrets join', template: '{{ secrets "secret/metadata/apps" | join "," }}', want: 'a,b,c/' },
  {
    name: 'pkiCert fields',
    template:
      '{{ with pkiCert "pki/issue/web" "common_name=a.example.com" }}{{ .Cert }} {{ .Key }} {{ .CA }} {{ .CAChain }}{{ end }}',
    want: 'CERT KEY CA [CA ROOT]',
  },
  {
    name: 'pkiCert Data method',
    template: '{{ with pkiCert "pki/issue/web" "common_name=a.example.com" }}{{ .Data.Cert }} {{ .Data.Key }}{{ end }}',
    want: 'CERT KEY',
  },
  {
    name: 'pkiCert print',
    template: '{{ with pkiCert "pki/issue/web" "common_name=a.example.com" }}{{ . }}{{ end }}',
    want: '{CERT KEY CA [CA ROOT]}',
  },
  {
    name: 'pkiCert bad pair',
    template: '{{ pkiCert "pki/issue/web" "common_name" }}',
    wantError:
      'template: :1:3: executing "" at <pkiCert "pki/issue/web" "common_name">: error calling pkiCert: not k=v pair "common_name"',
  },
  {
    name: 'pkiCert missing',
    template: '{{ with pkiCert "pki/issue/other" "common_name=x" }}{{ .Cert }}{{ end }}',
    wantMissing: ['vault.pki(pki/issue/other)'],
  },
  {
    name: 'number prints verbatim',
    template: '{{ with secret "secret/legacy" }}{{ .Data.n }} {{ .Data.f }} {{ .Data.neg }} {{ .Data.big }}{{ end }}',
    want: '3600 1.50 -7 12345678901234567890',
  },
  {
    name: 'number eq string',
    template:
      '{{ with secret "secret/legacy" }}{{ eq .Data.n "3600" }} {{ eq .Data.f "1.5" }} {{ eq .Data.f "1.50" }}{{ end }}',
    want: 'true false true',
  },
  {
    name: 'number eq int error',
    template: '{{ with secret "secret/legacy" }}{{ eq .Data.n 3600 }}{{ end }}',
    wantError:
      'template: :1:36: executing "" at <eq .Data.n [redacted]>: error calling eq: incompatible types for comparison: json.Number and int',
  },
  {
    name: 'number lt string',
    template: '{{ with secret "secret/legacy" }}{{ lt .Data.n "4" }}{{ end }}',
    want: 'true',
  },
  {
    name: 'number len',
    template: '{{ with secret "secret/legacy" }}{{ len .Data.n }} {{ len .Data.f }}{{ end }}',
    want: '4 4',
  },
  {
    name: 'number to string func',
    template: '{{ with secret "secret/legacy" }}{{ toUpper .Data.n }}{{ end }}',
    wantError: 'template: :1:49: executing "" at <.Data.n>: wrong type for value; expected string; got json.Number',
  },
  {
    name: 'number piped to string func',
    template: '{{ with secret "secret/legacy" }}{{ .Data.n | toUpper }}{{ end }}',
    wantError: 'template: :1:46: executing "" at <toUpper>: wrong type for value; expected string; got json.Number',
  },
  {
    name: 'number printf',
    template: '{{ with secret "secret/legacy" }}{{ printf "%s|%v|%d|%q" .Data.n .Data.n .Data.n .Data.n }}{{ end }}',
    want: '3600|3600|%!d(json.Number=3600)|"3600"',
  },
  {
    name: 'number printf T',
    template: '{{ with secret "secret/legacy" }}{{ printf "%T" .Data.n }}{{ end }}',
    want: 'json.Number',
  },
  {
    name: 'number in map print',
    template: '{{ with secret "secret/legacy" }}{{ .Data.obj }}{{ end }}',
    want: 'map[j:1 k:v]',
  },
  {
    name: 'number toJSON',
    template: '{{ with secret "secret/legacy" }}{{ .Data.obj | toJSON }} {{ .Data.f | toJSON }}{{ end }}',
    want: '{"j":1,"k":"v"} 1.50',
  },
  {
    name: 'number add',
    template: '{{ with secret "secret/legacy" }}{{ add 1 .Data.n }}{{ end }}',
    wantError:
      'template: :1:36: executing "" at <add 1 .Data.n>: error calling add: add: unknown type for "[redacted]" (json.Number)',
  },
  {
    name: 'number truthy',
    template: '{{ with secret "secret/legacy" }}{{ if .Data.n }}yes{{ end }}{{ end }}',
    want: 'yes',
  },
  {
    name: 'number index map',
    template: '{{ with secret "secret/legacy" }}{{ index .Data.obj "j" }}{{ end }}',
    want: '1',
  },
  {
    name: 'html data toJSON',
    template: '{{ with secret "secret/legacy" }}{{ .Data.html | toJSON }}{{ end }}',
    want: '"\\u003ca\\u0026b\\u003e"',
  },
  {
    name: 'html data toUnescapedJSON',
    template: '{{ with secret "secret/legacy" }}{{ .Data.html | toUnescapedJSON }}{{ end }}',
    want: '"<a&b>"',
  },
  {
    name: 'toJSON nested legacy',
    template: '{{ with secret "secret/legacy" }}{{ .Data | toJSON }}{{ end }}',
    want: '{"a":"one-a","arr":["x","y"],"b64":"aGVsbG8=","big":12345678901234567890,"csv":" a,b ,c ","f":1.50,"html":"\\u003ca\\u0026b\\u003e","json":"{\\"k\\":[1,2.5,\\"x\\"]}","mixed":[1,"1",1.5,true,null],"n":3600,"neg":-7,"nul":null,"obj":{"j":1,"k":"v"},"path/other":"other-o","path/to/key":"deep","t":true,"yaml":"a: 1\\nb: [x, y]\\n"}',
  },
  {
    name: 'toJSONPretty',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ .obj | toJSONPretty }}{{ end }}{{ end }}',
    want: '{\n  "j": 1,\n  "k": "v"\n}',
  },
  {
    name: 'toJSONPretty empty',
    template: '{{ parseJSON "{}" | toJSONPretty }}|{{ parseJSON "[]" | toJSONPretty }}',
    want: '{}|[]',
  },
  {
    name: 'toUnescapedJSONPretty',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ .html | toUnescapedJSONPretty }}{{ end }}{{ end }}',
    want: '"<a&b>"',
  },
  {
    name: 'toJSON secret struct',
    template: '{{ with secret "database/creds/app" }}{{ toJSON . }}{{ end }}',
    want: '{"RequestID":"req-db","LeaseID":"database/creds/app/abc","LeaseDuration":3600,"Renewable":true,"Data":{"password":"pw-1","username":"v-app-xyz"},"Warnings":null,"Auth":null,"WrapInfo":null}',
  },
  { name: 'toJSON string list', template: '{{ split "," "a,b" | toJSON }}', want: '["a","b"]' },
  { name: 'toJSON nil', template: '{{ toJSON nil }}', want: 'null' },
  {
    name: 'toYAML map',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ .obj | toYAML }}{{ end }}{{ end }}',
    want: 'j: 1\nk: v',
  },
  {
    name: 'toYAML kv2',
    template: '{{ with secret "secret/data/app" }}{{ .Data.data | toYAML }}{{ end }}',
    want: 'password: s3cr3t\nusername: app',
  },
  {
    name: 'toYAML list',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ .arr | toYAML }}{{ end }}{{ end }}',
    want: '- x\n- "y"',
  },
  {
    name: 'toTOML map',
    template: '{{ with secret "secret/data/app" }}{{ .Data.data | toTOML }}{{ end }}',
    want: 'password = "s3cr3t"\nusername = "app"',
  },
  { name: 'base64Encode', template: '{{ "hello" | base64Encode }}', want: 'aGVsbG8=' },
  {
    name: 'base64Decode',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ .b64 | base64Decode }}{{ end }}{{ end }}',
    want: 'hello',
  },
  {
    name: 'base64Decode error',
    template: '{{ "!!!" | base64Decode }}',
    wantError:
      'template: :1:11: executing "" at <base64Decode>: error calling base64Decode: base64Decode: illegal base64 data at input byte 0',
  },
  { name: 'base64URLEncode', template: '{{ "??>>" | base64URLEncode }}', want: 'Pz8-Pg==' },
  { name: 'base64URLDecode', template: '{{ "Pz8-Pg==" | base64URLDecode }}', want: '??>>' },
  {
    name: 'split and range',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ range split "," .csv }}[{{ . }}]{{ end }}{{ end }}{{ end }}',
    want: '[a][b ][c]',
  },
  { name: 'split empty', template: '{{ split "," "" }}|{{ len (split "," "  ") }}', want: '[]|0' },
  { name: 'split print', template: '{{ split "," "a,b,c" }}', want: '[a b c]' },
  {
    name: 'join vault array error',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ .arr | join "," }}{{ end }}{{ end }}',
    wantError: 'template: :1:64: executing "" at <",">: wrong type for value; expected []string; got []interface {}',
  },
  { name: 'join split', template: '{{ "a b c" | split " " | join "-" }}', want: 'a-b-c' },
  { name: 'replaceAll', template: '{{ "a-b-c" | replaceAll "-" "_" }}', want: 'a_b_c' },
  {
    name: 'regexReplaceAll',
    template: '{{ "foo123bar" | regexReplaceAll "[0-9]+" "#" }}|{{ "ab" | regexReplaceAll "(a)(b)" "$2$1" }}',
    want: 'foo#bar|ba',
  },
  {
    name: 'regexMatch',
    template: '{{ "foo123" | regexMatch "^foo[0-9]+$" }} {{ regexMatch "x" "abc" }}',
    want: 'true false',
  },
  { name: 'toLower toUpper', template: '{{ "MiXeD" | toLower }} {{ "MiXeD" | toUpper }}', want: 'mixed MIXED' },
  { name: 'toTitle', template: '{{ "hello world-wide web_site" | toTitle }}', want: 'Hello World-Wide Web_site' },
  { name: 'trimSpace', template: '[{{ "  x y \\n" | trimSpace }}]', want: '[x y]' },
  { name: 'trim cutset', template: '{{ "xxhixx" | trim "x" }}', want: 'hi' },
  {
    name: 'trimPrefix trimSuffix',
    template: '{{ "prefix-body" | trimPrefix "prefix-" }} {{ "body.txt" | trimSuffix ".txt" }}',
    want: 'body body',
  },
  {
    name: 'string func wrong type int',
    template: '{{ toUpper 5 }}',
    wantError: 'template: :1:11: executing "" at <5>: expected string; found 5',
  },
  {
    name: 'string func nil pipe',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ .nul | toUpper }}{{ end }}{{ end }}',
    wantError: 'template: :1:59: executing "" at <toUpper>: invalid value; expected string',
  },
  {
    name: 'string func missing key',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ .nope | toUpper }}{{ end }}{{ end }}',
    wantError: 'template: :1:60: executing "" at <toUpper>: invalid value; expected string',
  },
  {
    name: 'sha256Hex',
    template: '{{ "hello" | sha256Hex }}',
    want: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
  },
  { name: 'md5sum', template: '{{ "hello" | md5sum }}', want: '5d41402abc4b2a76b9719d911017c592' },
  {
    name: 'hmacSHA256Hex',
    template: '{{ hmacSHA256Hex "message" "key" }}',
    want: '6e9ef29b75fffc5b7abae527d58fdadb2fe42e7219011976917343065f58ed4a',
  },
  { name: 'indent', template: '{{ "a\\nb\\n\\nc" | indent 2 }}', want: '  a\n  b\n\n  c' },
  {
    name: 'indent negative',
    template: '{{ "a" | indent -1 }}',
    wantError:
      'template: :1:9: executing "" at <indent -1>: error calling indent: indent value must be a positive integer',
  },
  {
    name: 'parseJSON',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ with parseJSON .json }}{{ .k }} {{ index .k 0 | printf "%T" }}{{ end }}{{ end }}{{ end }}',
    want: '[1 2.5 x] float64',
  },
  { name: 'parseJSON empty', template: '{{ parseJSON "" }}', want: 'map[]' },
  {
    name: 'parseJSON error',
    template: '{{ parseJSON "{" }}',
    wantError: 'template: :1:3: executing "" at <parseJSON "{">: error calling parseJSON: unexpected end of JSON input',
  },
  {
    name: 'parseYAML',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ with parseYAML .yaml }}{{ .a }} {{ .b }}{{ end }}{{ end }}{{ end }}',
    want: '1 [x true]',
  },
  {
    name: 'parseBool',
    template: '{{ parseBool "true" }} {{ parseBool "0" }} {{ parseBool "" }}',
    want: 'true false false',
  },
  {
    name: 'parseBool error',
    template: '{{ parseBool "yes" }}',
    wantError:
      'template: :1:3: executing "" at <parseBool "yes">: error calling parseBool: parseBool: strconv.ParseBool: parsing "yes": invalid syntax',
  },
  { name: 'parseInt', template: '{{ parseInt "-42" }} {{ parseInt "" }} {{ parseInt "42" }}', want: '-42 0 42' },
  {
    name: 'parseInt error',
    template: '{{ parseInt "4x" }}',
    wantError:
      'template: :1:3: executing "" at <parseInt "4x">: error calling parseInt: parseInt: strconv.ParseInt: parsing "4x": invalid syntax',
  },
  { name: 'parseUint', template: '{{ parseUint "42" }}', want: '42' },
  {
    name: 'parseFloat',
    template: '{{ parseFloat "1.5" }} {{ parseFloat "2" }} {{ parseFloat "2" | printf "%T" }}',
    want: '1.5 2 float64',
  },
  { name: 'env', template: '{{ env "FOO" }}|{{ env "NOPE_H2" }}|', want: 'bar||' },
  { name: 'mustEnv', template: '{{ mustEnv "FOO" }}', want: 'bar' },
  {
    name: 'mustEnv empty',
    template: '{{ mustEnv "EMPTY" }}',
    wantError:
      'template: :1:3: executing "" at <mustEnv "EMPTY">: error calling mustEnv: required environment variable EMPTY is empty',
  },
  {
    name: 'envOrDefault',
    template: '{{ envOrDefault "FOO" "d" }} {{ envOrDefault "EMPTY" "d" }}| {{ envOrDefault "NOPE_H2" "d" }}',
    want: 'bar | d',
  },
  {
    name: 'env number arg',
    template: '{{ env 1 }}',
    wantError: 'template: :1:7: executing "" at <1>: expected string; found 1',
  },
  { name: 'file', template: '{{ file "/tmp/h2-fixture.txt" }}', want: 'file content\n' },
  { name: 'file missing', template: '{{ file "/tmp/h2-nope.txt" }}x', wantMissing: ['file(/tmp/h2-nope.txt)'] },
  { name: 'file empty path', template: '[{{ file "" }}]', want: '[]' },
  {
    name: 'file outside sandbox',
    template: '{{ file "/etc/passwd" }}',
    sandbox: '/tmp/h2-sandbox',
    wantError:
      'template: :1:3: executing "" at <file "/etc/passwd">: error calling file: \'/etc/passwd\' is outside of sandbox',
  },
  {
    name: 'contains string',
    template: '{{ "hello" | contains "ell" }} {{ contains "z" "hello" }}',
    want: 'true false',
  },
  {
    name: 'contains list',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ .arr | contains "x" }} {{ .arr | contains "q" }}{{ end }}{{ end }}',
    want: 'true false',
  },
  {
    name: 'in list',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ in .arr "y" }}{{ end }}{{ end }}',
    want: 'true',
  },
  {
    name: 'contains number vs string',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ in .mixed "1" }} {{ in .mixed 1 }}{{ end }}{{ end }}',
    want: 'true false',
  },
  {
    name: 'containsAll',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ containsAll (parseJSON "[\\"x\\",\\"y\\"]") .arr }}{{ end }}{{ end }}',
    want: 'true',
  },
  {
    name: 'containsAny',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ containsAny (parseJSON "[\\"q\\",\\"y\\"]") .arr }}{{ end }}{{ end }}',
    want: 'true',
  },
  {
    name: 'containsNone',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ containsNone (parseJSON "[\\"q\\"]") .arr }}{{ end }}{{ end }}',
    want: 'true',
  },
  {
    name: 'containsNotAll',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ containsNotAll (parseJSON "[\\"x\\",\\"q\\"]") .arr }}{{ end }}{{ end }}',
    want: 'true',
  },
  {
    name: 'containsAll string slice error',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ containsAll (split "," "x") .arr }}{{ end }}{{ end }}',
    wantError: 'template: :1:75: executing "" at <"x">: wrong type for value; expected []interface {}; got []string',
  },
  { name: 'loop one arg', template: '{{ range loop 3 }}{{ . }},{{ end }}', want: '0,1,2,' },
  { name: 'loop two args', template: '{{ range $i := loop 5 8 }}{{ $i }};{{ end }}', want: '5;6;7;' },
  { name: 'loop string args', template: '{{ range loop "2" }}{{ . }}{{ end }}', want: '01' },
  {
    name: 'loop bad',
    template: '{{ range loop 1.5 }}{{ . }}{{ end }}',
    wantError: 'template: :1:9: executing "" at <loop 1.5>: error calling loop: loop: bad argument type: float64',
  },
  { name: 'add subtract', template: '{{ add 1 2 }} {{ subtract 1 5 }} {{ 10 | subtract 3 }}', want: '3 4 7' },
  { name: 'multiply divide modulo', template: '{{ multiply 3 4 }} {{ divide 2 9 }} {{ modulo 4 10 }}', want: '12 4 2' },
  { name: 'float math', template: '{{ add 1.5 2 }} {{ divide 2 5.0 }} {{ multiply 2 1.5 }}', want: '3.5 2.5 3' },
  { name: 'minimum maximum', template: '{{ minimum 3 7 }} {{ maximum 3 7 }} {{ maximum 2.5 1 }}', want: '3 7 2.5' },
  {
    name: 'math string error',
    template: '{{ add "a" 1 }}',
    wantError: 'template: :1:3: executing "" at <add "a" 1>: error calling add: add: unknown type for "a" (string)',
  },
  {
    name: 'divide by zero',
    template: '{{ divide 0 1 }}',
    wantError:
      'template: :1:3: executing "" at <divide 0 1>: error calling divide: runtime error: integer divide by zero',
  },
  { name: 'splitToMap', template: '{{ splitToMap "," ":" "a:1,b:2" }}', want: 'map[a:1 b:2]' },
  {
    name: 'explodeMap',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ explodeMap . | toJSON }}{{ end }}{{ end }}',
    want: '{"a":"one-a","arr":["x","y"],"b64":"aGVsbG8=","big":12345678901234567890,"csv":" a,b ,c ","f":1.50,"html":"\\u003ca\\u0026b\\u003e","json":"{\\"k\\":[1,2.5,\\"x\\"]}","mixed":[1,"1",1.5,true,null],"n":3600,"neg":-7,"nul":null,"obj":{"j":1,"k":"v"},"path":{"other":"other-o","to":{"key":"deep"}},"t":true,"yaml":"a: 1\\nb: [x, y]\\n"}',
  },
  {
    name: 'mergeMap',
    template: '{{ mergeMap (parseJSON "{\\"a\\":1}") (parseJSON "{\\"a\\":2,\\"b\\":3}") | toJSON }}',
    want: '{"a":1,"b":3}',
  },
  {
    name: 'executeTemplate',
    template: '{{ define "t" }}[{{ . }}]{{ end }}{{ executeTemplate "t" "x" }}{{ executeTemplate "t" }}',
    want: '[x][<no value>]',
  },
  {
    name: 'executeTemplate unknown',
    template: '{{ executeTemplate "nope" }}',
    wantError:
      'template: :1:3: executing "" at <executeTemplate "nope">: error calling executeTemplate: template: no template "nope" associated with template ""',
  },
  {
    name: 'scratch',
    template:
      '{{ scratch.Set "a" "1" }}{{ scratch.Get "a" }} {{ scratch.Key "a" }} {{ scratch.Key "b" }}{{ scratch.SetX "a" "2" }} {{ scratch.Get "a" }}',
    want: '1 true false 1',
  },
  {
    name: 'scratch map',
    template: '{{ scratch.MapSet "m" "b" "2" }}{{ scratch.MapSet "m" "a" "1" }}{{ scratch.MapValues "m" }}',
    want: '[1 2]',
  },
  {
    name: 'denylist',
    template: '{{ toJSON "x" }}',
    denylist: ['toJSON'],
    wantError: 'template: :1:3: executing "" at <toJSON "x">: error calling toJSON: function is disabled',
  },
  {
    name: 'denylist string arg',
    template: '{{ env "FOO" }}',
    denylist: ['env'],
    wantError: 'template: :1:3: executing "" at <env "FOO">: error calling env: function is disabled',
  },
  { name: 'denylist unknown name', template: '{{ env "FOO" }}', denylist: ['nope'], want: 'bar' },
  {
    name: 'redacted error',
    template: '{{ with secret "database/creds/app" }}{{ .Data.password | parseInt }}{{ end }}',
    wantError:
      'template: :1:58: executing "" at <parseInt>: error calling parseInt: parseInt: strconv.ParseInt: parsing "[redacted]": invalid syntax',
  },
  {
    name: 'toTOML nested',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ . | toTOML }}{{ end }}{{ end }}',
    wantError:
      'template: :1:56: executing "" at <toTOML>: error calling toTOML: toTOML: toml: cannot encode array with nil element',
  },
  {
    name: 'toYAML nested',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ . | toYAML }}{{ end }}{{ end }}',
    want: 'a: one-a\narr:\n- x\n- "y"\nb64: aGVsbG8=\nbig: 1.2345678901234567e+19\ncsv: \' a,b ,c \'\nf: 1.5\nhtml: <a&b>\njson: \'{"k":[1,2.5,"x"]}\'\nmixed:\n- 1\n- "1"\n- 1.5\n- true\n- null\n"n": 3600\nneg: -7\nnul: null\nobj:\n  j: 1\n  k: v\npath/other: other-o\npath/to/key: deep\nt: true\nyaml: |\n  a: 1\n  b: [x, y]',
  },
  {
    name: 'toYAML kv2 secret data',
    template: '{{ with secret "secret/data/app" }}{{ .Data | toYAML }}{{ end }}',
    want: 'data:\n  password: s3cr3t\n  username: app\nmetadata:\n  created_time: "2024-01-02T03:04:05.123456789Z"\n  custom_metadata: null\n  deletion_time: ""\n  destroyed: false\n  version: 1',
  },
  {
    name: 'toYAML floats',
    template: '{{ parseJSON "{\\"a\\":1.5,\\"b\\":2,\\"c\\":1234567.5,\\"d\\":0.00001}" | toYAML }}',
    want: 'a: 1.5\nb: 2\nc: 1.2345675e+06\nd: 1e-05',
  },
  {
    name: 'toYAML secret struct',
    template: '{{ with secret "database/creds/app" }}{{ toYAML . }}{{ end }}',
    want: 'requestid: req-db\nleaseid: database/creds/app/abc\nleaseduration: 3600\nrenewable: true\ndata:\n  password: pw-1\n  username: v-app-xyz\nwarnings: []\nauth: null\nwrapinfo: null',
  },
  {
    name: 'toJSONPretty nested',
    template: '{{ with secret "secret/data/app" }}{{ .Data | toJSONPretty }}{{ end }}',
    want: '{\n  "data": {\n    "password": "s3cr3t",\n    "username": "app"\n  },\n  "metadata": {\n    "created_time": "2024-01-02T03:04:05.123456789Z",\n    "custom_metadata": null,\n    "deletion_time": "",\n    "destroyed": false,\n    "version": 1\n  }\n}',
  },
  {
    name: 'parseYAML nested',
    template:
      '{{ with parseYAML "a:\\n  b: [1, 2]\\n  c: yes\\n" }}{{ .a.b }} {{ .a.c }} {{ index .a.b 0 | printf "%T" }}{{ end }}',
    want: '[1 2] true int',
  },
  { name: 'parseYAML empty', template: '{{ parseYAML "" }}', want: 'map[]' },
  {
    name: 'parseUint error',
    template: '{{ parseUint "-1" }}',
    wantError:
      'template: :1:3: executing "" at <parseUint "-1">: error calling parseUint: parseUint: strconv.ParseUint: parsing "-1": invalid syntax',
  },
  {
    name: 'parseFloat error',
    template: '{{ parseFloat "x" }}',
    wantError:
      'template: :1:3: executing "" at <parseFloat "x">: error calling parseFloat: parseFloat: strconv.ParseFloat: parsing "x": invalid syntax',
  },
  {
    name: 'base64URLDecode error',
    template: '{{ base64URLDecode "a" }}',
    wantError:
      'template: :1:3: executing "" at <base64URLDecode "a">: error calling base64URLDecode: base64URLDecode: illegal base64 data at input byte 0',
  },
  {
    name: 'base64Decode bad length',
    template: '{{ base64Decode "aGVsbG8" }}',
    wantError:
      'template: :1:3: executing "" at <base64Decode "aGVsbG8">: error calling base64Decode: base64Decode: illegal base64 data at input byte 4',
  },
  {
    name: 'regexReplaceAll named',
    template: '{{ "k=v" | regexReplaceAll "(?P<key>[a-z]+)=(?P<val>[a-z]+)" "${val}=${key}" }}',
    want: 'v=k',
  },
  { name: 'replaceAll empty from', template: '{{ "ab" | replaceAll "" "-" }}', want: '-a-b-' },
  { name: 'split empty sep', template: '{{ split "" "abc" }}', want: '[a b c]' },
  { name: 'join nil', template: '{{ join "," nil }}', want: '' },
  { name: 'trim unicode', template: '{{ "¡¡hola!!" | trim "¡!" }}', want: 'hola' },
  { name: 'toTitle unicode', template: '{{ "émile zola" | toTitle }}', want: 'Émile Zola' },
  {
    name: 'contains on map',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ contains "k" .obj }}{{ end }}{{ end }}',
    want: 'false',
  },
  {
    name: 'in number list',
    template: '{{ in (parseJSON "[1,2]") 2.0 }} {{ in (parseJSON "[1,2]") 2 }}',
    want: 'true false',
  },
  {
    name: 'mergeMapWithOverride',
    template: '{{ mergeMapWithOverride (parseJSON "{\\"a\\":1}") (parseJSON "{\\"a\\":2,\\"b\\":3}") | toJSON }}',
    want: '{"a":2,"b":3}',
  },
  {
    name: 'mergeMap nested',
    template: '{{ mergeMap (parseJSON "{\\"a\\":{\\"x\\":1}}") (parseJSON "{\\"a\\":{\\"y\\":2}}") | toJSON }}',
    want: '{"a":{"x":1,"y":2}}',
  },
  {
    name: 'explodeMap conflict',
    template: '{{ explodeMap (parseJSON "{\\"a\\":1,\\"a/b\\":2}") }}',
    wantError:
      'template: :1:3: executing "" at <explodeMap (parseJSON "{\\"a\\":1,\\"a/b\\":2}")>: error calling explodeMap: explodeMap: not a map: "a/b": "a" already has value %!!(MISSING)q(float64=1)',
  },
  { name: 'splitToMap bad pair', template: '{{ splitToMap "," ":" "a:1,b" }}', want: 'map[a:1]' },
  {
    name: 'loop wrong count',
    template: '{{ loop 1 2 3 }}',
    wantError:
      'template: :1:3: executing "" at <loop 1 2 3>: error calling loop: loop: wrong number of arguments, expected 1 or 2, but got 3',
  },
  {
    name: 'modulo float',
    template: '{{ modulo 2 5.5 }}',
    wantError:
      'template: :1:3: executing "" at <modulo 2 5.5>: error calling modulo: modulo: unknown type for %!!(MISSING)q(float64=5.5) (float64)',
  },
  { name: 'subtract to negative', template: '{{ subtract 5 1 }}', want: '-4' },
  { name: 'maximum int float', template: '{{ maximum 3 2.5 }} {{ minimum 1 1.5 }}', want: '3 1' },
  {
    name: 'add nil',
    template: '{{ add nil 1 }}',
    wantError:
      'template: :1:3: executing "" at <add nil 1>: error calling add: add: unknown type for <invalid reflect.Value> (<nil>)',
  },
  {
    name: 'timestamp arg type',
    template: '{{ timestamp 5 }}',
    wantError: 'template: :1:13: executing "" at <5>: expected string; found 5',
  },
  {
    name: 'executeTemplate too many',
    template: '{{ define "t" }}x{{ end }}{{ executeTemplate "t" 1 2 }}',
    wantError:
      'template: :1:29: executing "" at <executeTemplate "t" 1 2>: error calling executeTemplate: executeTemplate: wrong number of arguments, expected 1 or 2, but got 3',
  },
  {
    name: 'executeTemplate with secret dot',
    template:
      '{{ define "creds" }}{{ .Data.username }}{{ end }}{{ with secret "database/creds/app" }}{{ executeTemplate "creds" . }}{{ end }}',
    want: 'v-app-xyz',
  },
  {
    name: 'scratch MapSetX and Get',
    template: '{{ scratch.MapSetX "m" "a" "1" }}{{ scratch.MapSetX "m" "a" "2" }}{{ scratch.Get "m" }}',
    want: 'map[a:1]',
  },
  {
    name: 'scratch unknown method',
    template: '{{ scratch.Nope }}',
    wantError: 'template: :1:3: executing "" at <scratch>: can\'t evaluate field Nope in type *template.Scratch',
  },
  { name: 'indent zero', template: '{{ "a\\nb" | indent 0 }}', want: 'a\nb' },
  {
    name: 'indent string arg',
    template: '{{ "a" | indent "2" }}',
    wantError: 'template: :1:16: executing "" at <"2">: expected integer; found "2"',
  },
  {
    name: 'hmac wrong type',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ hmacSHA256Hex .n "k" }}{{ end }}{{ end }}',
    wantError: 'template: :1:66: executing "" at <.n>: wrong type for value; expected string; got json.Number',
  },
  {
    name: 'secret printf struct',
    template: '{{ with secret "database/creds/app" }}{{ printf "%v" . }}{{ end }}',
    want: '&{req-db database/creds/app/abc 3600 true map[password:pw-1 username:v-app-xyz] [] <nil> <nil>}',
  },
  {
    name: 'secret printf type',
    template: '{{ with secret "database/creds/app" }}{{ printf "%T %T" . .Auth }}{{ end }}',
    want: '*dependency.Secret *dependency.SecretAuth',
  },
  {
    name: 'auth nil field access',
    template: '{{ with secret "database/creds/app" }}{{ .Auth.ClientToken }}{{ end }}',
    wantError:
      'template: :1:46: executing "" at <.Auth.ClientToken>: nil pointer evaluating *dependency.SecretAuth.ClientToken',
  },
  {
    name: 'with nil auth',
    template: '{{ with secret "database/creds/app" }}{{ with .Auth }}a{{ else }}no auth{{ end }}{{ end }}',
    want: 'no auth',
  },
  {
    name: 'secret eq struct',
    template:
      '{{ with secret "database/creds/app" }}{{ if .Renewable }}renewable {{ .LeaseDuration | printf "%d" }}{{ end }}{{ end }}',
    want: 'renewable 3600',
  },
  {
    name: 'range warnings',
    template: '{{ with secret "secret/legacy" }}{{ range .Warnings }}w={{ . }}{{ end }}{{ end }}',
    want: 'w=careful',
  },
  { name: 'len data', template: '{{ with secret "database/creds/app" }}{{ len .Data }}{{ end }}', want: '2' },
  {
    name: 'secrets range index',
    template: '{{ range $i, $k := secrets "secret/metadata/apps" }}{{ $i }}={{ $k }} {{ end }}',
    want: '0=a 1=b 2=c/ ',
  },
  {
    name: 'secret write missing',
    template: '{{ with secret "transit/encrypt/other" "a=b" }}x{{ end }}',
    wantMissing: ['vault.write(transit/encrypt/other)'],
  },
  {
    name: 'toJSON kv2 metadata',
    template: '{{ with secret "secret/data/app" }}{{ .Data.metadata | toJSON }}{{ end }}',
    want: '{"created_time":"2024-01-02T03:04:05.123456789Z","custom_metadata":null,"deletion_time":"","destroyed":false,"version":1}',
  },
  {
    name: 'toUnescapedJSON kv2',
    template: '{{ with secret "secret/data/app" }}{{ .Data | toUnescapedJSON }}{{ end }}',
    want: '{"data":{"password":"s3cr3t","username":"app"},"metadata":{"created_time":"2024-01-02T03:04:05.123456789Z","custom_metadata":null,"deletion_time":"","destroyed":false,"version":1}}',
  },
  {
    name: 'missingkey error in range',
    template: '{{ with secret "secret/data/app" }}{{ range $k, $v := .Data.data }}{{ $k }}={{ $v }};{{ end }}{{ end }}',
    errorOnMissingKey: true,
    want: 'password=s3cr3t;username=app;',
  },
  {
    name: 'missingkey error with',
    template: '{{ with secret "secret/data/app" }}{{ with .Data.data.nope }}x{{ else }}none{{ end }}{{ end }}',
    errorOnMissingKey: true,
    wantError: 'template: :1:48: executing "" at <.Data.data.nope>: map has no entry for key "nope"',
  },
  {
    name: 'sprig strings',
    template:
      '{{ sprig_upper "abc" }} {{ sprig_lower "ABC" }} {{ sprig_trim "  x " }} {{ sprig_trimAll "$" "$5.00$" }} {{ sprig_trimPrefix "a" "abc" }} {{ sprig_trimSuffix "c" "abc" }}',
    want: 'ABC abc x 5.00 bc ab',
  },
  {
    name: 'sprig nospace contains',
    template:
      '{{ sprig_nospace " a b\\tc " }} {{ sprig_contains "b" "abc" }} {{ sprig_hasPrefix "a" "abc" }} {{ sprig_hasSuffix "x" "abc" }}',
    want: 'abc true true false',
  },
  {
    name: 'sprig repeat replace',
    template: '{{ sprig_repeat 3 "ab" }} {{ sprig_replace "a" "o" "banana" }}',
    want: 'ababab bonono',
  },
  {
    name: 'sprig indent nindent',
    template: '[{{ sprig_indent 2 "a\\nb" }}][{{ sprig_nindent 2 "a" }}]',
    want: '[  a\n  b][\n  a]',
  },
  {
    name: 'sprig trunc substr',
    template:
      '{{ sprig_trunc 3 "abcdef" }} {{ sprig_trunc -2 "abcdef" }} {{ sprig_substr 1 3 "abcdef" }} {{ sprig_substr -1 2 "abcdef" }} {{ sprig_substr 2 -1 "abcdef" }}',
    want: 'abc ef bc ab cdef',
  },
  {
    name: 'sprig quote squote cat',
    template: '{{ sprig_quote "a" 1 nil "b\\"c" }} {{ sprig_squote "a" 2 }} {{ sprig_cat "a" 1 nil true }}',
    want: '"a" "1" "b\\"c" \'a\' \'2\' a 1 true',
  },
  {
    name: 'sprig quote number',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ sprig_quote .n .f }} {{ sprig_toString .n }}{{ end }}{{ end }}',
    want: '"3600" "1.50" 3600',
  },
  {
    name: 'sprig b64 sha',
    template: '{{ sprig_b64enc "hi" }} {{ sprig_b64dec "aGk=" }} {{ sprig_sha1sum "hi" }} {{ sprig_sha256sum "hi" }}',
    want: 'aGk= hi c22b5f9178342609428d6f51b2c5af4c0bde6a42 8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4',
  },
  { name: 'sprig b64dec bad', template: '{{ sprig_b64dec "!" }}', want: 'illegal base64 data at input byte 0' },
  {
    name: 'sprig toJson',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ sprig_toJson .obj }} {{ sprig_toJson .html }}{{ end }}{{ end }}',
    want: '{"j":1,"k":"v"} "\\u003ca\\u0026b\\u003e"',
  },
  {
    name: 'sprig toPrettyJson',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ sprig_toPrettyJson .obj }}{{ end }}{{ end }}',
    want: '{\n  "j": 1,\n  "k": "v"\n}',
  },
  {
    name: 'sprig join',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ sprig_join "," .arr }} {{ sprig_join "-" .mixed }} {{ sprig_join "," "x" }}{{ end }}{{ end }}',
    want: 'x,y 1-1-1.5-true x',
  },
  {
    name: 'sprig splitList',
    template: '{{ sprig_splitList "," "a,,b" }} {{ sprig_splitList "," "a,b" | join "+" }}',
    want: '[a  b] a+b',
  },
  { name: 'sprig sortAlpha', template: '{{ sprig_sortAlpha (sprig_list "b" "a" "C" 1) }}', want: '[1 C a b]' },
  {
    name: 'sprig default',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ sprig_default "d" .nope }} {{ sprig_default "d" .a }} {{ sprig_default "d" "" }} {{ sprig_default "d" 0 }} {{ sprig_default "d" .n }}{{ end }}{{ end }}',
    want: 'd one-a d d 3600',
  },
  {
    name: 'sprig default piped',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ .nope | sprig_default "fallback" }}{{ end }}{{ end }}',
    want: 'fallback',
  },
  {
    name: 'sprig empty coalesce',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ sprig_empty "" }} {{ sprig_empty .obj }} {{ sprig_empty .nul }} {{ sprig_coalesce .nul "" "x" }}{{ end }}{{ end }}',
    want: 'true false true x',
  },
  {
    name: 'sprig ternary',
    template: '{{ sprig_ternary "yes" "no" true }} {{ true | sprig_ternary "yes" "no" }}',
    want: 'yes yes',
  },
  {
    name: 'sprig list dict',
    template: '{{ sprig_list 1 "a" nil }} {{ sprig_dict "a" 1 "b" }} {{ sprig_dict 1 2 }}',
    want: '[1 a <nil>] map[a:1 b:] map[1:2]',
  },
  {
    name: 'sprig hasKey pick omit',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ sprig_hasKey .obj "k" }} {{ sprig_pick .obj "k" "zz" }} {{ sprig_omit .obj "k" }}{{ end }}{{ end }}',
    want: 'true map[k:v] map[j:1]',
  },
  {
    name: 'sprig first last rest initial',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ sprig_first .arr }} {{ sprig_last .arr }} {{ sprig_rest .arr }} {{ sprig_initial .arr }} {{ sprig_first (sprig_list) }}{{ end }}{{ end }}',
    want: 'x y [y] [x] <no value>',
  },
  {
    name: 'sprig reverse uniq compact',
    template:
      '{{ sprig_reverse (sprig_list 1 2 3) }} {{ sprig_uniq (sprig_list 1 1 "1" 2) }} {{ sprig_compact (sprig_list 0 "" "a" nil false 1) }}',
    want: '[3 2 1] [1 1 2] [a 1]',
  },
  {
    name: 'sprig has without',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ sprig_has "x" .arr }} {{ sprig_has "q" .arr }} {{ sprig_has 1 nil }} {{ sprig_without .mixed 1 "1" }}{{ end }}{{ end }}',
    want: 'true false false [1 1.5 true <nil>]',
  },
  {
    name: 'sprig until atoi int',
    template:
      '{{ sprig_until 3 }} {{ sprig_until -2 }} {{ sprig_atoi "42" }} {{ sprig_atoi "x" }} {{ sprig_int "12" }} {{ sprig_int 2.9 }} {{ sprig_int "0x10" }}',
    want: '[0 1 2] [0 -1] 42 0 12 2 16',
  },
  {
    name: 'sprig int json number',
    template:
      '{{ with secret "secret/legacy" }}{{ with .Data }}{{ sprig_int .n }} {{ sprig_int .f }} {{ sprig_add .n 1 }}{{ end }}{{ end }}',
    want: '3600 0 3601',
  },
  {
    name: 'sprig math',
    template:
      '{{ sprig_add 1 2 3 }} {{ sprig_sub 5 7 }} {{ sprig_mul 2 3 4 }} {{ sprig_div 7 2 }} {{ sprig_mod 7 3 }} {{ sprig_max 1 9 3 }} {{ sprig_min 4 2 8 }} {{ sprig_add "3" 1.9 }}',
    want: '6 -2 24 3 1 9 2 4',
  },
  {
    name: 'sprig div zero',
    template: '{{ sprig_div 1 0 }}',
    wantError:
      'template: :1:3: executing "" at <sprig_div 1 0>: error calling sprig_div: runtime error: integer divide by zero',
  },
  {
    name: 'sprig first on string',
    template: '{{ sprig_first "abc" }}',
    wantError:
      'template: :1:3: executing "" at <sprig_first "abc">: error calling sprig_first: Cannot find first on type string',
  },
  {
    name: 'sprig typed param',
    template: '{{ sprig_upper 1 }}',
    wantError: 'template: :1:15: executing "" at <1>: expected string; found 1',
  },
  {
    name: 'toTOML kv2 data',
    template: '{{ with secret "secret/data/app" }}{{ .Data | toTOML }}{{ end }}',
    want: '[data]\n  password = "s3cr3t"\n  username = "app"\n\n[metadata]\n  created_time = "2024-01-02T03:04:05.123456789Z"\n  deletion_time = ""\n  destroyed = false\n  version = 1',
  },
  {
    name: 'toTOML arrays and numbers',
    template:
      '{{ sprig_dict "a" (sprig_list 1 2) "b" "x\ty" "f" 1.5 "g" 2.0 "k y" 1 "c" (sprig_dict "d" true "e" (sprig_list "p" "q") "n" (sprig_dict "h" 1)) "t" (sprig_list (sprig_dict "x" 1) (sprig_dict "x" 2)) "z" "last" | toTOML }}',
    want: 'a = [1, 2]\nb = "x\\ty"\nf = 1.5\ng = 2.0\n"k y" = 1\nz = "last"\n\n[c]\n  d = true\n  e = ["p", "q"]\n  [c.n]\n    h = 1\n\n[[t]]\n  x = 1\n\n[[t]]\n  x = 2',
  },
  {
    name: 'toTOML inline table in array',
    template: '{{ sprig_dict "a" (sprig_list (sprig_dict "x" 1) 2) | toTOML }}',
    want: 'a = [{x = 1}, 2]',
  },
  { name: 'toTOML not a map', template: '{{ toTOML "x" }}', want: '"x"' },
  {
    name: 'toTOML legacy numbers',
    template: '{{ with secret "secret/legacy" }}{{ with .Data }}{{ .obj | toTOML }}{{ end }}{{ end }}',
    want: 'j = 1\nk = "v"',
  },
  { name: 'parse error', template: '{{ secret "x" }', wantError: 'template: :1: unexpected "}" in operand' },
  { name: 'undefined function', template: '{{ nope }}', wantError: 'template: :1: function "nope" not defined' },
];

function render(c: Case): RenderResult {
  const compiled = compileTemplate({
    name: '',
    text: c.template,
    language: 'go',
    destination: '/tmp/h2-dest.pem',
    errorOnMissingKey: c.errorOnMissingKey,
    functionDenylist: c.denylist,
    sandboxPath: c.sandbox,
  });
  return compiled.render({ source: fixtureSource, env: (name) => FIXTURE.env[name] });
}

describe('template functions golden (consul-template v0.39.1)', () => {
  it('has the fixture numbers as json.Number', () => {
    const legacy = FIXTURE.reads['secret/legacy'] as { data: { f: unknown } };
    assert.ok(legacy.data.f instanceof JsonNumber);
    assert.equal((legacy.data.f as JsonNumber).text, '1.50');
  });
  cases.forEach((c, i) => {
    it(`${String(i + 1).padStart(3, '0')} ${c.name}`, () => {
      if (c.wantError !== undefined) {
        assert.throws(
          () => render(c),
          (err: unknown) => {
            assert.ok(err instanceof TemplateRenderError || err instanceof TemplateCompileError, String(err));
            assert.equal(err.message, c.wantError);
            return true;
          },
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
  });
});
