// String, encoding, hashing and parsing functions of consul-template (template/funcs.go), with Go's results. Pure.

import type * as YamlModule from 'yaml';
import { nodeCrypto } from '../../builtins.js';
import { lazy } from '../../lazy.js';
import type { FuncMap } from '../exec.js';
import { GoFloat, markStringSlice } from '../fmt.js';
import { parseJsonAsGo } from './gojson.js';

const yaml = lazy<typeof YamlModule>('yaml');

const STD = /^[A-Za-z0-9+/]*$/;
const URL = /^[A-Za-z0-9\-_]*$/;

/** Go's base64 StdEncoding/URLEncoding (padded) DecodeString, with its "illegal base64 data" errors. */
function decodeBase64(s: string, alphabet: RegExp, name: string): string {
  const body = s.replace(/=+$/, '');
  for (let i = 0; i < body.length; i++) {
    if (!alphabet.test(body[i]!)) throw new Error(`${name}: illegal base64 data at input byte ${i}`);
  }
  const padding = s.length - body.length;
  if (s.length % 4 !== 0 || padding > 2 || body.length % 4 === 1) {
    // Go reports the start of the incomplete 4-byte quantum.
    throw new Error(`${name}: illegal base64 data at input byte ${Math.floor(body.length / 4) * 4}`);
  }
  const std = alphabet === URL ? body.replace(/-/g, '+').replace(/_/g, '/') : body;
  return Buffer.from(std, 'base64').toString('utf8');
}

/** strings.Title: upper-cases the first letter of each word (a word follows a space or punctuation). */
function goTitle(s: string): string {
  let out = '';
  let previous = ' ';
  for (const ch of s) {
    const separator = !/[\p{L}\p{N}_]/u.test(previous);
    out += separator ? ch.toUpperCase() : ch;
    previous = ch;
  }
  return out;
}

/** strings.Trim with a cutset. */
function trimCutset(s: string, cutset: string): string {
  const chars = new Set(cutset);
  const runes = [...s];
  let start = 0;
  let end = runes.length;
  while (start < end && chars.has(runes[start]!)) start++;
  while (end > start && chars.has(runes[end - 1]!)) end--;
  return runes.slice(start, end).join('');
}

/** strings.Split: an empty separator splits into UTF-8 characters. */
const goSplit = (s: string, sep: string): string[] => (sep === '' ? [...s] : s.split(sep));

