import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePerms, RenderWriteError, writeRendered } from './file-writer.js';

describe('runner file writer (spec §3.8)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runner-writer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses perms as octal strings or modes; 0 and empty mean "unset"', () => {
    assert.equal(parsePerms('0600'), 0o600);
    assert.equal(parsePerms('644'), 0o644);
    assert.equal(parsePerms(0o640), 0o640);
    assert.equal(parsePerms(undefined), undefined);
    assert.equal(parsePerms(''), undefined);
    assert.equal(parsePerms('0'), undefined);
    assert.throws(() => parsePerms('rw-r--r--'), /invalid perms "rw-r--r--": want an octal mode like "0644"/);
    assert.throws(() => parsePerms('0899'), RangeError);
  });

  it('creates parent dirs, writes 0644 by default, and skips identical bytes', async () => {
    const dest = join(dir, 'a', 'b', 'out.txt');
    assert.equal(await writeRendered(dest, 'hello', { createDestDirs: true }), true);
    assert.equal(readFileSync(dest, 'utf8'), 'hello');
    assert.equal(statSync(dest).mode & 0o777, 0o644);
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o755);
    const inode = statSync(dest).ino;
    assert.equal(await writeRendered(dest, 'hello', { createDestDirs: true }), false);
    assert.equal(statSync(dest).ino, inode, 'unchanged file is not replaced');
    assert.equal(await writeRendered(dest, 'hello2', { createDestDirs: true }), true);
    assert.notEqual(statSync(dest).ino, inode, 'replaced by rename');
    assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['out.txt'], 'no temp files left');
  });

  it('keeps an existing mode when perms is unset, and applies perms when set', async () => {
    const dest = join(dir, 'mode.txt');
    writeFileSync(dest, 'old', { mode: 0o640 });
    await writeRendered(dest, 'new', { createDestDirs: false });
    assert.equal(statSync(dest).mode & 0o777, 0o640);
    await writeRendered(dest, 'newer', { createDestDirs: false, perms: 0o600 });
    assert.equal(statSync(dest).mode & 0o777, 0o600);
  });

  it('without create_dest_dirs a missing parent is an error naming the file', async () => {
    const dest = join(dir, 'missing', 'out.txt');
    await assert.rejects(writeRendered(dest, 'x', { createDestDirs: false }), (e: unknown) => {
      assert.ok(e instanceof RenderWriteError);
      assert.equal(e.destination, dest);
      assert.equal(e.message, `failed writing file: parent directory is missing for "${dest}"`);
      return true;
    });
    assert.equal(existsSync(join(dir, 'missing')), false);
  });

  it('backup keeps the previous content as .bak', async () => {
    const dest = join(dir, 'b.txt');
    await writeRendered(dest, 'v1', { createDestDirs: true, backup: true });
    assert.equal(existsSync(`${dest}.bak`), false);
    await writeRendered(dest, 'v2', { createDestDirs: true, backup: true });
    assert.equal(readFileSync(`${dest}.bak`, 'utf8'), 'v1');
    await writeRendered(dest, 'v3', { createDestDirs: true, backup: true });
    assert.equal(readFileSync(`${dest}.bak`, 'utf8'), 'v2');
    assert.equal(readFileSync(dest, 'utf8'), 'v3');
    assert.equal(existsSync(`${dest}.old.bak`), false);
  });
});
