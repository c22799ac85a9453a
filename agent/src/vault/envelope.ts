/**
 * Pure decoding of Vault's response bodies: the success envelope (spec §1.2) into typed fields, and the
 * error envelope (§1.3) into a flat list of messages. Missing fields take Go's zero values; a field of the
 * wrong JSON type is an error, as it is for Go's decoder.
 */
import { JsonNumber, type JsonValue, type VaultSecretData } from '../template/dependencies.js';

type JsonObject = { readonly [key: string]: JsonValue };

export interface VaultAuth extends NonNullable<VaultSecretData['auth']> {
  readonly token_policies: readonly string[] | null;
  readonly identity_policies: readonly string[] | null;
  readonly entity_id: string;
  readonly token_type: string;
  readonly orphan: boolean;
  readonly num_uses: number;
}

export interface VaultWrapInfo extends NonNullable<VaultSecretData['wrap_info']> {
  readonly wrapped_accessor: string;
}

/** A decoded success envelope; usable wherever a template expects VaultSecretData. */
export interface VaultSecret extends VaultSecretData {
  readonly auth: VaultAuth | null;
  readonly wrap_info: VaultWrapInfo | null;
  /** The secrets engine type (`kv`, `database`…); `''` from servers that do not send it (OpenBao). */
  readonly mount_type: string;
}

/** Thrown by the decoders with a description of what was wrong; the client adds method and path. */
export class EnvelopeShapeError extends Error {}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

function str(obj: JsonObject, key: string, where: string): string {
  const v = obj[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new EnvelopeShapeError(`${where}${key} is not a string`);
  return v;
}

function bool(obj: JsonObject, key: string, where: string): boolean {
  const v = obj[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new EnvelopeShapeError(`${where}${key} is not a boolean`);
  return v;
}

function int(obj: JsonObject, key: string, where: string): number {
  const v = obj[key];
  if (v === undefined || v === null) return 0;
  const n = v instanceof JsonNumber ? Number(v.text) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new EnvelopeShapeError(`${where}${key} is not an integer`);
  return n;
}

function strings(obj: JsonObject, key: string, where: string): readonly string[] | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
    throw new EnvelopeShapeError(`${where}${key} is not a list of strings`);
  return v as string[];
}

function object(obj: JsonObject, key: string, where: string): JsonObject | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (!isJsonObject(v)) throw new EnvelopeShapeError(`${where}${key} is not an object`);
  return v;
}

function stringMap(obj: JsonObject, key: string, where: string): Readonly<Record<string, string>> | null {
  const v = object(obj, key, where);
  if (v === null) return null;
  for (const [k, s] of Object.entries(v))
    if (typeof s !== 'string') throw new EnvelopeShapeError(`${where}${key}.${k} is not a string`);
  return v as Readonly<Record<string, string>>;
}

function decodeAuth(a: JsonObject): VaultAuth {
  const w = 'auth.';
  return {
    client_token: str(a, 'client_token', w),
    accessor: str(a, 'accessor', w),
    policies: strings(a, 'policies', w),
    token_policies: strings(a, 'token_policies', w),
    identity_policies: strings(a, 'identity_policies', w),
    metadata: stringMap(a, 'metadata', w),
    lease_duration: int(a, 'lease_duration', w),
    renewable: bool(a, 'renewable', w),
    entity_id: str(a, 'entity_id', w),
    token_type: str(a, 'token_type', w),
    orphan: bool(a, 'orphan', w),
    num_uses: int(a, 'num_uses', w),
  };
}

function decodeWrapInfo(w: JsonObject): VaultWrapInfo {
  const p = 'wrap_info.';
  return {
    token: str(w, 'token', p),
    accessor: str(w, 'accessor', p),
    ttl: int(w, 'ttl', p),
    creation_time: str(w, 'creation_time', p),
    creation_path: str(w, 'creation_path', p),
    wrapped_accessor: str(w, 'wrapped_accessor', p),
  };
}

/** The success envelope of a decoded body. Throws EnvelopeShapeError when the body is not one. */
export function decodeSecret(body: JsonValue): VaultSecret {
  if (!isJsonObject(body)) throw new EnvelopeShapeError('the body is not a JSON object');
  const auth = object(body, 'auth', '');
  const wrap = object(body, 'wrap_info', '');
  return {
    request_id: str(body, 'request_id', ''),
    lease_id: str(body, 'lease_id', ''),
    lease_duration: int(body, 'lease_duration', ''),
    renewable: bool(body, 'renewable', ''),
    data: object(body, 'data', ''),
    warnings: strings(body, 'warnings', ''),
    auth: auth === null ? null : decodeAuth(auth),
    wrap_info: wrap === null ? null : decodeWrapInfo(wrap),
    mount_type: str(body, 'mount_type', ''),
  };
}

/**
 * The items of Vault's `errors` array. go-multierror text (`2 errors occurred:\n\t* a\n\t* b\n\n`) is split
 * into its items so messages stay on one line. Returns undefined when the body has no `errors` list.
 */
export function decodeErrors(body: JsonValue): string[] | undefined {
  if (!isJsonObject(body)) return undefined;
  const list = body.errors;
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((e) => (typeof e === 'string' ? splitMultiError(e) : []));
}

const MULTI_ERROR_HEAD = /^\d+ errors? occurred:\n/;

export function splitMultiError(text: string): string[] {
  if (!MULTI_ERROR_HEAD.test(text)) return [text.trim()].filter((s) => s !== '');
  return text
    .replace(MULTI_ERROR_HEAD, '')
    .split('\n')
    .map((line) => line.replace(/^\t\* /, '').trim())
    .filter((line) => line !== '');
}

/** Go's client treats a 404 body as a secret only when it carries data or warnings (KV v2 deleted versions). */
export function isSecretWorthy(secret: VaultSecret): boolean {
  return (secret.data !== null && Object.keys(secret.data).length > 0) || (secret.warnings?.length ?? 0) > 0;
}
