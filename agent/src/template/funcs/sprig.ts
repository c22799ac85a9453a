// A hermetic subset of Sprig v3 (consul-template exposes Sprig as `sprig_*`): strings, lists, dicts, defaults,
// encoding and integer math, with Sprig's loose conversions. No clock, randomness or network. Pure.

import { nodeCrypto } from '../../builtins.js';
import { JsonNumber } from '../dependencies.js';
import type { FuncMap, TemplateFunc } from '../exec.js';
import {
  formatValue,
  goQuoteString,
  goTypeName,
  kindOf,
  mapSize,
  markStringSlice,
  stringOf,
  toBigInt,
  toFloat,
} from '../fmt.js';
import { marshalJson } from './gojson.js';

const utf8 = new TextEncoder();
const fromUtf8 = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Sprig's strval: strings as they are, json.Number by its text, anything else as %v. */
const strval = (v: unknown): string => (typeof v === 'string' ? v : v instanceof JsonNumber ? v.text : formatValue(v));

/** cast.ToInt64 as Sprig uses it: failures are 0. */
function toInt64(v: unknown): bigint {
  const kind = kindOf(v);
  if (kind === 'int') return toBigInt(v);
  if (kind === 'float') return BigInt(Math.trunc(toFloat(v)));
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (kind === 'string') {
    const s = stringOf(v).trim();
    if (/^[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|\d+)$/.test(s)) {
      const negative = s.startsWith('-');
      const body = s.replace(/^[+-]/, '').replace(/^0(?=[0-7])/, '0o');
      const n = BigInt(body);
      return negative ? -n : n;
    }
  }
  return 0n;
}

// Math.max/min do not take bigints.
const bigMax = (m: bigint, b: bigint): bigint => (b > m ? b : m);
const bigMin = (m: bigint, b: bigint): bigint => (b < m ? b : m);

const int64 = (n: bigint): number | bigint => {
  const wrapped = BigInt.asIntN(64, n);
  return Number.isSafeInteger(Number(wrapped)) ? Number(wrapped) : wrapped;
};

/** Sprig's empty: zero values, empty strings/collections and nil. */
function isEmpty(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'nil':
      return true;
    case 'string':
      return stringOf(v).length === 0;
    case 'slice':
      return (v as unknown[]).length === 0;
    case 'map':
      return mapSize(v) === 0;
    case 'bool':
      return v === false;
    case 'int':
      return toBigInt(v) === 0n;
    case 'float':
      return toFloat(v) === 0;
    default:
      return false;
  }
}

