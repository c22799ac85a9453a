import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NOT_IN_PACKAGE, runDemo } from './demo.js';

function capture() {
  const io = {
    text: '',
    errText: '',
    out: (t: string) => {
      io.text += t;
    },
    err: (t: string) => {
      io.errText += t;
    },
  };
  return io;
}

describe('cli demo sub-command', () => {
  it('001 without the test bed (an installed package) it says to use a source checkout', async () => {
    const io = capture();
    const code = await runDemo(['--once'], io, new URL('file:///nonexistent/dist/e2e/demo/main.js'));
    assert.equal(code, 1);
    assert.equal(io.errText, NOT_IN_PACKAGE);
    assert.match(io.errText, /npm start/);
  });

  it('002 with the module present it hands over the arguments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-cli-test-'));
    try {
      const file = join(dir, 'main.js');
      writeFileSync(file, 'export async function runDemoCommand(argv, io) { io.out(argv.join(",")); return 7; }\n');
      const io = capture();
      assert.equal(await runDemo(['--once', '-h'], io, pathToFileURL(file)), 7);
      assert.equal(io.text, '--once,-h');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('003 the built demo module is found from dist/cli in a source checkout and prints its help', async () => {
    const io = capture();
    assert.equal(await runDemo(['--help'], io), 0);
    assert.match(io.text, /^Usage: vault-injector demo \[--once\] \[--agent-image IMAGE\]/);
  });
});
