// Writes a rendered template the way consul-template's renderer does (spec §3.8): nothing when the bytes are the
// same; else a temp file in the destination's directory, fsync, chmod, optional .bak hard link, atomic rename.

import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { tempPathBeside } from '../temp-path.js';

export interface WriteOptions {
  /** File mode; undefined keeps the existing file's mode, or 0644 for a new file. */
  readonly perms?: number;
  /** Create missing parent directories (0755). */
  readonly createDestDirs: boolean;
  /** Keep the previous content as `<dest>.bak`. */
  readonly backup?: boolean;
}

export class RenderWriteError extends Error {
  readonly code = 'WRITE_FAILED';
  constructor(
    readonly destination: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RenderWriteError';
  }
}

/** Parses `perms` as written in the config: octal string ("0600", "600") or a number (already a mode). */
export function parsePerms(perms: string | number | undefined): number | undefined {
  if (perms === undefined || perms === '') return undefined;
  if (typeof perms === 'number') {
    if (!Number.isInteger(perms) || perms < 0 || perms > 0o7777) throw new RangeError(`invalid perms ${perms}`);
    return perms === 0 ? undefined : perms;
  }
  if (!/^0?[0-7]{1,4}$/.test(perms.trim()))
    throw new RangeError(`invalid perms "${perms}": want an octal mode like "0644"`);
  const mode = Number.parseInt(perms.trim(), 8);
  return mode === 0 ? undefined : mode;
}

const DEFAULT_MODE = 0o644;

async function readExisting(dest: string): Promise<{ bytes: Buffer; mode: number } | undefined> {
  try {
    const [bytes, st] = await Promise.all([fs.readFile(dest), fs.stat(dest)]);
    return { bytes, mode: st.mode & 0o7777 };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function backupOf(dest: string): Promise<void> {
  const bak = `${dest}.bak`;
  const old = `${dest}.old.bak`;
  await fs.rename(bak, old).catch(() => undefined);
  await fs.link(dest, bak);
  await fs.rm(old, { force: true });
}

/** Writes `contents` to `dest` unless it already holds exactly these bytes. Returns whether it wrote. */
export async function writeRendered(dest: string, contents: string, opts: WriteOptions): Promise<boolean> {
  const bytes = Buffer.from(contents, 'utf8');
  try {
    const existing = await readExisting(dest);
    if (existing?.bytes.equals(bytes)) return false;
    const dir = dirname(dest);
    if (opts.createDestDirs && existing === undefined) await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    const mode = opts.perms ?? existing?.mode ?? DEFAULT_MODE;
    const tmp = tempPathBeside(dest);
    const handle = await fs.open(tmp, 'wx', 0o600).catch(async (err: NodeJS.ErrnoException) => {
      // The temp file lives beside dest: ENOENT/ENOTDIR here means the parent directory is missing.
      if (
        (err.code === 'ENOENT' || err.code === 'ENOTDIR') &&
        !(await fs.stat(dir).catch(() => undefined))?.isDirectory()
      ) {
        throw new RenderWriteError(dest, `failed writing file: parent directory is missing for "${dest}"`);
      }
      throw err;
    });
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.chmod(tmp, mode);
      if (opts.backup && existing) await backupOf(dest);
      await fs.rename(tmp, dest);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
    return true;
  } catch (err) {
    if (err instanceof RenderWriteError) throw err;
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new RenderWriteError(dest, `failed writing file "${dest}": ${reason}`, { cause: err });
  }
}
