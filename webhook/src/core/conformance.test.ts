/**
 * The conformance pairs of spec §8.2 (numbers in test names are the pair numbers). Where vault-k8s
 * asserts raw patch op paths, we assert the pod the patch produces (docs/compatibility.md says why).
 */
import assert from 'node:assert/strict';
import fastJsonPatch from 'fast-json-patch';
import type { VaultConfig } from '../../../agent/src/config/schema.js';
import type { InjectorConfig } from '../config-types.js';
import { parseAgentSpec, withDefaults } from './annotations.js';
import { denyMessage, type InjectorError } from './errors.js';
import { type MutationResult, mutate } from './mutate.js';
import type { Container, Pod } from './pod-types.js';
import type { AgentSpec } from './spec.js';
import {
  basicSpecPod,
  CONFIG_B,
  CONFIG_S,
  HANDLER_H,
  injectorConfig,
  prefixed,
  testPod,
  testPodIrsa,
} from './test-fixtures.js';

function injected(pod: Pod, cfg: InjectorConfig = CONFIG_B, ns = 'test') {
  const r = mutate(pod, ns, cfg);
  if (r.kind !== 'inject')
    assert.fail(`expected injection, got ${r.kind}${r.kind === 'deny' ? `: ${denyMessage(r.error)}` : ''}`);
  // the patch, applied to the request pod, gives exactly the mutated pod
  assert.deepEqual(fastJsonPatch.applyPatch(structuredClone(pod), structuredClone(r.patch)).newDocument, r.pod);
  return r;
}

function denied(pod: Pod, cfg: InjectorConfig = CONFIG_B, ns = 'test'): string {
  const r = mutate(pod, ns, cfg);
  if (r.kind !== 'deny') assert.fail(`expected a denial, got ${r.kind}`);
  return denyMessage(r.error);
}

function deniedError(pod: Pod, cfg: InjectorConfig = CONFIG_B, ns = 'test'): InjectorError {
  const r = mutate(pod, ns, cfg);
  if (r.kind !== 'deny') assert.fail(`expected a denial, got ${r.kind}`);
  return r.error;
}

function specOf(pod: Pod, cfg: InjectorConfig = CONFIG_B, ns = 'test'): AgentSpec {
  return parseAgentSpec(pod, withDefaults(pod, ns, cfg));
}

const container = (pod: Pod, name: string): Container => {
  const c = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((x) => x.name === name);
  if (!c) assert.fail(`no container ${name}`);
  return c;
};

function configOf(c: Container): VaultConfig {
  const v = c.env?.find((e) => e.name === 'VAULT_CONFIG')?.value;
  assert.ok(v, `${c.name} has no VAULT_CONFIG`);
  return JSON.parse(Buffer.from(v, 'base64').toString('utf8')) as VaultConfig;
}

const names = (xs: { name: string }[] | undefined) => (xs ?? []).map((x) => x.name);
const sidecarConfig = (r: Extract<MutationResult, { kind: 'inject' }>) => configOf(container(r.pod, 'vault-agent'));
const initConfig = (r: Extract<MutationResult, { kind: 'inject' }>) => configOf(container(r.pod, 'vault-agent-init'));

describe('conformance (spec §8.2): should inject', () => {
  const cases: [string, Record<string, string>, string | undefined, boolean][] = [
    ['001 inject=true, status empty, Pending', { 'agent-inject': 'true', 'agent-inject-status': '' }, 'Pending', true],
    ['002 inject=false', { 'agent-inject': 'false', 'agent-inject-status': '' }, 'Pending', false],
    ['003 already injected', { 'agent-inject': 'true', 'agent-inject-status': 'injected' }, 'Pending', false],
    ['004 false and injected', { 'agent-inject': 'false', 'agent-inject-status': 'injected' }, 'Pending', false],
    ['005 status update still injects', { 'agent-inject': 'true', 'agent-inject-status': 'update' }, 'Pending', true],
    ['006a Running', { 'agent-inject': 'true' }, 'Running', false],
    ['006b Succeeded', { 'agent-inject': 'true' }, 'Succeeded', false],
    ['006c Failed', { 'agent-inject': 'true' }, 'Failed', false],
    ['007 status update, Running', { 'agent-inject': 'true', 'agent-inject-status': 'update' }, 'Running', false],
  ];
  for (const [name, annotations, phase, want] of cases) {
    it(name, () => {
      const pod = testPod({ ...annotations, role: 'demo' });
      if (phase) pod.status = { phase };
      assert.equal(mutate(pod, 'test', CONFIG_B).kind, want ? 'inject' : 'skip');
    });
  }

  it('008 kube-system is refused for annotated pods', () => {
    assert.match(
      denied(basicSpecPod({ 'agent-inject': 'true', role: 'demo' }), HANDLER_H, 'kube-system'),
      /^error with request namespace: cannot inject into system namespaces: kube-system$/,
    );
    assert.match(
      denied(basicSpecPod({ 'agent-inject': 'true', role: 'demo' }), HANDLER_H, 'kube-public'),
      /kube-public$/,
    );
    assert.equal(mutate(basicSpecPod({}), 'kube-system', HANDLER_H).kind, 'skip');
  });
  it('009 only agent-inject-status=injected -> no patch', () => {
    assert.equal(mutate(basicSpecPod({ 'agent-inject-status': 'injected' }), 'test', HANDLER_H).kind, 'skip');
  });
  it('010 no annotations -> no patch', () => {
    assert.equal(mutate({ metadata: {}, spec: { containers: [{ name: 'a' }] } }, 'test', HANDLER_H).kind, 'skip');
  });
  it('011 agent-inject=false -> no patch', () => {
    assert.equal(mutate(basicSpecPod({ 'agent-inject': 'false', role: 'demo' }), 'test', HANDLER_H).kind, 'skip');
  });
  it('011b agent-inject=yes is denied and names the annotation', () => {
    assert.equal(
      denied(basicSpecPod({ 'agent-inject': 'yes' }), HANDLER_H),
      'error checking if should inject agent: invalid value "yes" for annotation vault.hashicorp.com/agent-inject: expected a boolean (true or false)',
    );
  });
});

