import assert from 'node:assert/strict';
import { DEFAULT_SCHEDULE, initConfig, initSecretValue, sidecarConfig } from './agent-config.js';

const paths = { roleIdFile: '/w/role-id', secretIdFile: '/w/secret-id', outDir: '/w/run-1/out' };

describe('bench:agent configs', () => {
  it('init mode: exit_after_auth, one KV v2 template per count, AppRole files kept, through the given address', () => {
    const { json, expected } = initConfig('http://127.0.0.1:9', paths, 3);
    assert.equal(json.exit_after_auth, true);
    assert.deepEqual(json.vault, { address: 'http://127.0.0.1:9' });
    const auth = json.auto_auth as { method: { type: string; config: Record<string, unknown> }; sink: unknown[] };
    assert.equal(auth.method.type, 'approle');
    assert.equal(auth.method.config.remove_secret_id_file_after_reading, false);
    assert.equal(auth.method.config.role_id_file_path, '/w/role-id');
    assert.deepEqual(auth.sink, [{ type: 'file', config: { path: '/w/run-1/out/.vault-token' } }]);
    const templates = json.template as { destination: string; contents: string }[];
    assert.equal(templates.length, 3);
    assert.equal(templates[2]?.destination, '/w/run-1/out/t3');
    assert.equal(
      templates[2]?.contents,
      '{{ with secret "secret/data/bench/init/t3" }}{{ .Data.data.password }}{{ end }}',
    );
    assert.deepEqual(expected[2], { path: '/w/run-1/out/t3', equals: initSecretValue(3) });
  });

  it('init mode rejects a template count that is not a positive integer', () => {
    assert.throws(() => initConfig('http://x', paths, 0), /positive integer, got 0/);
    assert.throws(() => initConfig('http://x', paths, 1.5), /positive integer/);
  });

  it('sidecar mode: stays running, the fixed set of three on the schedule', () => {
    const { json, expected } = sidecarConfig('http://127.0.0.1:9', paths, { ...DEFAULT_SCHEDULE, pkiTtlS: 90 });
    assert.equal(json.exit_after_auth, false);
    assert.deepEqual(json.template_config, { exit_on_retry_failure: true, static_secret_render_interval: '15s' });
    const contents = (json.template as { contents: string }[]).map((t) => t.contents);
    assert.match(contents[0] ?? '', /secret "secret\/data\/bench\/app"/);
    assert.match(contents[1] ?? '', /secret "kv1\/bench\/rotating" }}{{ \.Data\.password }}/);
    assert.match(contents[2] ?? '', /pkiCert "pki\/issue\/example-dot-com" "common_name=bench.example.com" "ttl=90s"/);
    // the certificate file must hold the cert for pkiCert's own cache check
    assert.match(contents[2] ?? '', /\{\{ \.Cert \}\}\{\{ \.Key \}\}/);
    assert.deepEqual(
      expected.map((e) => e.path),
      ['/w/run-1/out/kv2', '/w/run-1/out/kv1', '/w/run-1/out/cert.pem'],
    );
  });
});
