// Reading and writing the persistent-cache handoff (handoff.ts has the format): the file in `cache.persist.path`,
// the key wrapped and unwrapped through Vault, the service account token as the binding.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../cli/log.js';
import { tempPathBeside } from '../temp-path.js';
import {
  HANDOFF_FILE,
  HandoffError,
  type HandoffState,
  handoffWrappingToken,
  newHandoffKey,
  openHandoff,
  sealHandoff,
} from './handoff.js';

/** The Vault calls the handoff needs. */
export interface HandoffVault {
  /** `sys/wrapping/wrap` as `token`: a single-use token holding `data` for `ttl`. */
  wrap(token: string, data: Record<string, string>, ttl: string): Promise<string>;
  /** `sys/wrapping/unwrap` with the wrapping token itself. */
  unwrap(wrappingToken: string): Promise<Record<string, unknown> | null>;
}

export const DEFAULT_SERVICE_ACCOUNT_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';
/** How long the wrapped key waits for vault-agent (the token's own TTL usually ends it first). */
const KEY_WRAP_TTL = '1h';

export interface PersistOptions {
  readonly dir: string;
  /** The file whose content binds the handoff to the pod's service account. */
  readonly serviceAccountTokenFile: string;
  readonly vault: HandoffVault;
  readonly log: Logger;
}

function bindingOf(file: string): string {
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (text !== '') return text;
  } catch (err) {
    throw new HandoffError(
      `cannot read the service account token ${file} that binds the persistent cache: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  throw new HandoffError(`the service account token ${file} that binds the persistent cache is empty`);
}

/** vault-agent-init: seals `state` into the handoff file (mode 0600, written atomically). */
export async function writeHandoff(state: HandoffState, o: PersistOptions): Promise<void> {
  const binding = bindingOf(o.serviceAccountTokenFile);
  const key = newHandoffKey();
  const wrappingToken = await o.vault.wrap(state.token, { key: key.toString('base64') }, KEY_WRAP_TTL);
  const path = join(o.dir, HANDOFF_FILE);
  const temp = tempPathBeside(path);
  try {
    writeFileSync(temp, sealHandoff(state, key, binding, wrappingToken), { mode: 0o600, flag: 'wx' });
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new HandoffError(`cannot write the persistent cache ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  o.log.info('persistent cache written for the sidecar', { path, secrets: state.secrets.length });
}

/**
 * vault-agent: opens the handoff file, or undefined when there is none. The wrapped key can be unwrapped once, so
 * a second reader (or a replayed file) fails; the file is removed after import unless `keepAfterImport`.
 */
export async function readHandoff(o: PersistOptions & { keepAfterImport: boolean }): Promise<HandoffState | undefined> {
  const path = join(o.dir, HANDOFF_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HandoffError(`cannot read the persistent cache ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  try {
    const binding = bindingOf(o.serviceAccountTokenFile);
    let wrapped: Record<string, unknown> | null;
    try {
      wrapped = await o.vault.unwrap(handoffWrappingToken(text));
    } catch (err) {
      throw new HandoffError(
        `cannot unwrap the persistent cache key (used already, or expired): ${(err as Error).message}`,
        { cause: err },
      );
    }
    const key = typeof wrapped?.key === 'string' ? Buffer.from(wrapped.key, 'base64') : undefined;
    if (key?.length !== 32) throw new HandoffError('the unwrapped persistent cache key is not a 256-bit key');
    const state = openHandoff(text, key, binding);
    o.log.info('loaded the persistent cache', { path, secrets: state.secrets.length });
    return state;
  } finally {
    if (!o.keepAfterImport) rmSync(path, { force: true });
  }
}