describe('conformance (spec §8.2): handler mutations (pairs 12-21, compared as resulting pods)', () => {
  it('012 basic: volumes, mounts, init last, sidecar, status annotation', () => {
    const r = injected(basicSpecPod({ 'agent-inject': 'true', role: 'demo' }), HANDLER_H);
    assert.deepEqual(names(r.pod.spec?.volumes), ['home-init', 'home-sidecar', 'vault-secrets']);
    assert.deepEqual(names(r.pod.spec?.initContainers), ['web-init', 'vault-agent-init']);
    assert.deepEqual(names(r.pod.spec?.containers), ['web', 'vault-agent']);
    assert.deepEqual(container(r.pod, 'web').volumeMounts?.at(-1), {
      name: 'vault-secrets',
      mountPath: '/vault/secrets',
    });
    assert.deepEqual(container(r.pod, 'web-init').volumeMounts?.at(-1), {
      name: 'vault-secrets',
      mountPath: '/vault/secrets',
    });
    assert.equal(r.pod.metadata?.annotations?.['vault.hashicorp.com/agent-inject-status'], 'injected');
  });
  it('013 init-first puts vault-agent-init first', () => {
    const r = injected(basicSpecPod({ 'agent-inject': 'true', role: 'demo', 'agent-init-first': 'true' }), HANDLER_H);
    assert.deepEqual(names(r.pod.spec?.initContainers), ['vault-agent-init', 'web-init']);
    assert.deepEqual(container(r.pod, 'web-init').volumeMounts?.at(-1)?.name, 'vault-secrets');
  });
  it('014 configmap: vault-config volume, no role needed, hcl commands', () => {
    const r = injected(basicSpecPod({ 'agent-inject': 'true', 'agent-configmap': 'demo' }), HANDLER_H);
    assert.deepEqual(names(r.pod.spec?.volumes), ['home-init', 'home-sidecar', 'vault-secrets', 'vault-config']);
    assert.deepEqual(r.pod.spec?.volumes?.[3], { name: 'vault-config', configMap: { name: 'demo' } });
    assert.deepEqual(container(r.pod, 'vault-agent-init').args, [
      'touch /home/vault/.vault-token && vault agent -config=/vault/configs/config-init.hcl',
    ]);
    assert.deepEqual(container(r.pod, 'vault-agent').args, [
      'touch /home/vault/.vault-token && vault agent -config=/vault/configs/config.hcl',
    ]);
  });
  it('015 configmap + tls-secret', () => {
    const r = injected(
      basicSpecPod({ 'agent-inject': 'true', 'agent-configmap': 'demo', 'tls-secret': 'demo' }),
      HANDLER_H,
    );
    assert.deepEqual(names(r.pod.spec?.volumes), [
      'home-init',
      'home-sidecar',
      'vault-secrets',
      'vault-config',
      'vault-tls-secrets',
    ]);
  });
  it('016 tls-secret volume and read-only mount at /vault/tls', () => {
    const r = injected(basicSpecPod({ 'agent-inject': 'true', role: 'demo', 'tls-secret': 'demo' }), HANDLER_H);
    assert.deepEqual(r.pod.spec?.volumes?.at(-1), { name: 'vault-tls-secrets', secret: { secretName: 'demo' } });
    assert.deepEqual(container(r.pod, 'vault-agent').volumeMounts?.at(-1), {
      name: 'vault-tls-secrets',
      mountPath: '/vault/tls',
      readOnly: true,
    });
  });
  it('017 pre-populate=false: sidecar only', () => {
    const r = injected(
      basicSpecPod({ 'agent-inject': 'true', role: 'demo', 'tls-secret': 'demo', 'agent-pre-populate': 'false' }),
      HANDLER_H,
    );
    assert.deepEqual(names(r.pod.spec?.volumes), ['home-sidecar', 'vault-secrets', 'vault-tls-secrets']);
    assert.deepEqual(names(r.pod.spec?.initContainers), ['web-init']);
    assert.deepEqual(container(r.pod, 'web-init').volumeMounts, [
      { name: 'foobar', mountPath: 'serviceaccount/somewhere' },
    ]);
    assert.deepEqual(names(r.pod.spec?.containers), ['web', 'vault-agent']);
  });
  it('018 pre-populate-only: init only', () => {
    const r = injected(
      basicSpecPod({ 'agent-inject': 'true', role: 'demo', 'tls-secret': 'demo', 'agent-pre-populate-only': 'true' }),
      HANDLER_H,
    );
    assert.deepEqual(names(r.pod.spec?.volumes), ['home-init', 'vault-secrets', 'vault-tls-secrets']);
    assert.deepEqual(names(r.pod.spec?.containers), ['web']);
  });
  it('019 copy-volume-mounts from an init container', () => {
    const pod = basicSpecPod({ 'agent-inject': 'true', role: 'demo', 'agent-copy-volume-mounts': 'web-init' });
    pod.spec?.initContainers?.[0]?.volumeMounts?.push({ name: 'tobecopied', mountPath: '/etc/somewhereelse' });
    const r = injected(pod, HANDLER_H);
    for (const agent of ['vault-agent', 'vault-agent-init']) {
      assert.deepEqual(container(r.pod, agent).volumeMounts?.at(-1), {
        name: 'tobecopied',
        mountPath: '/etc/somewhereelse',
      });
    }
  });
  it('020 invalid default template is denied', () => {
    assert.match(
      denied(
        basicSpecPod({ 'agent-inject': 'true', role: 'demo', 'agent-inject-default-template': 'foobar' }),
        HANDLER_H,
        'foo',
      ),
      /^error creating new agent sidecar: invalid default template type: foobar/,
    );
  });
  it('021 share-process-namespace', () => {
    const r = injected(
      basicSpecPod({ 'agent-inject': 'true', role: 'demo', 'agent-share-process-namespace': 'true' }),
      HANDLER_H,
    );
    assert.equal(r.pod.spec?.shareProcessNamespace, true);
    const off = basicSpecPod({ 'agent-inject': 'true', role: 'demo', 'agent-share-process-namespace': 'true' });
    if (off.spec) off.spec.shareProcessNamespace = false;
    assert.match(denied(off, HANDLER_H), /shareProcessNamespace explicitly disabled on the pod, refusing to enable it/);
    // only with the init agent (vault-k8s quirk, kept)
    const sidecarOnly = injected(
      basicSpecPod({
        'agent-inject': 'true',
        role: 'demo',
        'agent-share-process-namespace': 'true',
        'agent-pre-populate': 'false',
      }),
      HANDLER_H,
    );
    assert.equal(sidecarOnly.pod.spec?.shareProcessNamespace, undefined);
  });
});

describe('conformance (spec §8.2): Init defaults (pairs 23-28)', () => {
  it('023 defaults come from the injector config', () => {
    const a = withDefaults(testPod(), 'test', CONFIG_B);
    assert.equal(a.get('service'), 'http://foobar:8200');
    assert.equal(a.get('agent-image'), 'foobar-image');
    assert.equal(a.get('agent-request-namespace'), 'test');
    assert.equal(a.get('agent-revoke-on-shutdown'), 'true');
    assert.equal(a.get('proxy-address'), 'http://proxy:3128');
  });
  it('024 fallbacks for empty image, uid, gid', () => {
    const a = withDefaults(testPod(), 'test', {
      ...CONFIG_B,
      vaultImage: '',
      runAsUser: '',
      runAsGroup: '',
      proxyAddress: '',
    });
    // Ours: the default agent image is our own (vault-k8s: hashicorp/vault), see docs/compatibility.md.
    assert.equal(a.get('agent-image'), 'vault-injector/agent:0.1.0');
    assert.equal(a.get('agent-run-as-user'), '100');
    assert.equal(a.get('agent-run-as-group'), '1000');
    assert.equal(a.has('agent-share-process-namespace'), false);
  });
  it('025 missing address / auth path / namespace', () => {
    const p = testPod({ 'agent-inject': 'true', role: 'r' });
    assert.equal(
      denied(p, { ...CONFIG_B, vaultAddress: '' }),
      'error adding default annotations: address for Vault required',
    );
    assert.equal(
      denied(p, { ...CONFIG_B, vaultAuthPath: '' }),
      'error adding default annotations: Vault Auth Path required',
    );
    assert.equal(denied(p, CONFIG_B, ''), 'error adding default annotations: kubernetes namespace required');
  });
  it('026 inject-containers defaults to every container', () => {
    assert.equal(withDefaults(testPod(), 'test', CONFIG_B).get('agent-inject-containers'), 'foobar,foo1,foo2');
    const r = injected(testPod({ 'agent-inject': 'true', role: 'r' }));
    for (const c of ['foobar', 'foo1', 'foo2'])
      assert.equal(container(r.pod, c).volumeMounts?.at(-1)?.name, 'vault-secrets');
    assert.deepEqual(names(r.pod.spec?.initContainers), ['vault-agent-init']);
  });
  it('027 inject-containers=foo1', () => {
    const r = injected(testPod({ 'agent-inject': 'true', role: 'r', 'agent-inject-containers': 'foo1' }));
    assert.deepEqual(
      (r.pod.spec?.containers ?? [])
        .filter((c) => c.volumeMounts?.some((m) => m.name === 'vault-secrets'))
        .map((c) => c.name),
      ['foo1', 'vault-agent'],
    );
  });
  it('028 inject-containers=foo1,foo2', () => {
    const r = injected(testPod({ 'agent-inject': 'true', role: 'r', 'agent-inject-containers': 'foo1,foo2' }));
    assert.deepEqual(
      (r.pod.spec?.containers ?? [])
        .filter((c) => c.volumeMounts?.some((m) => m.name === 'vault-secrets'))
        .map((c) => c.name),
      ['foo1', 'foo2', 'vault-agent'],
    );
  });
});

