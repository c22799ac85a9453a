import assert from 'node:assert/strict';
import { parseDemoArgs } from './options.js';

describe('demo options', () => {
  it('001 defaults: follow the logs, our agent image', () => {
    assert.deepEqual(parseDemoArgs([]), {
      kind: 'run',
      options: { once: false, agentImage: 'vault-injector/agent:0.1.0' },
    });
  });

  it('002 --once and --agent-image in both spellings', () => {
    for (const argv of [
      ['--once', '--agent-image', 'hashicorp/vault:1.14.8'],
      ['--agent-image=hashicorp/vault:1.14.8', '-once'],
    ]) {
      assert.deepEqual(parseDemoArgs(argv), {
        kind: 'run',
        options: { once: true, agentImage: 'hashicorp/vault:1.14.8' },
      });
    }
  });

  it('003 help, and clear errors for a missing image or an unknown argument', () => {
    assert.deepEqual(parseDemoArgs(['--help']), { kind: 'help' });
    const missing = parseDemoArgs(['--agent-image']);
    assert.equal(missing.kind, 'error');
    assert.match((missing as { message: string }).message, /--agent-image needs an image name/);
    assert.deepEqual(parseDemoArgs(['--agent-image', '--once']).kind, 'error');
    assert.deepEqual(parseDemoArgs(['--forever']), { kind: 'error', message: 'unknown argument "--forever"' });
  });
});
