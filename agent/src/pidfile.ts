/**
 * Vault Agent's `pid_file` (spec §2.10): the decimal PID with no newline, mode 0600, truncated on write, and
 * removed on exit.
 */
import { rmSync } from 'node:fs';
import { chmod, rm, writeFile } from 'node:fs/promises';

export interface PidFile {
  readonly path: string;
  /** Removes the file; safe to call more than once, and when the file is already gone. */
  remove(): Promise<void>;
  /** The same, synchronously, for a `process.on('exit')` handler. */
  removeSync(): void;
}

/** Writes `pid` to `path` and returns a handle whose `remove()` the agent calls on its way out. */
export async function writePidFile(path: string, pid: number = process.pid): Promise<PidFile> {
  await writeFile(path, String(pid), { mode: 0o600 });
  await chmod(path, 0o600); // an existing file keeps its old mode through writeFile; make it 0600 anyway
  return {
    path,
    remove: () => rm(path, { force: true }),
    removeSync: () => rmSync(path, { force: true }),
  };
}
