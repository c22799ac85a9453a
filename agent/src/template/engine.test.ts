import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Dependency, DependencySource, VaultSecretData } from './dependencies.js';
import { compileTemplate, TemplateCompileError, TemplateRenderError } from './engine.js';
import { formatGoTime } from './funcs/golayout.js';

const db: VaultSecretData = {
  request_id: 'r',
  lease_id: 'database/creds/app/1',
  lease_duration: 3600,
  renewable: true,
  data: { username: 'v-app', password: 'pw-secret' },
  warnings: null,
  auth: null,
  wrap_info: null,
};

/** A source that answers only the given paths and counts lookups. */
function sourceWith(reads: Record<string, VaultSecretData>): DependencySource & { calls: Dependency[] } {
  const calls: Dependency[] = [];
  return {
    calls,
    get(d: Dependency): unknown {
      calls.push(d);
      return d.kind === 'vault.read' ? reads[d.path] : undefined;
    },
  };
}

const go = (text: string, extra: Partial<Parameters<typeof compileTemplate>[0]> = {}) =>
  compileTemplate({ name: '/vault/secrets/db', text, language: 'go', destination: '/vault/secrets/db', ...extra });

describe('compileTemplate', () => {
  it('renders once every dependency has data, listing dependencies in first-use order without duplicates', () => {
    const t = go(
      '{{ with secret "database/creds/app" }}{{ .Data.username }}{{ end }}{{ with secret "/database/creds/app/" }}!{{ end }}{{ with secret "kv/x" }}{{ end }}',
    );
    const first = t.render({ source: sourceWith({ 'database/creds/app': db }), env: () => undefined });
    assert.equal(first.output, undefined);
    assert.deepEqual(first.dependencies, [
      { kind: 'vault.read', path: 'database/creds/app' },
      { kind: 'vault.read', path: 'kv/x' },
    ]);
    assert.deepEqual(first.missing, [{ kind: 'vault.read', path: 'kv/x' }]);
    const second = t.render({ source: sourceWith({ 'database/creds/app': db, 'kv/x': db }), env: () => undefined });
    assert.equal(second.output, 'v-app!');
    assert.deepEqual(second.missing, []);
  });

  it('records writes with their k=v body and pkiCert with the destination', () => {
    const t = go(
      '{{ secret "transit/encrypt/k" "plaintext= aGk= " }}{{ pkiCert "pki/issue/web" "common_name=a.b" "ttl=1h" }}',
    );
    const r = t.render({ source: sourceWith({}), env: () => undefined });
    assert.deepEqual(r.missing, [
      { kind: 'vault.write', path: 'transit/encrypt/k', data: { plaintext: 'aGk=' } },
      {
        kind: 'vault.pki',
        path: 'pki/issue/web',
        data: { common_name: 'a.b', ttl: '1h' },
        destination: '/vault/secrets/db',
      },
    ]);
  });

  it('uses custom delimiters', () => {
    const r = go('[[ with secret "db" ]][[ .Data.password ]][[ end ]]{{ x }}', {
      leftDelim: '[[',
      rightDelim: ']]',
    }).render({
      source: sourceWith({ db }),
      env: () => undefined,
    });
    assert.equal(r.output, 'pw-secret{{ x }}');
  });

  it('throws TemplateCompileError with the Go message', () => {
    assert.throws(
      () => go('{{ secret "x" }'),
      (e: unknown) =>
        e instanceof TemplateCompileError && e.message === 'template: /vault/secrets/db:1: unexpected "}" in operand',
    );
  });

  it('rejects an unknown language', () => {
    assert.throws(
      () => compileTemplate({ name: 'n', text: '', language: 'jinja' as 'go', destination: '/d' }),
      (e: unknown) => e instanceof TemplateCompileError && /unknown template language "jinja"/.test(e.message),
    );
  });

  it('never puts secret values in render errors', () => {
    const t = go('{{ with secret "db" }}{{ .Data.password | parseInt }}{{ end }}');
    assert.throws(
      () => t.render({ source: sourceWith({ db }), env: () => undefined }),
      (e: unknown) =>
        e instanceof TemplateRenderError && e.message.includes('[redacted]') && !e.message.includes('pw-secret'),
    );
  });

  it('redacts nested KV v2 values too', () => {
    const kv2: VaultSecretData = { ...db, data: { data: { password: 'nested-pw' }, metadata: {} } };
    const t = go('{{ with secret "kv" }}{{ .Data.data.password | parseBool }}{{ end }}');
    assert.throws(
      () => t.render({ source: sourceWith({ kv: kv2 }), env: () => undefined }),
      (e: unknown) => e instanceof TemplateRenderError && !e.message.includes('nested-pw'),
    );
  });

  it('denies functions by exact name and by glob', () => {
    const render = (deny: string[]) =>
      go('{{ "x" | toUpper }}', { functionDenylist: deny }).render({ source: sourceWith({}), env: () => undefined });
    assert.throws(() => render(['toUpper']), /error calling toUpper: function is disabled/);
    assert.throws(() => render(['to*']), /function is disabled/);
    assert.equal(render(['toLower']).output, 'X');
  });

  it('timestamp uses the injected clock in UTC', () => {
    const r = go('{{ timestamp }} {{ timestamp "unix" }}').render({
      source: sourceWith({}),
      env: () => undefined,
      now: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
    });
    assert.equal(r.output, '2024-01-02T03:04:05Z 1704164645');
  });
});

