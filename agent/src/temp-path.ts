import { basename, dirname, join } from 'node:path';

let created = 0;

/**
 * A hidden temporary file beside `dest` (`.<name>.<unique>.tmp`, same directory so a rename replaces `dest`
 * atomically). Callers create it with the `wx` flag (O_EXCL): an existing file or symlink of that name makes the
 * write fail rather than be followed, so the name needs to be unlikely, not secret. Math.random with the pid and a
 * counter does that without loading node:crypto into every init container.
 */
export function tempPathBeside(dest: string): string {
  created += 1;
  const unique = `${process.pid.toString(36)}${created.toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  return join(dirname(dest), `.${basename(dest)}.${unique}.tmp`);
}