/** reflect.DeepEqual on template values (type names must match). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (goTypeName(a) !== goTypeName(b)) return false;
  switch (kindOf(a)) {
    case 'nil':
      return true;
    case 'string':
      return stringOf(a) === stringOf(b);
    case 'int':
      return toBigInt(a) === toBigInt(b);
    case 'float':
      return toFloat(a) === toFloat(b);
    case 'slice': {
      const x = a as unknown[];
      const y = b as unknown[];
      return x.length === y.length && x.every((e, i) => deepEqual(e, y[i]));
    }
    case 'map': {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const keys = Object.keys(x);
      return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && deepEqual(x[k], y[k]));
    }
    default:
      return a === b;
  }
}

function asList(fn: string, v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  throw new Error(`Cannot ${fn} on type ${goTypeName(v)}`);
}

/** strslice: []string as is, other slices element-wise through strval (nil elements dropped). */
function strslice(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((e) => e !== null && e !== undefined).map(strval);
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

const bytesOf = (s: string): Uint8Array => utf8.encode(s);

const S = (params: number, types: TemplateFunc['types'], fn: TemplateFunc['fn'], variadic = false): TemplateFunc => ({
  params,
  types,
  fn,
  variadic,
});

const SPRIG: Record<string, TemplateFunc> = {
  upper: S(1, ['string'], (s) => (s as string).toUpperCase()),
  lower: S(1, ['string'], (s) => (s as string).toLowerCase()),
  trim: S(1, ['string'], (s) => (s as string).trim()),
  trimAll: S(2, ['string', 'string'], (cut, s) => {
    const chars = new Set(cut as string);
    const runes = [...(s as string)];
    let i = 0;
    let j = runes.length;
    while (i < j && chars.has(runes[i]!)) i++;
    while (j > i && chars.has(runes[j - 1]!)) j--;
    return runes.slice(i, j).join('');
  }),
  trimPrefix: S(2, ['string', 'string'], (p, s) =>
    (s as string).startsWith(p as string) ? (s as string).slice((p as string).length) : s,
  ),
  trimSuffix: S(2, ['string', 'string'], (x, s) =>
    (x as string) !== '' && (s as string).endsWith(x as string) ? (s as string).slice(0, -(x as string).length) : s,
  ),
  nospace: S(1, ['string'], (s) => (s as string).replace(/\s+/gu, '')),
  contains: S(2, ['string', 'string'], (sub, s) => (s as string).includes(sub as string)),
  hasPrefix: S(2, ['string', 'string'], (p, s) => (s as string).startsWith(p as string)),
  hasSuffix: S(2, ['string', 'string'], (x, s) => (s as string).endsWith(x as string)),
  repeat: S(2, ['int', 'string'], (n, s) => {
    if (Number(n) < 0) throw new Error('strings: negative Repeat count');
    if (Number(n) * (s as string).length > 1_000_000) throw new Error('strings: Repeat output too large');
    return (s as string).repeat(Number(n));
  }),
  replace: S(3, ['string', 'string', 'string'], (from, to, s) =>
    (s as string).split(from as string).join(to as string),
  ),
  indent: S(2, ['int', 'string'], (n, s) => {
    const pad = ' '.repeat(Math.max(0, Number(n)));
    return pad + (s as string).split('\n').join(`\n${pad}`);
  }),
  nindent: S(2, ['int', 'string'], (n, s) => {
    const pad = ' '.repeat(Math.max(0, Number(n)));
    return `\n${pad}${(s as string).split('\n').join(`\n${pad}`)}`;
  }),
  trunc: S(2, ['int', 'string'], (c, s) => {
    const b = bytesOf(s as string);
    const n = Number(c);
    if (n < 0 && b.length + n > 0) return fromUtf8(b.slice(b.length + n));
    if (n >= 0 && b.length > n) return fromUtf8(b.slice(0, n));
    return s;
  }),
  substr: S(3, ['int', 'int', 'string'], (start, end, s) => {
    const b = bytesOf(s as string);
    const [from, to] = [Number(start), Number(end)];
    if (from < 0) return fromUtf8(b.slice(0, Math.max(0, to)));
    if (to < 0 || to > b.length) return fromUtf8(b.slice(from));
    if (from > to) throw new Error(`runtime error: slice bounds out of range [${from}:${to}]`);
    return fromUtf8(b.slice(from, to));
  }),
  quote: S(
    0,
    ['any'],
    (...args) =>
      args
        .filter((a) => a !== null && a !== undefined)
        .map((a) => goQuoteString(strval(a)))
        .join(' '),
    true,
  ),
  squote: S(
    0,
    ['any'],
    (...args) =>
      args
        .filter((a) => a !== null && a !== undefined)
        .map((a) => `'${formatValue(a)}'`)
        .join(' '),
    true,
  ),
  cat: S(
    0,
    ['any'],
    (...args) =>
      args
        .filter((a) => a !== null && a !== undefined)
        .map((a) => formatValue(a))
        .join(' '),
    true,
  ),
  toString: S(1, ['any'], (v) => (v === null || v === undefined ? '<nil>' : strval(v))),
  b64enc: S(1, ['string'], (s) => Buffer.from(s as string, 'utf8').toString('base64')),
  b64dec: S(1, ['string'], (s) => {
    const text = s as string;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return 'illegal base64 data at input byte 0';
    return Buffer.from(text, 'base64').toString('utf8');
  }),
  sha1sum: S(1, ['string'], (s) =>
    nodeCrypto()
      .createHash('sha1')
      .update(s as string)
      .digest('hex'),
  ),
  sha256sum: S(1, ['string'], (s) =>
    nodeCrypto()
      .createHash('sha256')
      .update(s as string)
      .digest('hex'),
  ),
  toJson: S(1, ['any'], (v) => {
    try {
      return marshalJson(v, { escapeHtml: true });
    } catch {
      return '';
    }
  }),
  toPrettyJson: S(1, ['any'], (v) => {
    try {
      return marshalJson(v, { escapeHtml: true, indent: '  ' });
    } catch {
      return '';
    }
  }),
  join: S(2, ['string', 'any'], (sep, v) => strslice(v).join(sep as string)),
  splitList: S(2, ['string', 'string'], (sep, s) =>
    markStringSlice(sep === '' ? [...(s as string)] : (s as string).split(sep as string)),
  ),
  sortAlpha: S(1, ['any'], (v) =>
    markStringSlice(Array.isArray(v) ? strslice(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : [strval(v)]),
  ),
  default: S(1, ['any'], (d, ...given) => (given.length === 0 || isEmpty(given[0]) ? d : given[0]), true),
  empty: S(1, ['any'], (v) => isEmpty(v)),
  coalesce: S(0, ['any'], (...args) => args.find((a) => !isEmpty(a)) ?? null, true),
  ternary: S(3, ['any', 'any', 'bool'], (vt, vf, cond) => (cond ? vt : vf)),
  list: S(0, ['any'], (...args) => args.map((a) => (a === undefined ? null : a)), true),
  dict: S(
    0,
    ['any'],
    (...args) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < args.length; i += 2) out[strval(args[i])] = i + 1 < args.length ? args[i + 1] : '';
      return out;
    },
    true,
  ),
  hasKey: S(2, ['map', 'string'], (m, k) => m !== null && Object.hasOwn(m as object, k as string)),
  pick: S(
    1,
    ['map', 'string'],
    (m, ...keys) => {
      const src = (m ?? {}) as Record<string, unknown>;
      return Object.fromEntries((keys as string[]).filter((k) => Object.hasOwn(src, k)).map((k) => [k, src[k]]));
    },
    true,
  ),
  omit: S(
    1,
    ['map', 'string'],
    (m, ...keys) => {
      const drop = new Set(keys as string[]);
      return Object.fromEntries(Object.entries((m ?? {}) as Record<string, unknown>).filter(([k]) => !drop.has(k)));
    },
    true,
  ),
  first: S(1, ['any'], (v) => asList('find first', v)[0] ?? null),
  last: S(1, ['any'], (v) => {
    const l = asList('find last', v);
    return l.length === 0 ? null : l[l.length - 1];
  }),
  rest: S(1, ['any'], (v) => asList('find rest', v).slice(1)),
  initial: S(1, ['any'], (v) => asList('find initial', v).slice(0, -1)),
  reverse: S(1, ['any'], (v) => [...asList('find reverse', v)].reverse()),
  uniq: S(1, ['any'], (v) => {
    const out: unknown[] = [];
    for (const e of asList('find uniq', v)) if (!out.some((o) => deepEqual(o, e))) out.push(e);
    return out;
  }),
  compact: S(1, ['any'], (v) => asList('compact', v).filter((e) => !isEmpty(e))),
  has: S(2, ['any', 'any'], (needle, haystack) =>
    haystack === null || haystack === undefined
      ? false
      : asList('find has', haystack).some((e) => deepEqual(e, needle)),
  ),
  without: S(
    1,
    ['any'],
    (v, ...omit) => asList('find without', v).filter((e) => !omit.some((o) => deepEqual(o, e))),
    true,
  ),
  until: S(1, ['int'], (count) => {
    const n = Number(count);
    if (Math.abs(n) > 1_000_000) throw new Error('until: count too large');
    return Array.from({ length: Math.abs(n) }, (_, i) => (n < 0 ? -i : i));
  }),
  atoi: S(1, ['string'], (s) => (/^[+-]?\d+$/.test(s as string) ? int64(BigInt(s as string)) : 0)),
  int: S(1, ['any'], (v) => int64(toInt64(v))),
  int64: S(1, ['any'], (v) => int64(toInt64(v))),
  add: S(0, ['any'], (...args) => int64(args.reduce<bigint>((sum, a) => sum + toInt64(a), 0n)), true),
  sub: S(2, ['any', 'any'], (a, b) => int64(toInt64(a) - toInt64(b))),
  mul: S(1, ['any'], (a, ...rest) => int64(rest.reduce<bigint>((p, b) => p * toInt64(b), toInt64(a))), true),
  div: S(2, ['any', 'any'], (a, b) => {
    if (toInt64(b) === 0n) throw new Error('runtime error: integer divide by zero');
    return int64(toInt64(a) / toInt64(b));
  }),
  mod: S(2, ['any', 'any'], (a, b) => {
    if (toInt64(b) === 0n) throw new Error('runtime error: integer divide by zero');
    return int64(toInt64(a) % toInt64(b));
  }),
  max: S(1, ['any'], (a, ...rest) => int64(rest.map(toInt64).reduce(bigMax, toInt64(a))), true),
  min: S(1, ['any'], (a, ...rest) => int64(rest.map(toInt64).reduce(bigMin, toInt64(a))), true),
};

/** The subset, under consul-template's `sprig_` names. */
export const SPRIG_FUNCS: FuncMap = Object.fromEntries(Object.entries(SPRIG).map(([name, f]) => [`sprig_${name}`, f]));

/** Names implemented, for documentation and tests. */
export const SPRIG_NAMES: readonly string[] = Object.freeze(Object.keys(SPRIG));
