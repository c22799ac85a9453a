// The persistent-cache handoff (Vault Agent's `cache { persist "kubernetes" }`, what vault-k8s configures for
// `agent-cache-enable`): vault-agent-init leaves its token and its leased secrets for vault-agent, which takes them
// over instead of logging in again and fetching new dynamic credentials. This module is the file's format: pure.
//
// The state is sealed with AES-256-GCM under a fresh key; the key itself never touches the disk, it is kept in
// Vault behind a single-use response-wrapping token (only that token is in the file), and the service account
// token is the additional authenticated data, so the file opens only once, only in a pod of that service account.

import { nodeCrypto } from '../builtins.js';
import type { JsonValue, VaultSecretData } from '../template/dependencies.js';
import { parseVaultJson, stringifyVaultJson } from '../vault/json.js';

/** The file name inside `cache.persist.path`. */
export const HANDOFF_FILE = 'vault-injector-agent-cache.json';

export interface HandoffState {
  /** The auto-auth token of the agent that wrote the file. */
  readonly token: string;
  /** Renewable leased secrets by template dependency key, as Vault answered them. */
  readonly secrets: ReadonlyArray<{ readonly key: string; readonly secret: VaultSecretData }>;
  /** When the file was written (ms since the epoch). */
  readonly writtenAt: number;
}

interface HandoffFile {
  readonly version: 1;
  readonly wrapping_token: string;
  readonly iv: string;
  readonly tag: string;
  readonly sealed: string;
}

export class HandoffError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HandoffError';
  }
}

export const newHandoffKey = (): Buffer => nodeCrypto().randomBytes(32);

/** The file's text: `state` sealed under `key`, bound to `aad`, with the wrapping token that holds the key. */
export function sealHandoff(state: HandoffState, key: Buffer, aad: string, wrappingToken: string): string {
  const iv = nodeCrypto().randomBytes(12);
  const cipher = nodeCrypto().createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const sealed = Buffer.concat([cipher.update(stringifyVaultJson(state), 'utf8'), cipher.final()]);
  const file: HandoffFile = {
    version: 1,
    wrapping_token: wrappingToken,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    sealed: sealed.toString('base64'),
  };
  return `${JSON.stringify(file)}\n`;
}

/** The wrapping token in a handoff file's text; throws HandoffError when the text is not such a file. */
export function handoffWrappingToken(text: string): string {
  return parseFile(text).wrapping_token;
}

/** Opens the file's text with the unwrapped key; wrong key, wrong AAD or any change to the file fail. */
export function openHandoff(text: string, key: Buffer, aad: string): HandoffState {
  const file = parseFile(text);
  let plain: string;
  try {
    const decipher = nodeCrypto().createDecipheriv('aes-256-gcm', key, Buffer.from(file.iv, 'base64'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(file.sealed, 'base64')), decipher.final()]).toString('utf8');
  } catch (err) {
    throw new HandoffError(
      'the persistent cache does not open with its key and this service account token (written for another pod, or changed)',
      { cause: err },
    );
  }
  return toState(parseVaultJson(plain));
}

function parseFile(text: string): HandoffFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new HandoffError('the persistent cache file is not JSON');
  }
  const f = raw as Partial<HandoffFile> | null;
  if (
    f === null ||
    typeof f !== 'object' ||
    f.version !== 1 ||
    typeof f.wrapping_token !== 'string' ||
    f.wrapping_token === '' ||
    typeof f.iv !== 'string' ||
    typeof f.tag !== 'string' ||
    typeof f.sealed !== 'string'
  ) {
    throw new HandoffError('the persistent cache file is not a vault-injector handoff (version 1)');
  }
  return f as HandoffFile;
}

function toState(value: JsonValue): HandoffState {
  const v = value as { token?: unknown; secrets?: unknown; writtenAt?: unknown } | null;
  if (v === null || typeof v !== 'object' || typeof v.token !== 'string' || !Array.isArray(v.secrets)) {
    throw new HandoffError('the persistent cache holds no token');
  }
  const secrets = (v.secrets as Array<{ key?: unknown; secret?: unknown }>).filter(
    (s): s is { key: string; secret: VaultSecretData } =>
      typeof s?.key === 'string' && typeof s.secret === 'object' && s.secret !== null,
  );
  const writtenAt = Number(String(v.writtenAt));
  return { token: v.token, secrets, writtenAt: Number.isFinite(writtenAt) ? writtenAt : 0 };
}
