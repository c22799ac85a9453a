import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError, commandArgv, commandLabel, runCommand } from './command.js';

const env = { PATH: process.env.PATH };

describe('runner template commands (spec §3.8)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runner-command-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a single string with whitespace runs through sh -c; otherwise argv', () => {
    assert.deepEqual(commandArgv('kill -HUP 1'), ['sh', '-c', 'kill -HUP 1']);
    assert.deepEqual(commandArgv(['pkill -HUP app']), ['sh', '-c', 'pkill -HUP app']);
    assert.deepEqual(commandArgv('true'), ['true']);
    assert.deepEqual(commandArgv(['touch', 'a b']), ['touch', 'a b']);
    assert.throws(() => commandArgv([]), CommandError);
    assert.throws(() => commandArgv('  '), /empty command/);
  });

  it('labels commands as Go prints %q of the list', () => {
    assert.equal(commandLabel("sh -c 'kill -HUP 1'"), '"[\\"sh -c \'kill -HUP 1\'\\"]"');
  });

  it('runs with the given environment and passes output through', async () => {
    const out: Buffer[] = [];
    const file = join(dir, 'x');
    await runCommand(`echo "$MARK" > ${file}; echo done`, {
      timeoutMs: 5000,
      env: { ...env, MARK: 'from-env' },
      stdout: (b) => out.push(b),
    });
    assert.equal(readFileSync(file, 'utf8'), 'from-env\n');
    assert.equal(Buffer.concat(out).toString(), 'done\n');
  });

  it('a non-zero exit is an error', async () => {
    await assert.rejects(runCommand('exit 3', { timeoutMs: 5000, env }), {
      name: 'CommandError',
      message: 'command "sh -c exit 3" exited with code 3',
    });
  });

  it('a command past its timeout is killed (with its children) and reported', async () => {
    const started = Date.now();
    await assert.rejects(runCommand('sleep 30; echo never', { timeoutMs: 300, env }), {
      message: 'command "sh -c sleep 30; echo never" timed out after 300ms',
      code: 'COMMAND_TIMEOUT',
    });
    assert.ok(Date.now() - started < 5000);
  });

  it('a missing program is an error, not a crash', async () => {
    await assert.rejects(runCommand(['/nonexistent/program'], { timeoutMs: 5000, env }), /failed to execute command/);
  });
});