describe('Go time layouts', () => {
  // Expected strings from Go 1.26's time.Format on 2024-01-02T03:04:05.678Z.
  const at = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
  const table: [string, string][] = [
    ['2006-01-02T15:04:05Z07:00', '2024-01-02T03:04:05Z'],
    ['2006-01-02 15:04:05.000 Mon Jan _2 3PM', '2024-01-02 03:04:05.678 Tue Jan  2 3AM'],
    ['Monday January 2 2006 03:04:05.999999 -0700 MST', 'Tuesday January 2 2024 03:04:05.678 +0000 UTC'],
    ['06/1/2 002 Z07:00 -07:00', '24/1/2 002 Z +00:00'],
    ['Mon, 02 Jan 2006 15:04:05 -0700', 'Tue, 02 Jan 2024 03:04:05 +0000'],
    ['15h04m05,000', '03h04m05,678'],
  ];
  for (const [layout, want] of table) {
    it(layout, () => assert.equal(formatGoTime(at, layout), want));
  }
});

describe('writeToFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h2-wtf-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const render = (text: string, sandboxPath?: string) =>
    go(text, { sandboxPath }).render({ source: sourceWith({}), env: () => undefined });

  it('writes atomically with the given perms, creates parents and returns ""', () => {
    const target = path.join(dir, 'sub', 'out.txt');
    const r = render(`[{{ "hello" | writeToFile "${target}" "" "" "0640" }}]`);
    assert.equal(r.output, '[]');
    assert.equal(fs.readFileSync(target, 'utf8'), 'hello');
    assert.equal(fs.statSync(target).mode & 0o777, 0o640);
    assert.deepEqual(fs.readdirSync(path.dirname(target)), ['out.txt']);
  });

  it('appends with newline flags', () => {
    const target = path.join(dir, 'log');
    render(
      `{{ "a" | writeToFile "${target}" "" "" "0600" "append,newline" }}{{ "b" | writeToFile "${target}" "" "" "0600" "append,newline" }}`,
    );
    assert.equal(fs.readFileSync(target, 'utf8'), 'a\nb\n');
  });

  it('refuses a symlinked target', () => {
    const real = path.join(dir, 'real');
    fs.writeFileSync(real, 'keep');
    const link = path.join(dir, 'link');
    fs.symlinkSync(real, link);
    assert.throws(() => render(`{{ "x" | writeToFile "${link}" "" "" "0600" }}`), /refusing to write through symlink/);
    assert.equal(fs.readFileSync(real, 'utf8'), 'keep');
  });

  it('stays inside the sandbox', () => {
    assert.throws(() => render('{{ "x" | writeToFile "/etc/h2-nope" "" "" "0600" }}', dir), /is outside of sandbox/);
    assert.throws(
      () => render(`{{ "x" | writeToFile "${dir}/../escape" "" "" "0600" }}`, dir),
      /is outside of sandbox/,
    );
  });

  it('rejects bad perms', () => {
    assert.throws(() => render(`{{ "x" | writeToFile "${dir}/f" "" "" "rw" }}`), /invalid permissions "rw"/);
  });
});
