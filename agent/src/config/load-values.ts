/**
 * Typed readers for raw configuration values (from JSON or from HCL converted to JSON). Each takes the dotted
 * key path it is reading so that its error names the key, the value's type and what would have been accepted.
 * Pure: no I/O.
 */
import { parseGoDuration, parseStrconvBool } from '../../../webhook/src/core/go-parse.js';
import { AgentConfigError } from './load-errors.js';

export type RawObject = Record<string, unknown>;

/** Where a value came from, for error messages. */
export interface Place {
  readonly key: string;
  readonly source: string | undefined;
}

export const child = (p: Place, name: string | number): Place => ({
  key: typeof name === 'number' ? `${p.key}[${name}]` : p.key ? `${p.key}.${name}` : name,
  source: p.source,
});

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a block/object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}

export function fail(code: AgentConfigError['code'], p: Place, message: string): never {
  throw new AgentConfigError(code, message, p.key || undefined, p.source);
}

const badType = (p: Place, value: unknown, want: string): never =>
  fail('CONFIG_BAD_TYPE', p, `${p.key}: expected ${want}, got ${describe(value)}`);

export const isObject = (v: unknown): v is RawObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A block that may appear once: JSON writes it as an object, HCL (through hcl2json) as a list of one object.
 * An empty list counts as absent.
 */
export function readBlock(value: unknown, p: Place): RawObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (isObject(value)) return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    if (value.length > 1) fail('CONFIG_DUPLICATE_BLOCK', p, `${p.key}: only one "${lastName(p)}" block is allowed`);
    const [only] = value;
    if (isObject(only)) return only;
  }
  return badType(p, value, 'a block (object)');
}

/** A block that may repeat: an object (one) or a list of objects. */
export function readBlockList(value: unknown, p: Place): RawObject[] {
  if (value === undefined || value === null) return [];
  if (isObject(value)) return [value];
  if (Array.isArray(value)) {
    return value.map((item, i) => (isObject(item) ? item : badType(child(p, i), item, 'a block (object)')));
  }
  return badType(p, value, 'a block or a list of blocks');
}

function lastName(p: Place): string {
  return p.key.split('.').at(-1) ?? p.key;
}

/** Vault decodes with ErrorUnused: a key it does not know is an error, named with its full path. */
export function checkKeys(obj: RawObject, allowed: readonly string[], p: Place): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const where = p.key ? ` in "${p.key}"` : ' at the top level';
      fail(
        'CONFIG_UNKNOWN_KEY',
        child(p, key),
        `unknown key "${key}"${where}; allowed keys: ${[...allowed].sort().join(', ')}`,
      );
    }
  }
}

export function readString(value: unknown, p: Place): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value); // HCL's weak decoding
  return badType(p, value, 'a string');
}

/** A string that must be non-empty when given: empty means unset, as Go's zero value does. */
export function readNonEmpty(value: unknown, p: Place): string | undefined {
  const s = readString(value, p);
  return s === '' ? undefined : s;
}

export function readBool(value: unknown, p: Place): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const parsed = value === '' ? false : parseStrconvBool(value);
    if (parsed !== undefined) return parsed;
    return fail('CONFIG_BAD_VALUE', p, `${p.key}: ${JSON.stringify(value)} is not a boolean; use true or false`);
  }
  return badType(p, value, 'a boolean (true or false)');
}

export function readInt(value: unknown, p: Place): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^[+-]?[0-9]+$/.test(value) && Number.isSafeInteger(Number(value))) {
    return Number(value);
  }
  return badType(p, value, 'an integer');
}

export function readNumber(value: unknown, p: Place): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return badType(p, value, 'a number');
}

const NS_PER_MS = 1_000_000n;

/**
 * HashiCorp parseutil.ParseDurationSecond: a number (or integer string) is seconds; otherwise a Go duration
 * (`1m30s`, `250ms`) or a number of days (`7d`). Returns milliseconds (sub-millisecond parts are dropped).
 */
export function readDuration(value: unknown, p: Place): number | undefined {
  if (value === undefined || value === null) return undefined;
  const reject = (): never =>
    fail(
      'CONFIG_BAD_VALUE',
      p,
      `${p.key}: ${describe(value)} is not a duration; use a Go duration such as "30s", "5m", "1h30m" or a whole number of seconds`,
    );
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || value > Number.MAX_SAFE_INTEGER / 1000) return reject();
    return Math.round(value * 1000);
  }
  if (typeof value !== 'string') return reject();
  const text = value.trim();
  if (text === '') return 0;
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  const days = /^([0-9]+)d$/.exec(text);
  if (days) return Number(days[1]) * 86_400_000;
  const ns = parseGoDuration(text);
  if (ns === undefined || ns < 0n) return reject();
  return Number(ns / NS_PER_MS);
}

/** A list of strings; a single string counts as a list of one (HCL and JSON authors write both). */
export function readStringList(value: unknown, p: Place): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) {
    return value.map((item, i) =>
      typeof item === 'string' ? item : badType(child(p, i), item, 'a string (in a list of strings)'),
    );
  }
  return badType(p, value, 'a list of strings');
}

export function readEnum<T extends string>(value: unknown, allowed: readonly T[], p: Place): T | undefined {
  const s = readString(value, p);
  if (s === undefined) return undefined;
  if ((allowed as readonly string[]).includes(s)) return s as T;
  return fail(
    'CONFIG_BAD_VALUE',
    p,
    `${p.key}: ${JSON.stringify(s)} is not allowed; use one of ${allowed.map((a) => `"${a}"`).join(', ')}`,
  );
}

/**
 * A file mode: an integer (HCL `0640` is octal there), or an octal string such as "0640". 12 bits at most
 * (permission, setuid/setgid/sticky); anything else names the allowed form.
 */
export function readMode(value: unknown, p: Place): number | undefined {
  if (value === undefined || value === null) return undefined;
  let mode: number | undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) mode = value;
  else if (typeof value === 'string' && /^0?[0-7]{1,4}$/.test(value)) mode = Number.parseInt(value, 8);
  if (mode === undefined || mode < 0 || mode > 0o7777) {
    return fail(
      'CONFIG_BAD_VALUE',
      p,
      `${p.key}: ${describe(value)} is not a file mode; use an octal string such as "0640" (or the integer 416 in JSON)`,
    );
  }
  return mode;
}