/** Go's RE2 syntax to JS: named groups (?P<n>…) become (?<n>…). */
function compileRegex(re: string, fn: string): RegExp {
  try {
    return new RegExp(re.replace(/\(\?P</g, '(?<'), 'gu');
  } catch (err) {
    // Go's regexp errors carry no function prefix; the description is JavaScript's.
    void fn;
    throw new Error(`error parsing regexp: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Go's Regexp.Expand template ($1, ${1}, $name, ${name}, $$) to a replacer. */
function goReplacement(template: string): (match: string, ...rest: unknown[]) => string {
  return (match, ...rest) => {
    const last = rest[rest.length - 1];
    const groups = (typeof last === 'object' && last !== null ? last : {}) as Record<string, string | undefined>;
    const numbered = rest.slice(0, typeof last === 'object' && last !== null ? -3 : -2) as (string | undefined)[];
    return template.replace(
      /\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g,
      (_m, all: string, braced?: string, bare?: string) => {
        if (all === '$') return '$';
        const name = braced ?? bare ?? '';
        if (/^\d+$/.test(name)) return Number(name) === 0 ? match : (numbered[Number(name) - 1] ?? '');
        return groups[name] ?? '';
      },
    );
  };
}

const strconvError = (fn: string, s: string, reason = 'invalid syntax'): Error =>
  new Error(`${fn}: parsing ${JSON.stringify(s)}: ${reason}`);

function parseGoBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw strconvError('strconv.ParseBool', s);
}

function parseGoInt(s: string, unsigned: boolean): number | bigint {
  const fn = unsigned ? 'strconv.ParseUint' : 'strconv.ParseInt';
  if (!(unsigned ? /^\+?\d+$/ : /^[+-]?\d+$/).test(s)) throw strconvError(fn, s);
  const n = BigInt(s);
  const [min, max] = unsigned ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
  if (n < min || n > max) throw strconvError(fn, s, 'value out of range');
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function parseGoFloat(s: string): number | GoFloat {
  const t = s.trim() === s ? s : '';
  const special = /^[+-]?(inf|infinity)$/i.test(t) ? (t.startsWith('-') ? -Infinity : Infinity) : undefined;
  if (special === undefined && /^nan$/i.test(t)) return Number.NaN;
  const n = special ?? (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : Number.NaN);
  if (Number.isNaN(n)) throw strconvError('strconv.ParseFloat', s);
  return Number.isInteger(n) ? new GoFloat(n) : n;
}

/** Wraps an error thrown by `f` with consul-template's "name: " prefix. */
function prefixed<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const STRING_FUNCS: FuncMap = {
  base64Encode: { params: 1, types: ['string'], fn: (s) => Buffer.from(s as string, 'utf8').toString('base64') },
  base64Decode: { params: 1, types: ['string'], fn: (s) => decodeBase64(s as string, STD, 'base64Decode') },
  base64URLEncode: {
    params: 1,
    types: ['string'],
    fn: (s) =>
      Buffer.from(s as string, 'utf8')
        .toString('base64')
        .replace(/\+/g, '-')
        .replace(/\//g, '_'),
  },
  base64URLDecode: { params: 1, types: ['string'], fn: (s) => decodeBase64(s as string, URL, 'base64URLDecode') },
  sha256Hex: {
    params: 1,
    types: ['string'],
    fn: (s) =>
      nodeCrypto()
        .createHash('sha256')
        .update(s as string)
        .digest('hex'),
  },
  md5sum: {
    params: 1,
    types: ['string'],
    fn: (s) =>
      nodeCrypto()
        .createHash('md5')
        .update(s as string)
        .digest('hex'),
  },
  hmacSHA256Hex: {
    params: 2,
    types: ['string', 'string'],
    fn: (message, key) =>
      nodeCrypto()
        .createHmac('sha256', key as string)
        .update(message as string)
        .digest('hex'),
  },
  split: {
    params: 2,
    types: ['string', 'string'],
    fn: (sep, s) => {
      const trimmed = (s as string).trim();
      return markStringSlice(trimmed === '' ? [] : goSplit(trimmed, sep as string));
    },
  },
  join: {
    params: 2,
    types: ['string', '[]string'],
    fn: (sep, a) => ((a as string[] | null) ?? []).join(sep as string),
  },
  replaceAll: {
    params: 3,
    types: ['string', 'string', 'string'],
    fn: (from, to, s) =>
      from === ''
        ? (to as string) + [...(s as string)].map((c) => c + (to as string)).join('')
        : (s as string).split(from as string).join(to as string),
  },
  regexReplaceAll: {
    params: 3,
    types: ['string', 'string', 'string'],
    fn: (re, repl, s) =>
      (s as string).replace(compileRegex(re as string, 'regexReplaceAll'), goReplacement(repl as string)),
  },
  regexMatch: {
    params: 2,
    types: ['string', 'string'],
    fn: (re, s) => compileRegex(re as string, 'regexMatch').test(s as string),
  },
  toLower: { params: 1, types: ['string'], fn: (s) => (s as string).toLowerCase() },
  toUpper: { params: 1, types: ['string'], fn: (s) => (s as string).toUpperCase() },
  toTitle: { params: 1, types: ['string'], fn: (s) => goTitle(s as string) },
  trimSpace: { params: 1, types: ['string'], fn: (s) => (s as string).trim() },
  trim: { params: 2, types: ['string', 'string'], fn: (cutset, s) => trimCutset(s as string, cutset as string) },
  trimPrefix: {
    params: 2,
    types: ['string', 'string'],
    fn: (p, s) => ((s as string).startsWith(p as string) ? (s as string).slice((p as string).length) : s),
  },
  trimSuffix: {
    params: 2,
    types: ['string', 'string'],
    fn: (x, s) =>
      (x as string) !== '' && (s as string).endsWith(x as string) ? (s as string).slice(0, -(x as string).length) : s,
  },
  indent: {
    params: 2,
    types: ['int', 'string'],
    fn: (n, s) => {
      if (Number(n) < 0) throw new Error('indent value must be a positive integer');
      const padding = ' '.repeat(Number(n));
      // Empty lines stay empty, as in consul-template.
      return (s as string)
        .split('\n')
        .map((line) => (line === '' ? '' : padding + line))
        .join('\n');
    },
  },
  parseJSON: {
    params: 1,
    types: ['string'],
    fn: (s) => (s === '' ? {} : parseJsonAsGo(s as string)),
  },
  parseYAML: {
    params: 1,
    types: ['string'],
    fn: (s) => (s === '' ? {} : prefixed('parseYAML', () => yaml().parse(s as string, { version: '1.1' }) ?? null)),
  },
  parseBool: {
    params: 1,
    types: ['string'],
    fn: (s) => (s === '' ? false : prefixed('parseBool', () => parseGoBool(s as string))),
  },
  parseInt: {
    params: 1,
    types: ['string'],
    fn: (s) => (s === '' ? 0 : prefixed('parseInt', () => parseGoInt(s as string, false))),
  },
  parseUint: {
    params: 1,
    types: ['string'],
    fn: (s) => (s === '' ? 0 : prefixed('parseUint', () => parseGoInt(s as string, true))),
  },
  parseFloat: {
    params: 1,
    types: ['string'],
    fn: (s) => (s === '' ? new GoFloat(0) : prefixed('parseFloat', () => parseGoFloat(s as string))),
  },
};
