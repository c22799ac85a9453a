// The file sink (Vault's `sink "file"`): the token lands in a file other processes read, written atomically
// so a reader never sees half a token, with the raw token and no trailing newline.

import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Logger } from '../../../cli/log.js';
import { tempPathBeside } from '../temp-path.js';
import { AuthError, errorText } from './errors.js';

/** Anything the auth handler hands tokens to. */
export interface TokenSink {
  readonly path: string;
  write(token: string): Promise<void>;
}

export interface FileSinkConfig {
  readonly path: string;
  /** File mode; a number, or a string read as Go does (`0640` octal, `0x1a0` hex, `416` decimal). */
  readonly mode?: number | string;
}

export const DEFAULT_SINK_MODE = 0o640;

/** Go's integer parsing with base 0: a leading `0`/`0o` is octal, `0x` hex, `0b` binary, else decimal. */
export function parseSinkMode(mode: number | string | undefined): number {
  if (mode === undefined || mode === '') return DEFAULT_SINK_MODE;
  let value: number;
  if (typeof mode === 'number') {
    value = mode;
  } else {
    const s = mode.trim();
    const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[1-9][0-9]*|0)$/.exec(s);
    if (!m) throw new AuthError('SINK_BAD_CONFIG', `file sink: mode ${JSON.stringify(mode)} is not an integer`);
    value = /^0[0-7]/.test(s) ? Number.parseInt(s, 8) : Number(s.replace(/^0[oO]/, '0o'));
  }
  if (!Number.isInteger(value) || value < 0 || value > 0o777) {
    throw new AuthError('SINK_BAD_CONFIG', `file sink: mode ${String(mode)} is not a regular file permission (0-0777)`);
  }
  return value;
}

/** `os.FileMode.String()` for a regular file, e.g. `-rw-r-----`. */
export function fileModeString(mode: number): string {
  const bits = 'rwxrwxrwx';
  let out = '-';
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}

// Written and chmod-ed explicitly (the umask must not weaken or change the requested mode), synced, then renamed.
// Synchronous, as Vault's sink is: a token is a few hundred bytes, usually on a memory-backed volume, and the
// promise API's file handles cost an init container milliseconds per call on its first (cold) use.
function writeAtomically(path: string, contents: string, mode: number): void {
  const temp = tempPathBeside(path);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      fchmodSync(fd, mode);
      writeSync(fd, contents, null, 'utf8');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

export class FileSink implements TokenSink {
  private constructor(
    readonly path: string,
    readonly mode: number,
    private readonly log: Logger,
  ) {}

  /**
   * Checks the directory is writable (a temp file is created and removed) and logs the sink's settings.
   * `log` is the agent's logger; the sink logs as `<name>.sink.file`.
   */
  static async create(config: FileSinkConfig, log: Logger): Promise<FileSink> {
    const sinkLog = log.named('sink.file');
    sinkLog.info('creating file sink');
    if (typeof config.path !== 'string' || config.path.trim() === '') {
      throw new AuthError('SINK_BAD_CONFIG', "file sink: 'path' must be specified");
    }
    const mode = parseSinkMode(config.mode);
    try {
      const temp = tempPathBeside(config.path);
      const fd = openSync(temp, 'wx', mode);
      try {
        writeSync(fd, 'vault-injector write check', null, 'utf8');
      } finally {
        closeSync(fd);
        rmSync(temp, { force: true });
      }
    } catch (err) {
      throw new AuthError(
        'SINK_NOT_WRITABLE',
        `file sink: cannot write token files next to "${config.path}": ${errorText(err)}`,
        { cause: err },
      );
    }
    sinkLog.info('file sink configured', {
      path: config.path,
      mode: fileModeString(mode),
      owner: process.getuid?.(),
      group: process.getgid?.(),
    });
    return new FileSink(config.path, mode, sinkLog);
  }

  async write(token: string): Promise<void> {
    writeAtomically(this.path, token, this.mode);
    this.log.info('token written', { path: this.path });
  }
}
