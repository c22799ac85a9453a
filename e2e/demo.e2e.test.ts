import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type ExitStatus, ManagedProcess } from './bed/processes.js';
import { REPO_ROOT } from './bed/stack.js';
import { within } from './bed/time.js';
import { builtCliHasCommand } from './demo/cli-commands.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const VAULT_AGENT_IMAGE = 'hashicorp/vault:1.14.8';

/** `vault-injector demo ...` as a child process, as `npm start` runs it. */
function startDemo(args: readonly string[]): ManagedProcess {
  return new ManagedProcess({
    name: 'demo',
    command: process.execPath,
    args: ['--enable-source-maps', CLI, 'demo', ...args],
  });
}

/** Waits (bounded) for the demo to exit; on overrun it gets SIGTERM, so it still cleans up, and the test fails. */
async function exitOf(demo: ManagedProcess, timeoutMs: number): Promise<ExitStatus> {
  const status = await within(demo.exited, timeoutMs);
  if (status === undefined) {
    await demo.stop({ graceMs: 60_000 });
    assert.fail(`the demo did not finish in ${timeoutMs} ms\n${demo.tail(60)}`);
  }
  return status;
}

/** What every successful run prints, whichever agent runs. */
function assertShowsTheWalkthrough(output: string): void {
  assert.match(output, /the demo creates the pod from the Deployment's template itself, as its ReplicaSet would/);
  // the diff: the webhook's additions, `vault-injector mutate` YAML with + markers
  assert.match(output, /^==> What the webhook changed: pod as submitted -> as stored \(\+\d+ -0 lines/m);
  assert.match(output, /^\+ {5}vault\.hashicorp\.com\/agent-inject-status: injected$/m);
  assert.match(output, /^\+ {3}initContainers:$/m);
  assert.match(output, /^\+ {5}- name: vault-agent-init$/m);
  assert.match(output, /^\+ {5}- name: vault-agent$/m);
  assert.match(output, /^\+ {5}- name: vault-secrets$/m);
  assert.match(output, /^\+ {11}mountPath: \/vault\/secrets$/m);
  assert.match(output, /^ {6}- name: busybox$/m, 'the app container is context, not added');
  // the rendered file, read inside the app container
  assert.match(output, /^==> kubectl exec \S+ -c busybox -- cat \/vault\/secrets\/devops_token\n {4}(.*)$/m);
  assert.equal(
    /cat \/vault\/secrets\/devops_token\n {4}(.*)$/m.exec(output)?.[1],
    'token value stored on path secret/devops is pat',
  );
  // the agent's logs, init and sidecar
  assert.match(output, /^\[vault-agent-init\] \S.*$/m);
  assert.match(output, /^\[vault-agent\] \S.*$/m);
  assert.match(output, /^ {4}nothing left behind: no processes, temp dirs or mounts$/m);
}

describe('the demo (npm start / vault-injector demo)', () => {
  it('001 --once with the real Vault Agent: diff, rendered secret, agent logs, clean exit 0', async function () {
    this.timeout(240_000);
    const demo = startDemo(['--once', '--agent-image', VAULT_AGENT_IMAGE]);
    const status = await exitOf(demo, 200_000);
    const output = demo.text();
    assert.deepEqual(status, { code: 0, signal: null }, output);
    assertShowsTheWalkthrough(output);
    assert.match(output, /^\+ {7}image: hashicorp\/vault:1\.14\.8$/m);
    assert.match(output, /^\[vault-agent-init\] .*authentication successful/m);
    assert.match(output, /^\[vault-agent-init\] .*rendered .*"\/vault\/secrets\/devops_token"$/m);
    assert.match(output, /^ {4}stopped pod busybox\/busybox-[a-z0-9]{10}-[a-z0-9]{5}$/m);
    assert.doesNotMatch(output, /Following vault-agent's log/);
  });

  it('002 without --once it follows the agent log until SIGINT (Ctrl-C), then stops everything and exits 0', async function () {
    this.timeout(240_000);
    const demo = startDemo(['--agent-image', VAULT_AGENT_IMAGE]);
    try {
      await demo.waitForLine(/^==> Running\. Following vault-agent's log; Ctrl-C stops everything\.$/, 200_000);
    } catch (err) {
      await demo.stop({ graceMs: 60_000 });
      throw err;
    }
    demo.signal('SIGINT');
    const status = await exitOf(demo, 60_000);
    const output = demo.text();
    assert.deepEqual(status, { code: 0, signal: null }, output);
    assertShowsTheWalkthrough(output);
    assert.match(output, /^SIGINT: stopping/m);
    for (const what of ['pod busybox/', 'vault-injector webhook', 'Vault server', 'kube-apiserver and etcd']) {
      assert.ok(output.includes(`    stopped ${what}`), `stopped ${what}\n${output}`);
    }
  });

  it('003 --once with the default image (our agent, `vault-injector agent`)', async function () {
    this.timeout(240_000);
    if (!builtCliHasCommand('agent')) {
      process.stdout.write(
        '      skipped: this build has no `vault-injector agent` sub-command yet (not in `vault-injector --help`), ' +
          'which the default agent image runs\n',
      );
      this.skip();
    }
    const demo = startDemo(['--once']);
    const status = await exitOf(demo, 200_000);
    const output = demo.text();
    assert.deepEqual(status, { code: 0, signal: null }, output);
    assertShowsTheWalkthrough(output);
    assert.match(output, /^\+ {7}image: vault-injector\/agent:0\.1\.0$/m);
  });
});
