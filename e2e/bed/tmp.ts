import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every temp dir the test bed makes starts with this, so the after-all audit can find leftovers. */
export const TEMP_PREFIX = 'vi-e2e-';

const made = new Set<string>();

export function makeTempDir(purpose: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}${purpose}-`));
  made.add(dir);
  return dir;
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
  made.delete(path);
}

/** Temp dirs this process made that still exist (for the after-all audit). */
export function leftoverTempDirs(): string[] {
  return [...made].filter((d) => existsSync(d));
}
