import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePidFile } from './pidfile.js';

describe('agent pid file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'h5-pid-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('001 decimal PID, no newline, mode 0600; remove() deletes it and may be repeated', async () => {
    const path = join(dir, '.pid');
    const pid = await writePidFile(path);
    assert.equal(readFileSync(path, 'utf8'), String(process.pid));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    await pid.remove();
    assert.equal(existsSync(path), false);
    await pid.remove();
    pid.removeSync();
  });

  it('002 an existing file is truncated and made 0600', async () => {
    const path = join(dir, 'agent.pid');
    writeFileSync(path, '1234567890123\n', { mode: 0o644 });
    const pid = await writePidFile(path, 42);
    assert.equal(readFileSync(path, 'utf8'), '42');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    pid.removeSync();
    assert.equal(existsSync(path), false);
  });
});
