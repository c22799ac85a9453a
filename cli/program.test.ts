import assert from 'node:assert/strict';
import { buildProgram } from './program.js';

function run(args: string[]): { out: string; err: string; exitCode: number } {
  let out = '';
  let err = '';
  const program = buildProgram({
    version: '1.2.3',
    runtime: { node: 'v20.19.0', platform: 'linux', arch: 'x64' },
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  let exitCode = 0;
  try {
    program.parse(['node', 'vault-injector', ...args]);
  } catch (e) {
    exitCode = (e as { exitCode?: number }).exitCode ?? 99;
  }
  return { out, err, exitCode };
}

describe('cli program', () => {
  it('001 version prints one line with version and runtime', () => {
    const r = run(['version']);
    assert.equal(r.out, 'vault-injector v1.2.3 (node v20.19.0, linux/x64)\n');
    assert.equal(r.exitCode, 0);
  });

  it('002 --version prints the bare version', () => {
    const r = run(['--version']);
    assert.equal(r.out, '1.2.3\n');
    assert.equal(r.exitCode, 0);
  });

  it('003 --help lists the version command and exits 0', () => {
    const r = run(['--help']);
    assert.match(r.out, /^Usage: vault-injector \[options\] \[command\]/);
    assert.match(r.out, /\n {2}version +print the version/);
    assert.equal(r.exitCode, 0);
  });

  it('005 sub-command flags that start like program options reach the sub-command', async () => {
    const seen: string[][] = [];
    let out = '';
    const program = buildProgram(
      {
        version: '1.2.3',
        runtime: { node: 'v20', platform: 'linux', arch: 'x64' },
        out: (t) => {
          out += t;
        },
        err: () => {},
      },
      {
        webhook: async (a) => {
          seen.push([...a]);
          return 0;
        },
        mutate: async () => 0,
        checkFiles: async () => 0,
        agent: async (a) => {
          seen.push(['agent', ...a]);
          return 0;
        },
        tokenRevoke: async (a) => {
          seen.push(['token-revoke', ...a]);
          return 0;
        },
      },
    );
    await program.parseAsync(['node', 'vault-injector', 'token-revoke', '-self', '-wait=5s', '-address=http://v:8200']);
    assert.deepEqual(seen.splice(0), [['token-revoke', '-self', '-wait=5s', '-address=http://v:8200']]);
    await program.parseAsync([
      'node',
      'vault-injector',
      'agent-inject',
      '-vault-address=http://v:8200',
      '-v',
      '--help',
      '2>&1',
    ]);
    assert.deepEqual(seen, [['-vault-address=http://v:8200', '-v', '--help', '2>&1']]);
    assert.equal(out, '');
    // `agent` takes Vault Agent's Go-style flags raw too.
    await program.parseAsync([
      'node',
      'vault-injector',
      'agent',
      '-config=/vault/configs/config.hcl',
      '-log-level',
      'debug',
    ]);
    assert.deepEqual(seen[1], ['agent', '-config=/vault/configs/config.hcl', '-log-level', 'debug']);
  });

  it('004 an unknown command fails with exit 1 and a hint', () => {
    const r = run(['frobnicate']);
    assert.equal(r.exitCode, 1);
    assert.match(r.err, /unknown command 'frobnicate'/);
    assert.match(r.err, /vault-injector --help/);
  });
});