describe('conformance (spec §8.2): secret naming and templates (pairs 29-46)', () => {
  const secrets = (a: Record<string, string>) => specOf(testPod(a)).secrets;
  const cases: [string, Record<string, string>, [string, string][]][] = [
    ['029 plain', { 'agent-inject-secret-foobar': 'test1' }, [['foobar', 'test1']]],
    ['030 lower-cased', { 'agent-inject-secret-FOOBAR': 'test2' }, [['foobar', 'test2']]],
    ['031 dashes and underscores', { 'agent-inject-secret-foobar-2_3': 'test3' }, [['foobar-2_3', 'test3']]],
    ['032 dots', { 'agent-inject-secret-server.crt': 'creds/tls/somecert' }, [['server.crt', 'creds/tls/somecert']]],
    ['033 no suffix', { 'agent-inject-secret': 'test4', 'agent-inject-secret-': 'test5' }, []],
    [
      '034 per-secret preserve case',
      { 'agent-inject-secret-FOOBAR_EXPLICIT': 'test2', 'preserve-secret-case-FOOBAR_EXPLICIT': 'true' },
      [['FOOBAR_EXPLICIT', 'test2']],
    ],
    [
      '035a global preserve case',
      { 'preserve-secret-case': 'true', 'agent-inject-secret-FOOBAR': 'test2' },
      [['FOOBAR', 'test2']],
    ],
    [
      '035b global preserve case, lower',
      { 'preserve-secret-case': 'true', 'agent-inject-secret-foobar': 'test2' },
      [['foobar', 'test2']],
    ],
    [
      '035c preserve-case parse errors are ignored',
      { 'preserve-secret-case': 'yes', 'agent-inject-secret-FOO': 'x' },
      [['foo', 'x']],
    ],
    [
      '037 template joins its secret',
      { 'agent-inject-secret-foobar': 'test1', 'agent-inject-template-foobar': 'foobarTemplate' },
      [['foobar', 'test1']],
    ],
    [
      '038 blank template creates nothing',
      { 'agent-inject-secret-foobar2': 'test2', 'agent-inject-template-foobar': '' },
      [['foobar2', 'test2']],
    ],
    [
      '039 misspelled prefix ignored',
      { 'agent-inject-secret-foobar': 'test1', 'agent-inject-templat-foobar': 'x' },
      [['foobar', 'test1']],
    ],
    [
      '040 template-only entry',
      { 'agent-inject-secret-foobar': 'test1', 'agent-inject-template-foobar2': 'foobarTemplate' },
      [
        ['foobar', 'test1'],
        ['foobar2', ''],
      ],
    ],
    [
      '041 prefixes are case-sensitive',
      { 'agent-inject-secret-foobar2': 'test1', 'agent-inject-TEMPLATE-foobar': 'x' },
      [['foobar2', 'test1']],
    ],
  ];
  for (const [name, a, want] of cases) {
    it(name, () =>
      assert.deepEqual(
        secrets(a).map((s) => [s.name, s.path]),
        want,
      ),
    );
  }
  it('036 agent-inject-file', () => {
    for (const file of [
      'foobar_simple_name',
      '/some/path/foobar_simple_name',
      'this_is_very_long_and/would_fail_in_kubernetes/if_in_annotation',
    ]) {
      assert.equal(
        secrets({ 'agent-inject-secret-foobar': 'vault/test1', 'agent-inject-file-foobar': file })[0]?.filePathAndName,
        file,
      );
    }
    assert.equal(
      secrets({ 'agent-inject-secret-foobar': 'vault/test1', 'agent-inject-file-notcorresponding': 'x' })[0]
        ?.filePathAndName,
      '',
    );
  });
  it('037b template content is kept', () => {
    assert.equal(
      secrets({ 'agent-inject-secret-foobar': 'test1', 'agent-inject-template-foobar': 'foobarTemplate' })[0]?.template,
      'foobarTemplate',
    );
  });
  it('042 mixed secrets, templates, template files and delimiters: 8 entries', () => {
    const got = secrets({
      'agent-inject-secret-foobar': 'test1',
      'agent-inject-template-foobar': '',
      'agent-inject-template-file-foobar': '/etc/config.tmpl',
      'agent-inject-template-only-template': 'onlyTemplate',
      'agent-inject-template-file-only-template-file': 'onlyTemplateFile',
      'agent-inject-secret-barfoo': 'test1',
      'agent-inject-template-file-barfoo': '/etc/config.tmpl',
      'agent-template-left-delim-barfoo': '${',
      'agent-template-right-delim-barfoo': '}',
      'agent-inject-secret-test3': 'test3',
      'agent-inject-template-test3': 'foobarTemplate3',
      'agent-inject-template-file-test3': '',
      'agent-template-left-delim-test3': '',
      'agent-template-right-delim-test3': '',
      'agent-inject-secret-test2': 'test2',
      'agent-inject-template-test2': 'foobarTemplate',
      'agent-inject-template-file-test2': '',
      'agent-inject-template-only-template-2': 'onlyTemplate2',
      'agent-template-left-delim-only-template-2': '${',
      'agent-template-right-delim-only-template-2': '}',
      'agent-inject-template-file-only-template-file-2': 'onlyTemplateFile2',
      'agent-template-left-delim-only-template-file-2': '${',
      'agent-template-right-delim-only-template-file-2': '}',
    });
    const by = Object.fromEntries(got.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(by).sort(), [
      'barfoo',
      'foobar',
      'only-template',
      'only-template-2',
      'only-template-file',
      'only-template-file-2',
      'test2',
      'test3',
    ]);
    assert.deepEqual(
      [by.foobar?.path, by.foobar?.template, by.foobar?.templateFile, by.foobar?.mountPath],
      ['test1', '', '/etc/config.tmpl', '/vault/secrets'],
    );
    assert.deepEqual([by['only-template']?.path, by['only-template']?.template], ['', 'onlyTemplate']);
    assert.equal(by['only-template-file']?.templateFile, 'onlyTemplateFile');
    assert.deepEqual([by.barfoo?.leftDelimiter, by.barfoo?.rightDelimiter], ['${', '}']);
    assert.deepEqual(
      [by.test3?.template, by.test3?.leftDelimiter, by.test3?.rightDelimiter],
      ['foobarTemplate3', '', ''],
    );
    assert.deepEqual([by.test2?.template, by.test2?.templateFile], ['foobarTemplate', '']);
    assert.deepEqual(
      [by['only-template-2']?.template, by['only-template-2']?.leftDelimiter, by['only-template-2']?.path],
      ['onlyTemplate2', '${', ''],
    );
    assert.deepEqual(
      [by['only-template-file-2']?.templateFile, by['only-template-file-2']?.rightDelimiter],
      ['onlyTemplateFile2', '}'],
    );
    for (const s of got) assert.equal(s.rawName, s.name);
  });
  it('043 template beats template-file', () => {
    const both = {
      'agent-inject-secret-foobar': 'test1',
      'agent-inject-template-foobar': 'foobarTemplate',
      'agent-inject-template-file-foobar': '/etc/config.tmpl',
    };
    assert.deepEqual([secrets(both)[0]?.template, secrets(both)[0]?.templateFile], ['foobarTemplate', '']);
    const fileOnly = { ...both, 'agent-inject-template-foobar': '' };
    assert.deepEqual([secrets(fileOnly)[0]?.template, secrets(fileOnly)[0]?.templateFile], ['', '/etc/config.tmpl']);
  });
  it('044 perms by suffix', () => {
    assert.equal(
      secrets({ 'agent-inject-secret-foobar': 'test1', 'agent-inject-perms-foobar': '0600' })[0]?.perms,
      '0600',
    );
    assert.equal(
      secrets({ 'agent-inject-secret-foobar': 'test1', 'agent-inject-perms-foobar2': '0600' })[0]?.perms,
      '',
    );
  });
  it('045 command by suffix', () => {
    assert.equal(
      secrets({ 'agent-inject-secret-foobar': 'test1', 'agent-inject-command-foobar': 'pkill -HUP nginx' })[0]?.command,
      'pkill -HUP nginx',
    );
    assert.equal(
      secrets({ 'agent-inject-secret-foobar': 'test1', 'agent-inject-command-foobar2': 'x' })[0]?.command,
      '',
    );
  });
  it('046 error-on-missing-key', () => {
    const e = (v?: string) =>
      secrets({
        'agent-inject-secret-foobar': 'test1',
        ...(v === undefined ? {} : { 'error-on-missing-key-foobar': v }),
      })[0]?.errorOnMissingKey;
    assert.equal(e('True'), true);
    assert.equal(e('false'), false);
    assert.equal(e(), false);
    assert.equal(
      denied(
        testPod({
          'agent-inject': 'true',
          role: 'r',
          'agent-inject-secret-foobar': 'x',
          'error-on-missing-key-foobar': 'unknown',
        }),
      ),
      'error creating new agent sidecar: invalid value "unknown" for annotation vault.hashicorp.com/error-on-missing-key-foobar: expected a boolean: true, false, 1, 0, t, f (any of TRUE/True/FALSE/False), or empty for false',
    );
  });
});

