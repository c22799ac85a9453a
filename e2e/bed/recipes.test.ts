import assert from 'node:assert/strict';
import { toolsGo, wrapperGoMod } from './provision.js';
import { stagingReplaces } from './recipes.js';

describe('e2e provisioning recipes', () => {
  it('001 staging replaces become published v0 versions', () => {
    const goMod = [
      'replace (',
      '\tk8s.io/api => ./staging/src/k8s.io/api',
      '\tk8s.io/client-go => ./staging/src/k8s.io/client-go',
      '\tgithub.com/x/y => github.com/x/y v1.0.0',
      ')',
    ].join('\n');
    assert.deepEqual(stagingReplaces(goMod, 'v1.34.4'), {
      'k8s.io/api': 'k8s.io/api v0.34.4',
      'k8s.io/client-go': 'k8s.io/client-go v0.34.4',
    });
  });
  it('002 wrapper go.mod lists requires and replaces', () => {
    assert.equal(
      wrapperGoMod({ module: 'm', goVersion: '1.24', requires: { a: 'v1' }, replaces: { b: 'b v2' } }),
      'module m\n\ngo 1.24\n\nrequire (\n\ta v1\n)\n\nreplace (\n\tb => b v2\n)\n',
    );
  });
  it('003 tools.go blank-imports under the tools build tag', () => {
    assert.equal(toolsGo(['x/y']), '//go:build tools\n\npackage tools\n\nimport (\n\t_ "x/y"\n)\n');
  });
});
