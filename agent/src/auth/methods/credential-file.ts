import { readFile, rm } from 'node:fs/promises';
import { AuthError, errorText } from '../errors.js';
import type { MethodFs } from './types.js';

export const nodeMethodFs: MethodFs = {
  readFile: (path) => readFile(path, 'utf8'),
  remove: (path) => rm(path, { force: true }),
};

/** Reads a credential file, trimmed; a missing, unreadable or empty file is an error naming the path. */
export async function readCredentialFile(fs: MethodFs, path: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(path);
  } catch (err) {
    throw new AuthError('AUTH_CREDENTIAL_FILE', `error reading ${what} file "${path}": ${errorText(err)}`, {
      cause: err,
    });
  }
  const value = text.trim();
  if (value === '') throw new AuthError('AUTH_CREDENTIAL_FILE', `${what} file "${path}" is empty`);
  return value;
}