describe('conformance (spec §8.2): value validation (pairs 47-52)', () => {
  const base = { 'agent-inject': 'true', role: 'r' };
  const accepts = (name: string, value: string) =>
    mutate(testPod({ ...base, [name]: value }), 'test', CONFIG_B).kind === 'inject';
  const bools = [
    'agent-pre-populate',
    'agent-pre-populate-only',
    'tls-skip-verify',
    'agent-revoke-on-shutdown',
    'agent-cache-enable',
  ];
  let n = 0;
  for (const name of bools) {
    for (const v of ['true', 'false', 'TRUE', 'FALSE', '0', '1', 't', 'f', '']) {
      it(`047.${++n} ${name}=${JSON.stringify(v)} accepted`, () => assert.equal(accepts(name, v), true));
    }
    for (const v of ['tRuE', 'fAlSe']) {
      it(`047.${++n} ${name}=${v} denied, naming the annotation`, () => {
        const err = deniedError(testPod({ ...base, [name]: v }));
        assert.equal(err.annotation, name);
        assert.equal(err.code, 'BAD_BOOL');
      });
    }
  }
  for (const [v, ok] of [
    ['5', true],
    ['0', true],
    ['01', true],
    ['-1', false],
    ['foobar', false],
  ] as const) {
    it(`048 agent-revoke-grace=${v} ${ok ? 'accepted' : 'denied'}`, () =>
      assert.equal(accepts('agent-revoke-grace', v), ok));
  }
  for (const name of ['agent-run-as-user', 'agent-run-as-group']) {
    for (const [v, ok] of [
      ['0', true],
      ['100', true],
      ['root', false],
    ] as const) {
      it(`049 ${name}=${v} ${ok ? 'accepted' : 'denied'}`, () => assert.equal(accepts(name, v), ok));
    }
  }
  for (const [v, ok] of [
    ['true', true],
    ['false', true],
    ['TRUE', true],
    ['FALSE', true],
    ['', true],
    ['tRuE', false],
    ['fAlSe', false],
  ] as const) {
    it(`050 agent-share-process-namespace=${JSON.stringify(v)} ${ok ? 'accepted' : 'denied'}`, () =>
      assert.equal(accepts('agent-share-process-namespace', v), ok));
  }
  for (const [v, ok] of [
    ['true', true],
    ['false', true],
    ['', true],
    ['secure', false],
  ] as const) {
    it(`051 agent-set-security-context=${JSON.stringify(v)} ${ok ? 'accepted' : 'denied'}`, () =>
      assert.equal(accepts('agent-set-security-context', v), ok));
  }
  for (const name of ['auth-min-backoff', 'auth-max-backoff']) {
    for (const [v, ok] of [
      ['', true],
      ['1s', true],
      ['1m', true],
      ['x', false],
    ] as const) {
      it(`052 ${name}=${JSON.stringify(v)} ${ok ? 'accepted' : 'denied'}`, () => assert.equal(accepts(name, v), ok));
    }
  }
  it('052b a bad backoff is denied at Init with its annotation named', () => {
    assert.equal(
      denied(testPod({ ...base, 'auth-min-backoff': 'x' })),
      'error adding default annotations: error parsing min backoff as duration: invalid value "x" for annotation vault.hashicorp.com/auth-min-backoff: expected a Go duration such as 5s, 1m or 1h30m',
    );
  });
});

describe('conformance (spec §8.2): namespace, run-as-same-user, auth config (pairs 53-58)', () => {
  const cases: [Record<string, string>, string, string][] = [
    [{}, '', ''],
    [{}, 'test-namespace', 'test-namespace'],
    [{ namespace: '' }, '', ''],
    [{ namespace: 'foobar' }, '', 'foobar'],
    [{ namespace: 'foobar' }, 'test-namespace', 'foobar'],
    [{ namespace: 'fooBar' }, '', 'fooBar'],
  ];
  for (const [i, [a, injectorNs, want]] of cases.entries()) {
    it(`053.${i + 1} vault namespace ${JSON.stringify(a)} with injector ${JSON.stringify(injectorNs)} -> ${JSON.stringify(want)}`, () => {
      assert.equal(specOf(testPod(a), { ...CONFIG_B, vaultNamespace: injectorNs }).vaultNamespace, want);
    });
  }
  const withUid = (uid: number | undefined, a: Record<string, string>) => {
    const p = testPod(a);
    const c = p.spec?.containers?.[0];
    if (c && uid !== undefined) c.securityContext = { runAsUser: uid };
    return p;
  };
  it('054a run-as-same-user=false keeps the default uid', () => {
    assert.equal(specOf(withUid(123456, { 'agent-run-as-same-user': 'false' })).runAsUser, 100);
    assert.equal(specOf(withUid(undefined, { 'agent-run-as-same-user': 'false' })).runAsUser, 100);
  });
  it('054b run-as-same-user=true takes containers[0] runAsUser', () => {
    assert.equal(specOf(withUid(123456, { 'agent-run-as-same-user': 'true' })).runAsUser, 123456);
  });
  it('054c run-as-same-user errors', () => {
    assert.throws(
      () => specOf(withUid(undefined, { 'agent-run-as-same-user': 'true' })),
      /No SecurityContext found for Container 0/,
    );
    assert.throws(
      () => specOf(withUid(0, { 'agent-run-as-same-user': 'true' })),
      /container not allowed to run as root/,
    );
    assert.throws(() => specOf(withUid(1, { 'agent-run-as-same-user': 'rooooooot' })), /agent-run-as-same-user/);
    assert.equal(specOf(withUid(undefined, {})).runAsSameUser, false);
  });
  const auth = (a: Record<string, string>) => Object.fromEntries(specOf(testPod(a)).authConfig);
  it('055 role', () =>
    assert.deepEqual(auth({ role: 'backwardscompat' }), {
      role: 'backwardscompat',
      token_path: 'serviceaccount/somewhere/token',
    }));
  it('056 role beats auth-config-role', () =>
    assert.deepEqual(auth({ role: 'backwardscompat', 'auth-config-role': 'lowerprio' }), {
      role: 'backwardscompat',
      token_path: 'serviceaccount/somewhere/token',
    }));
  it('057 auth-config-token-path overrides', () =>
    assert.deepEqual(auth({ 'auth-config-token-path': 'serviceaccount/somewhere-else/token' }), {
      token_path: 'serviceaccount/somewhere-else/token',
    }));
  it('058 auth-config-* keys, dashes to underscores, string values', () =>
    assert.deepEqual(
      auth({
        'auth-config-name': 'foo',
        'auth-config-ca-cert': 'bar',
        'auth-config-client_cert': 'baz',
        'auth-config-credential_poll_interval': '1',
        'auth-config-remove_secret_id_file_after_reading': 'false',
      }),
      {
        ca_cert: 'bar',
        client_cert: 'baz',
        credential_poll_interval: '1',
        name: 'foo',
        remove_secret_id_file_after_reading: 'false',
        token_path: 'serviceaccount/somewhere/token',
      },
    ));
});

describe('conformance (spec §8.2): config generation (pairs 59-84)', () => {
  const base = { 'agent-inject': 'true', role: 'r' };
  const sidecarCfg = (a: Record<string, string>, cfg = CONFIG_B) =>
    sidecarConfig(injected(testPod({ ...base, ...a }), cfg));
  const initCfg = (a: Record<string, string>, cfg = CONFIG_B) => initConfig(injected(testPod({ ...base, ...a }), cfg));
  for (const [v, want] of [
    ['json', 'json'],
    ['JSON', 'json'],
    ['map', 'map'],
    ['MAP', 'map'],
  ] as const) {
    it(`059 default template ${v} -> ${want}`, () =>
      assert.equal(specOf(testPod({ 'agent-inject-default-template': v })).defaultTemplate, want));
  }
  for (const v of ['foobar', 'jsn', '']) {
    it(`059 default template ${JSON.stringify(v)} denied`, () =>
      assert.match(
        denied(testPod({ ...base, 'agent-inject-default-template': v })),
        /^error creating new agent sidecar: invalid default template type: /,
      ));
  }
  it('060 backoffs', () => {
    const m = sidecarCfg({ 'auth-min-backoff': '5s', 'auth-max-backoff': '10s' }).auto_auth.method;
    assert.deepEqual([m.min_backoff, m.max_backoff], ['5s', '10s']);
  });
  it('061 auto-auth exit on err', () =>
    assert.equal(sidecarCfg({ 'agent-auto-auth-exit-on-err': 'true' }).auto_auth.method.exit_on_err, true));
  it('062 disable idle connections and keep-alives', () => {
    assert.deepEqual(
      sidecarCfg({ 'agent-disable-idle-connections': 'auto-auth,caching,templating' }).disable_idle_connections,
      ['auto-auth', 'caching', 'templating'],
    );
    assert.deepEqual(sidecarCfg({ 'agent-disable-keep-alives': 'auto-auth' }).disable_keep_alives, ['auto-auth']);
    const none = sidecarCfg({});
    assert.equal('disable_idle_connections' in none, false);
    assert.equal('disable_keep_alives' in none, false);
  });
  it('063 telemetry values typed by JSON', () =>
    assert.deepEqual(
      sidecarCfg({ 'agent-telemetry-prometheus_retention_time': '5s', 'agent-telemetry-disable_hostname': 'true' })
        .telemetry,
      {
        disable_hostname: true,
        prometheus_retention_time: '5s',
      },
    ));
  it('064 telemetry arrays, numbers, strings, bools', () =>
    assert.deepEqual(
      sidecarCfg({
        'agent-telemetry-prefix_filter': '["+vault.token", "-vault.expire", "+vault.expire.num_leases"]',
        'agent-telemetry-maximum_gauge_cardinality': '3',
        'agent-telemetry-lease_metrics_epsilon': 'foo',
        'agent-telemetry-enable_hostname_label': 'true',
      }).telemetry,
      {
        maximum_gauge_cardinality: 3,
        enable_hostname_label: true,
        lease_metrics_epsilon: 'foo',
        prefix_filter: ['+vault.token', '-vault.expire', '+vault.expire.num_leases'],
      },
    ));
  it('065 telemetry: none -> no key; a wrongly typed value drops the block', () => {
    assert.equal('telemetry' in sidecarCfg({}), false);
    assert.equal(
      'telemetry' in
        sidecarCfg({ 'agent-telemetry-circonus_check_id': '123', 'agent-telemetry-disable_hostname': 'true' }),
      false,
    );
  });
  it('066 lease renewal threshold', () => {
    assert.equal(
      sidecarCfg({ 'template-lease-renewal-threshold': '0.75' }).template_config.lease_renewal_threshold,
      0.75,
    );
    assert.equal('lease_renewal_threshold' in sidecarCfg({}).template_config, false);
    assert.match(
      denied(testPod({ ...base, 'template-lease-renewal-threshold': 'one-third' })),
      /template-lease-renewal-threshold/,
    );
  });
  it('067 template_config', () => {
    assert.deepEqual(sidecarCfg({ 'template-config-exit-on-retry-failure': 'true' }).template_config, {
      exit_on_retry_failure: true,
    });
    assert.deepEqual(sidecarCfg({ 'template-config-exit-on-retry-failure': 'false' }).template_config, {
      exit_on_retry_failure: false,
    });
    assert.deepEqual(sidecarCfg({ 'template-static-secret-render-interval': '10s' }).template_config, {
      exit_on_retry_failure: true,
      static_secret_render_interval: '10s',
    });
    assert.deepEqual(sidecarCfg({ 'template-max-connections-per-host': '100' }).template_config, {
      exit_on_retry_failure: true,
      max_connections_per_host: 100,
    });
    assert.deepEqual(sidecarCfg({}).template_config, { exit_on_retry_failure: true });
  });
  const dest = (a: Record<string, string>) =>
    initCfg({ 'agent-inject-secret-foo': 'db/creds/foo', ...a }).template?.[0]?.destination;
  it('068 destination', () => assert.equal(dest({}), '/vault/secrets/foo'));
  it('069 relative file', () =>
    assert.equal(dest({ 'agent-inject-file-foo': 'nested/foofile' }), '/vault/secrets/nested/foofile'));
  it('070 absolute file stays under the mount', () =>
    assert.equal(
      dest({ 'agent-inject-file-foo': '/special/volume/foofile' }),
      '/vault/secrets/special/volume/foofile',
    ));
  it('071 secret-volume-path', () => {
    assert.equal(
      dest({ 'secret-volume-path': '/new/mount/path', 'agent-inject-file-foo': 'foofile_name_is_very_very_very_long' }),
      '/new/mount/path/foofile_name_is_very_very_very_long',
    );
    assert.equal(
      dest({ 'secret-volume-path': '/new/mount/path', 'agent-inject-file-foo': '/special/foofile' }),
      '/new/mount/path/special/foofile',
    );
  });
  it('072 per-secret volume path', () =>
    assert.equal(
      dest({ 'secret-volume-path-foo': '/new/mount/path', 'agent-inject-file-foo': 'nested/foofile' }),
      '/new/mount/path/nested/foofile',
    ));
  it('073 perms', () => {
    assert.equal(
      initCfg({ 'agent-inject-secret-foo': 'x', 'agent-inject-perms-foo': '0600' }).template?.[0]?.perms,
      '0600',
    );
    assert.equal(
      initCfg({ 'agent-inject-secret-foo': 'x', 'agent-inject-perms-foo': '0600', 'agent-inject-file-foo': '/a/b' })
        .template?.[0]?.perms,
      '0600',
    );
    assert.equal('perms' in (initCfg({ 'agent-inject-secret-foo': 'x' }).template?.[0] ?? {}), false);
  });
  it('074 error_on_missing_key', () => {
    assert.equal(
      initCfg({ 'agent-inject-secret-foo': 'x', 'error-on-missing-key-foo': 'true' }).template?.[0]
        ?.error_on_missing_key,
      true,
    );
    assert.equal(
      'error_on_missing_key' in
        (initCfg({ 'agent-inject-secret-foo': 'x', 'error-on-missing-key-foo': 'false' }).template?.[0] ?? {}),
      false,
    );
  });
  it('075 no cache by default', () => {
    const c = sidecarCfg({});
    assert.equal('listener' in c || 'cache' in c, false);
  });
  it('076 cache, sidecar config', () => {
    const c = sidecarCfg({
      'agent-cache-enable': 'true',
      'agent-cache-use-auto-auth-token': 'force',
      'agent-cache-listener-port': '8100',
    });
    assert.equal(c.cache?.use_auto_auth_token, 'force');
    assert.deepEqual(c.listener, [{ type: 'tcp', address: '127.0.0.1:8100', tls_disable: true }]);
  });
  it('077 persistent cache in init and sidecar', () => {
    for (const c of [initCfg({ 'agent-cache-enable': 'true' }), sidecarCfg({ 'agent-cache-enable': 'true' })]) {
      assert.deepEqual(c.cache, {
        use_auto_auth_token: 'true',
        persist: { type: 'kubernetes', path: '/vault/agent-cache' },
      });
      assert.deepEqual(c.listener, [{ type: 'tcp', address: '127.0.0.1:8200', tls_disable: true }]);
    }
  });
  it('078 persist exit_on_err', () =>
    assert.deepEqual(sidecarCfg({ 'agent-cache-enable': 'true', 'agent-cache-exit-on-err': 'true' }).cache?.persist, {
      type: 'kubernetes',
      path: '/vault/agent-cache',
      exit_on_err: true,
    }));
  it('079 cache, sidecar only', () => {
    const r = injected(testPod({ ...base, 'agent-cache-enable': 'true', 'agent-pre-populate': 'false' }));
    assert.deepEqual(sidecarConfig(r).cache, { use_auto_auth_token: 'true' });
  });
  it('080 cache, init only -> none', () => {
    const c = initCfg({ 'agent-cache-enable': 'true', 'agent-pre-populate-only': 'true' });
    assert.equal('cache' in c || 'listener' in c, false);
  });
  it('081 cache volume and mounts only with both agents', () => {
    const r = injected(testPod({ ...base, 'agent-cache-enable': 'true' }));
    assert.deepEqual(r.pod.spec?.volumes?.at(-1), { name: 'vault-agent-cache', emptyDir: { medium: 'Memory' } });
    for (const a of ['vault-agent', 'vault-agent-init'])
      assert.deepEqual(container(r.pod, a).volumeMounts?.at(-1), {
        name: 'vault-agent-cache',
        mountPath: '/vault/agent-cache',
      });
    const extras: Record<string, string>[] = [
      { 'agent-pre-populate': 'false' },
      { 'agent-pre-populate-only': 'true' },
      { 'agent-cache-enable': 'false' },
    ];
    for (const extra of extras) {
      const other = injected(testPod({ ...base, 'agent-cache-enable': 'true', ...extra }));
      assert.equal(
        other.pod.spec?.volumes?.some((v) => v.name === 'vault-agent-cache'),
        false,
      );
    }
  });
  it('082 enable-quit creates a listener and an empty cache', () => {
    const c = sidecarCfg({ 'agent-enable-quit': 'true' });
    assert.deepEqual(c.listener, [
      { type: 'tcp', address: '127.0.0.1:8200', tls_disable: true, agent_api: { enable_quit: true } },
    ]);
    assert.deepEqual(c.cache, {});
    assert.equal(
      sidecarCfg({ 'agent-enable-quit': 'true', 'agent-cache-listener-port': '1234' }).listener?.[0]?.address,
      '127.0.0.1:1234',
    );
    assert.deepEqual(initCfg({ 'agent-enable-quit': 'true' }).listener?.[0]?.agent_api, { enable_quit: true });
  });
  it('083 enable-quit with cache', () => {
    const c = sidecarCfg({ 'agent-cache-enable': 'true', 'agent-enable-quit': 'true' });
    assert.deepEqual(c.listener?.[0]?.agent_api, { enable_quit: true });
    assert.deepEqual(c.cache, {
      use_auto_auth_token: 'true',
      persist: { type: 'kubernetes', path: '/vault/agent-cache' },
    });
    assert.equal(
      'agent_api' in (sidecarCfg({ 'agent-cache-enable': 'true', 'agent-enable-quit': 'false' }).listener?.[0] ?? {}),
      false,
    );
  });
  it('084 token sinks', () => {
    const path = (c: VaultConfig) => c.auto_auth.sink.map((s) => s.config.path);
    assert.deepEqual(path(sidecarCfg({ 'agent-inject-token': 'true' })), [
      '/home/vault/.vault-token',
      '/vault/secrets/token',
    ]);
    assert.deepEqual(path(initCfg({ 'agent-inject-token': 'true' })), [
      '/home/vault/.vault-token',
      '/vault/secrets/token',
    ]);
    assert.deepEqual(path(sidecarCfg({ 'agent-inject-token': 'false' })), ['/home/vault/.vault-token']);
    assert.deepEqual(path(sidecarCfg({ 'agent-inject-token': 'true', 'secret-volume-path': '/new/secrets' })), [
      '/home/vault/.vault-token',
      '/new/secrets/token',
    ]);
  });
});

describe('conformance (spec §8.2): containers (pairs 85-104)', () => {
  const envNames = (a: Record<string, string>, cfg: InjectorConfig = injectorConfig({ proxyAddress: '' })) =>
    names(
      container(
        injected(testPod({ 'agent-inject': 'true', role: 'r', 'log-level': '', 'log-format': '', ...a }), cfg).pod,
        'vault-agent',
      ).env,
    );
  it('085 base env', () => assert.deepEqual(envNames({}), ['NAMESPACE', 'HOST_IP', 'POD_IP', 'VAULT_CONFIG']));
  it('086 configmap env', () =>
    assert.deepEqual(envNames({ 'agent-configmap': 'cm' }), [
      'NAMESPACE',
      'HOST_IP',
      'POD_IP',
      'VAULT_ADDR',
      'VAULT_SKIP_VERIFY',
    ]));
  it('087 retries, timeout, GOMAXPROCS', () => {
    assert.ok(envNames({ 'client-max-retries': '0' }).includes('VAULT_MAX_RETRIES'));
    assert.ok(envNames({ 'client-timeout': '5s' }).includes('VAULT_CLIENT_TIMEOUT'));
    assert.ok(envNames({ 'go-max-procs': '1' }).includes('GOMAXPROCS'));
  });
  it('088 env order with configmap', () =>
    assert.deepEqual(
      envNames({
        'agent-configmap': 'cm',
        'client-max-retries': '2',
        'client-timeout': '5s',
        'log-level': 'debug',
        'proxy-address': 'http://p:1',
      }),
      [
        'NAMESPACE',
        'HOST_IP',
        'POD_IP',
        'VAULT_CLIENT_TIMEOUT',
        'VAULT_MAX_RETRIES',
        'VAULT_LOG_LEVEL',
        'HTTPS_PROXY',
        'VAULT_ADDR',
        'VAULT_SKIP_VERIFY',
      ],
    ));
  it('089 aws env', () => {
    const pod = testPod({ 'agent-inject': 'true', role: 'r', 'auth-type': 'aws', 'log-level': '', 'log-format': '' });
    const c0 = pod.spec?.containers?.[0];
    if (c0) {
      c0.env = ['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_DEFAULT_REGION', 'AWS_REGION'].map((name) => ({
        name,
        value: `v-${name}`,
      }));
    }
    assert.equal(container(injected(pod, injectorConfig()).pod, 'vault-agent').env?.length, 8);
    const two = testPod({
      'agent-inject': 'true',
      role: 'r',
      'auth-type': 'aws',
      'auth-config-region': 'us-gov-east-1',
      'log-level': '',
      'log-format': '',
    });
    const t0 = two.spec?.containers?.[0];
    if (t0)
      t0.env = [
        { name: 'AWS_ROLE_ARN', value: 'a' },
        { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: 'b' },
      ];
    const env = container(injected(two, injectorConfig()).pod, 'vault-agent').env ?? [];
    assert.equal(env.length, 7);
    assert.deepEqual(env.at(-1), { name: 'AWS_REGION', value: 'us-gov-east-1' });
  });
  it('090 sidecar env, args and default resources', () => {
    const r = injected(testPod({ 'agent-inject': 'true', role: 'foobar' }), {
      ...CONFIG_S,
      proxyAddress: 'https://proxy:3128',
    });
    const c = container(r.pod, 'vault-agent');
    assert.deepEqual(names(c.env), [
      'NAMESPACE',
      'HOST_IP',
      'POD_IP',
      'VAULT_LOG_LEVEL',
      'VAULT_LOG_FORMAT',
      'HTTPS_PROXY',
      'VAULT_CONFIG',
    ]);
    assert.deepEqual(c.env?.slice(3, 6), [
      { name: 'VAULT_LOG_LEVEL', value: 'info' },
      { name: 'VAULT_LOG_FORMAT', value: 'standard' },
      { name: 'HTTPS_PROXY', value: 'https://proxy:3128' },
    ]);
    assert.deepEqual(c.resources, {
      limits: { cpu: '500m', memory: '128Mi' },
      requests: { cpu: '250m', memory: '64Mi' },
    });
  });
  it('091 configmap with TLS annotations: 12 env vars and the hcl command', () => {
    const r = injected(
      testPod({
        'agent-inject': 'true',
        'agent-configmap': 'foobarConfigMap',
        'tls-skip-verify': 'true',
        'tls-server-name': 'sn',
        'ca-cert': 'ca',
        'ca-key': 'cak',
        'client-cert': 'cc',
        'client-key': 'ck',
      }),
      CONFIG_S,
    );
    const c = container(r.pod, 'vault-agent');
    assert.equal(c.env?.length, 12);
    assert.deepEqual(c.args, ['touch /home/vault/.vault-token && vault agent -config=/vault/configs/config.hcl']);
  });
  it('092 sidecar mounts: custom paths, extra secret, copied mounts', () => {
    const r = injected(
      testPod({
        'agent-inject': 'true',
        role: 'foobar',
        'agent-inject-secret-secret1': 'secrets/secret1',
        'secret-volume-path-secret1': '/etc/container_environment',
        'agent-inject-secret-secret2': 'secret/secret2',
        'secret-volume-path-secret2': '/etc/default_path',
        'secret-volume-path': '/etc/default_path',
        'agent-inject-secret-secret3': 'secret/secret3',
        'agent-extra-secret': 'extrasecret',
        'agent-copy-volume-mounts': 'foobar',
      }),
      CONFIG_S,
    );
    assert.deepEqual(container(r.pod, 'vault-agent').volumeMounts, [
      { name: 'foobar', mountPath: 'serviceaccount/somewhere', readOnly: true },
      { name: 'home-sidecar', mountPath: '/home/vault' },
      { name: 'vault-secrets', mountPath: '/etc/default_path' },
      { name: 'vault-secrets-custom-0', mountPath: '/etc/container_environment' },
      { name: 'extra-secrets', mountPath: '/vault/custom', readOnly: true },
      { name: 'tobecopied', mountPath: '/etc/somewhereelse' },
    ]);
  });
  it('093 IRSA token mount for auth-type aws', () => {
    const r = injected(
      testPodIrsa({
        'agent-inject': 'true',
        role: 'foobar',
        'auth-type': 'aws',
        'agent-inject-secret-secret1': 'secrets/secret1',
        'secret-volume-path-secret1': '/etc/container_environment',
        'agent-inject-secret-secret2': 'secret/secret2',
        'secret-volume-path': '/etc/default_path',
      }),
      CONFIG_S,
    );
    assert.deepEqual(container(r.pod, 'vault-agent').volumeMounts, [
      { name: 'foobar', mountPath: 'serviceaccount/somewhere', readOnly: true },
      { name: 'home-sidecar', mountPath: '/home/vault' },
      { name: 'aws-iam-token', mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount', readOnly: true },
      { name: 'vault-secrets', mountPath: '/etc/default_path' },
      { name: 'vault-secrets-custom-0', mountPath: '/etc/container_environment' },
    ]);
  });
  it('094-097 service-account discovery errors', () => {
    const noMounts: Pod = {
      metadata: { name: 'test-pod', annotations: prefixed({ 'agent-inject': 'true', role: 'r' }) },
      spec: { containers: [{ name: 'a' }] },
    };
    assert.equal(
      denied(noMounts),
      'error creating new agent sidecar: failed to find service account volume mount: no container mounts a path containing "serviceaccount"; mount the token or name its volume in vault.hashicorp.com/agent-service-account-token-volume-name',
    );
    const named = (
      volumes: Pod['spec'] extends infer S ? (S extends { volumes?: infer V } ? V : never) : never,
      mounted: boolean,
      name: string,
    ) => ({
      metadata: {
        name: 'test-pod',
        annotations: prefixed({ 'agent-inject': 'true', role: 'r', 'agent-service-account-token-volume-name': name }),
      },
      spec: {
        containers: [
          { name: 'a', volumeMounts: mounted ? [{ name, mountPath: '/var/run/secrets/special/serviceaccount' }] : [] },
        ],
        volumes,
      },
    });
    assert.equal(
      denied(named([], false, 'projected-token')),
      'error creating new agent sidecar: failed to find service account volume "projected-token" (annotation vault.hashicorp.com/agent-service-account-token-volume-name)',
    );
    assert.equal(
      denied(named([], true, 'missing')),
      'error creating new agent sidecar: failed to find volume "missing" in Pod "test-pod" volumes (annotation vault.hashicorp.com/agent-service-account-token-volume-name)',
    );
    assert.equal(
      denied(named([{ name: 'projected-token', emptyDir: {} } as never], true, 'projected-token')),
      'error creating new agent sidecar: failed to find tokenPath for projected volume "projected-token" (annotation vault.hashicorp.com/agent-service-account-token-volume-name)',
    );
    assert.equal(
      denied(named([{ name: 'projected-token', emptyDir: {} } as never], false, 'projected-token')),
      'error creating new agent sidecar: failed to find tokenPath for projected volume "projected-token" (annotation vault.hashicorp.com/agent-service-account-token-volume-name)',
    );
  });
  it('098-099 service-account discovery', () => {
    const pod = (a: Record<string, string>, mounted: boolean): Pod => ({
      metadata: { name: 'p', annotations: prefixed(a) },
      spec: {
        containers: [
          {
            name: 'a',
            volumeMounts: [
              { name: 'kube-api-access-4bfzq', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
              ...(mounted ? [{ name: 'projected-token', mountPath: '/var/run/secrets/special/serviceaccount' }] : []),
            ],
          },
        ],
        volumes: [
          {
            name: 'projected-token',
            projected: { sources: [{ serviceAccountToken: { path: 'vault-token', audience: 'vault' } }] },
          },
        ],
      },
    });
    assert.deepEqual(specOf(pod({}, false)).serviceAccountToken, {
      volumeName: 'kube-api-access-4bfzq',
      mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
      tokenPath: 'token',
    });
    assert.deepEqual(
      specOf(pod({ 'agent-service-account-token-volume-name': 'projected-token' }, true)).serviceAccountToken,
      {
        volumeName: 'projected-token',
        mountPath: '/var/run/secrets/special/serviceaccount',
        tokenPath: 'vault-token',
      },
    );
    assert.deepEqual(
      specOf(pod({ 'agent-service-account-token-volume-name': 'projected-token' }, false)).serviceAccountToken,
      {
        volumeName: 'projected-token',
        mountPath: '/var/run/secrets/vault.hashicorp.com/serviceaccount',
        tokenPath: 'vault-token',
      },
    );
  });
  it('100 validate: configmap needs no auth; missing role, address, image are named', () => {
    assert.equal(mutate(testPod({ 'agent-inject': 'true', 'agent-configmap': 'cm' }), 'test', CONFIG_B).kind, 'inject');
    assert.match(
      denied(testPod({ 'agent-inject': 'true' })),
      /^error validating agent configuration: no Vault role found/,
    );
    assert.match(
      denied(testPod({ 'agent-inject': 'true', role: 'r', service: '' })),
      /^error validating agent configuration: no Vault address found/,
    );
    assert.match(
      denied(testPod({ 'agent-inject': 'true', role: 'r', 'agent-image': '' })),
      /^error validating agent configuration: no Vault image found/,
    );
    assert.match(
      denied(testPod({ 'agent-inject': 'true', role: 'r', 'auth-path': '' })),
      /^error validating agent configuration: no Vault Auth Path found/,
    );
    assert.match(
      denied(testPod({ 'agent-inject': 'true', role: 'r', 'auth-type': '' })),
      /^error validating agent configuration: no Vault Auth Type found/,
    );
  });
  const revokeCases: [boolean, string | undefined, boolean][] = [
    [true, undefined, true],
    [false, undefined, false],
    [true, 'true', true],
    [true, 'false', false],
    [false, 'true', true],
    [false, 'false', false],
  ];
  for (const [flag, ann, want] of revokeCases) {
    it(`101 revoke flag=${flag} annotation=${ann} -> ${want ? 'preStop' : 'none'}`, () => {
      const r = injected(
        testPod({
          'agent-inject': 'true',
          role: 'r',
          ...(ann === undefined ? {} : { 'agent-revoke-on-shutdown': ann }),
        }),
        { ...CONFIG_S, revokeOnShutdown: flag },
      );
      const lc = container(r.pod, 'vault-agent').lifecycle;
      assert.deepEqual(
        lc,
        want
          ? {
              preStop: {
                exec: {
                  command: [
                    '/bin/sh',
                    '-c',
                    '/bin/sleep 5 && /bin/vault token revoke -address=http://foobar:1234 -self',
                  ],
                },
              },
            }
          : {},
      );
    });
  }
  const quantity: [Record<string, string>, Record<string, unknown> | RegExp][] = [
    [{ 'agent-limits-cpu': '500M', 'agent-limits-mem': '128M' }, { limits: { cpu: '500M', memory: '128M' } }],
    [
      { 'agent-limits-mem': '500Gi', 'agent-requests-mem': '128Mi' },
      { limits: { memory: '500Gi' }, requests: { memory: '128Mi' } },
    ],
    [
      {
        'agent-limits-cpu': '0',
        'agent-requests-cpu': '0',
        'agent-limits-mem': '0',
        'agent-requests-mem': '0',
        'agent-limits-ephemeral': '0',
        'agent-requests-ephemeral': '0',
      },
      {
        limits: { cpu: '0', memory: '0', 'ephemeral-storage': '0' },
        requests: { cpu: '0', memory: '0', 'ephemeral-storage': '0' },
      },
    ],
    [{ 'agent-limits-cpu': '128m' }, { limits: { cpu: '128m' } }],
    [{ 'agent-limits-cpu': '500mi' }, /agent-limits-cpu/],
    [{ 'agent-limits-cpu': '500gi' }, /agent-limits-cpu/],
    [{ 'agent-limits-mem': '128mb' }, /agent-limits-mem/],
    [{ 'agent-requests-mem': '128g' }, /agent-requests-mem/],
    [{ 'agent-requests-mem': '128gi' }, /agent-requests-mem/],
  ];
  for (const [i, [a, want]] of quantity.entries()) {
    it(`102.${i + 1} resources ${JSON.stringify(a)}`, () => {
      const empty = {
        'agent-limits-cpu': '',
        'agent-limits-mem': '',
        'agent-requests-cpu': '',
        'agent-requests-mem': '',
      };
      const pod = testPod({ 'agent-inject': 'true', role: 'r', ...empty, ...a });
      if (want instanceof RegExp) {
        const msg = denied(pod, CONFIG_S);
        assert.match(msg, /^error creating patch for agent: invalid value /);
        assert.match(msg, want);
      } else assert.deepEqual(container(injected(pod, CONFIG_S).pod, 'vault-agent').resources, want);
    });
  }
  const sc = (a: Record<string, string>, cfg: InjectorConfig = injectorConfig(), uid?: number) => {
    const pod = testPod({ 'agent-inject': 'true', role: 'r', ...a });
    const c0 = pod.spec?.containers?.[0];
    if (c0 && uid !== undefined) c0.securityContext = { runAsUser: uid };
    return container(injected(pod, cfg).pod, 'vault-agent').securityContext;
  };
  const full = (uid: number, gid: number) => ({
    capabilities: { drop: ['ALL'] },
    runAsUser: uid,
    runAsGroup: gid,
    runAsNonRoot: uid !== 0 && gid !== 0,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
  });
  it('103 security context matrix', () => {
    assert.deepEqual(sc({}), full(100, 1000));
    assert.deepEqual(sc({ 'agent-run-as-user': '1001', 'agent-run-as-group': '1001' }), full(1001, 1001));
    assert.deepEqual(sc({ 'agent-run-as-user': '0', 'agent-run-as-group': '0' }), full(0, 0));
    assert.deepEqual(sc({ 'agent-run-as-user': '0', 'agent-run-as-group': '100' }), full(0, 100));
    assert.deepEqual(sc({ 'agent-run-as-user': '100', 'agent-run-as-group': '0' }), full(100, 0));
    assert.equal(sc({}, injectorConfig({ setSecurityContext: false })), undefined);
    assert.deepEqual(
      sc({ 'agent-run-as-user': '100' }, injectorConfig({ setSecurityContext: false })),
      full(100, 1000),
    );
    assert.equal(sc({ 'agent-run-as-user': '100', 'agent-set-security-context': 'false' }), undefined);
    assert.deepEqual(sc({}, injectorConfig({ runAsSameUser: true }), 123456), full(123456, 1000));
    assert.deepEqual(sc({ 'agent-run-as-same-user': 'true' }, injectorConfig(), 123456), full(123456, 1000));
  });
  it('104 agent JSON patches', () => {
    const make = (a: Record<string, string>) =>
      injected(testPod({ 'agent-inject': 'true', role: 'role', ...a }), CONFIG_S).pod;
    const plain = make({});
    for (const v of ['null', '', '[]']) {
      assert.deepEqual(container(make({ 'agent-json-patch': v }), 'vault-agent'), container(plain, 'vault-agent'));
    }
    assert.match(
      denied(testPod({ 'agent-inject': 'true', role: 'r', 'agent-json-patch': 'abc' }), CONFIG_S),
      /^error adding default annotations: error parsing JSON patch for annotation vault.hashicorp.com\/agent-json-patch: /,
    );
    assert.match(
      denied(testPod({ 'agent-inject': 'true', role: 'r', 'agent-json-patch': '[{"op":"invalid"}]' }), CONFIG_S),
      /^error creating patch for agent: failed to apply JSON patch: /,
    );
    const renamed = make({ 'agent-json-patch': '[{"op":"replace","path":"/name","value":"different-name"}]' });
    assert.deepEqual({ ...container(renamed, 'different-name'), name: 'vault-agent' }, container(plain, 'vault-agent'));
    const renamedInit = make({
      'agent-init-json-patch': '[{"op":"replace","path":"/name","value":"different-name-init"}]',
    });
    assert.deepEqual(
      { ...container(renamedInit, 'different-name-init'), name: 'vault-agent-init' },
      container(plain, 'vault-agent-init'),
    );
    // the unpatched sidecar, field by field (pair 104)
    const side = container(plain, 'vault-agent');
    assert.deepEqual(side.command, ['/bin/sh', '-ec']);
    assert.equal(side.image, 'foobar-image');
    assert.equal(
      Buffer.from(side.env?.find((e) => e.name === 'VAULT_CONFIG')?.value ?? '', 'base64').toString(),
      '{"auto_auth":{"method":{"type":"kubernetes","mount_path":"test","config":{"role":"role","token_path":"serviceaccount/somewhere/token"}},"sink":[{"type":"file","config":{"path":"/home/vault/.vault-token"}}]},"exit_after_auth":false,"pid_file":"/home/vault/.pid","vault":{"address":"http://foobar:1234"},"template_config":{"exit_on_retry_failure":true}}',
    );
    assert.deepEqual(side.volumeMounts, [
      { name: 'foobar', mountPath: 'serviceaccount/somewhere', readOnly: true },
      { name: 'home-sidecar', mountPath: '/home/vault' },
      { name: 'vault-secrets', mountPath: '/vault/secrets' },
    ]);
    assert.deepEqual(side.securityContext, full(1000, 100));
    const init = container(plain, 'vault-agent-init');
    assert.deepEqual(init.volumeMounts, [
      { name: 'home-init', mountPath: '/home/vault' },
      { name: 'foobar', mountPath: 'serviceaccount/somewhere', readOnly: true },
      { name: 'vault-secrets', mountPath: '/vault/secrets' },
    ]);
    assert.equal(init.lifecycle, undefined);
    assert.equal(configOf(init).exit_after_auth, true);
  });
});

describe('worked example (spec §3.9)', () => {
  it('001 the Helm-default injector and a typical pod', () => {
    const pod: Pod = {
      metadata: {
        name: 'app',
        annotations: prefixed({ 'agent-inject': 'true', role: 'myapp', 'agent-inject-secret-db': 'database/creds/db' }),
      },
      spec: {
        containers: [
          {
            name: 'app',
            volumeMounts: [
              { name: 'kube-api-access-abcde', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
            ],
          },
        ],
        volumes: [
          { name: 'kube-api-access-abcde', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
        ],
      },
    };
    const r = injected(pod, injectorConfig({ vaultAddress: 'http://vault.vault.svc:8200' }), 'app');
    assert.equal(
      Buffer.from(
        container(r.pod, 'vault-agent').env?.find((e) => e.name === 'VAULT_CONFIG')?.value ?? '',
        'base64',
      ).toString(),
      '{"auto_auth":{"method":{"type":"kubernetes","mount_path":"auth/kubernetes","config":{"role":"myapp","token_path":"/var/run/secrets/kubernetes.io/serviceaccount/token"}},"sink":[{"type":"file","config":{"path":"/home/vault/.vault-token"}}]},"exit_after_auth":false,"pid_file":"/home/vault/.pid","vault":{"address":"http://vault.vault.svc:8200"},"template":[{"destination":"/vault/secrets/db","contents":"{{ with secret \\"database/creds/db\\" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\\n{{ end }}{{ end }}","left_delimiter":"{{","right_delimiter":"}}"}],"template_config":{"exit_on_retry_failure":true}}',
    );
    assert.deepEqual(container(r.pod, 'vault-agent').resources, {
      limits: { cpu: '500m', memory: '128Mi' },
      requests: { cpu: '250m', memory: '64Mi' },
    });
    assert.deepEqual(names(r.pod.spec?.volumes), [
      'kube-api-access-abcde',
      'home-init',
      'home-sidecar',
      'vault-secrets',
    ]);
    // every op for a pod that has volumes and no init containers is an add
    assert.ok(
      r.patch.every((op) => op.op === 'add'),
      JSON.stringify(r.patch),
    );
  });
});
