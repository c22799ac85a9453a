// consul-template's list, set, map and arithmetic functions (template/funcs.go), on template values. Pure.

import type { FuncMap } from '../exec.js';
import {
  formatValue,
  GoFloat,
  goQuoteString,
  goTypeName,
  kindOf,
  sortedEntries,
  stringOf,
  toBigInt,
  toFloat,
} from '../fmt.js';

/** Go's %q of a value as consul-template's errors show it (engine.ts then re-reads the message as a format, as Go does). */
function goQuoteValue(v: unknown): string {
  if (v === null || v === undefined) return '<invalid reflect.Value>';
  if (kindOf(v) === 'string') return goQuoteString(stringOf(v));
  return `%!q(${goTypeName(v)}=${formatValue(v)})`;
}

/** consul-template's `in`: element equality for slices (same Go type for strings), substring for strings. */
export function inList(list: unknown, value: unknown): boolean {
  const listKind = kindOf(list);
  if (listKind === 'slice') {
    return (list as unknown[]).some((e) => {
      const k = kindOf(e);
      if (k === 'nil' || k !== kindOf(value)) return false;
      if (k === 'string') return goTypeName(e) === goTypeName(value) && stringOf(e) === stringOf(value);
      if (k === 'int') return toBigInt(e) === toBigInt(value);
      if (k === 'float') return toFloat(e) === toFloat(value);
      return false;
    });
  }
  if (listKind === 'string') {
    return goTypeName(list) === goTypeName(value) && stringOf(list).includes(stringOf(value));
  }
  return false;
}

/** The set tests: needles is a Vault-style []interface {}; membership is consul-template's `in`. */
const needlesOf = (needles: unknown): unknown[] => (needles as unknown[] | null) ?? [];
const containsAll = (needles: unknown, haystack: unknown): boolean =>
  needlesOf(needles).every((n) => inList(haystack, n));
const containsAny = (needles: unknown, haystack: unknown): boolean =>
  needlesOf(needles).some((n) => inList(haystack, n));

type Num = { kind: 'int'; value: bigint } | { kind: 'float'; value: number };

function toNum(fn: string, v: unknown): Num {
  const kind = kindOf(v);
  if (kind === 'int') return { kind: 'int', value: toBigInt(v) };
  if (kind === 'float') return { kind: 'float', value: toFloat(v) };
  throw new Error(`${fn}: unknown type for ${goQuoteValue(v)} (${goTypeName(v)})`);
}

const fromBig = (n: bigint): number | bigint =>
  n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
const fromFloat = (f: number): number | GoFloat => (Number.isInteger(f) ? new GoFloat(f) : f);

/** consul-template's arithmetic: `add b a` is a + b (so `a | add b` reads naturally); ints stay ints. */
function arithmetic(
  fn: string,
  ints: (a: bigint, b: bigint) => bigint,
  floats: (a: number, b: number) => number,
): (b: unknown, a: unknown) => unknown {
  return (bv, av) => {
    const a = toNum(fn, av);
    const b = toNum(fn, bv);
    // consul-template's modulo is integer-only.
    if (fn === 'modulo') {
      const rejected = a.kind === 'float' ? av : b.kind === 'float' ? bv : undefined;
      if (rejected !== undefined) {
        throw new Error(`modulo: unknown type for ${goQuoteValue(rejected)} (${goTypeName(rejected)})`);
      }
    }
    if (a.kind === 'int' && b.kind === 'int') {
      // Go panics; text/template reports the recovered runtime error.
      if ((fn === 'divide' || fn === 'modulo') && b.value === 0n)
        throw new Error('runtime error: integer divide by zero');
      return fromBig(ints(a.value, b.value));
    }
    return fromFloat(floats(Number(a.value), Number(b.value)));
  };
}

const isMapValue = (v: unknown): v is Record<string, unknown> => kindOf(v) === 'map' && !(v instanceof Map);

/** mergo.Map: `src` keys fill what `dst` lacks (or has empty), or replace them with `override`; maps merge deeply. */
function mergeInto(
  dst: Record<string, unknown>,
  src: Record<string, unknown>,
  override: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...dst };
  for (const [k, v] of Object.entries(src)) {
    const existing = out[k];
    if (isMapValue(existing) && isMapValue(v)) out[k] = mergeInto(existing, v, override);
    else if (override || existing === undefined || existing === null || existing === '') out[k] = v;
  }
  return out;
}

/** explodeMap: "a/b/c" keys become nested maps, in sorted key order; a value in the way is an error. */
function explode(m: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const place = (node: Record<string, unknown>, key: string, value: unknown, full: string): void => {
    const slash = key.indexOf('/');
    if (slash < 0) {
      if (key !== '') node[key] = value;
      return;
    }
    const top = key.slice(0, slash);
    if (!Object.hasOwn(node, top)) node[top] = {};
    const nest = node[top];
    if (!isMapValue(nest)) {
      const shown = goQuoteValue(nest);
      throw new Error(
        `explodeMap: not a map: ${goQuoteString(full)}: ${goQuoteString(top)} already has value ${shown}`,
      );
    }
    place(nest, key.slice(slash + 1), value, key);
  };
  for (const [key, value] of sortedEntries(m ?? {})) place(out, key, value, key);
  return out;
}

/** loop N, or loop START END: the integers in [start, end). */
function loop(...args: unknown[]): number[] {
  const ints = args.map((a) => {
    const kind = kindOf(a);
    if (kind === 'int') return Number(a);
    if (kind === 'string' && /^-?\d+$/.test(stringOf(a))) return Number(stringOf(a));
    throw new Error(`loop: bad argument type: ${goTypeName(a)}`);
  });
  if (ints.length === 0 || ints.length > 2) {
    throw new Error(`loop: wrong number of arguments, expected 1 or 2, but got ${ints.length}`);
  }
  const [start, end] = ints.length === 1 ? [0, ints[0]!] : [ints[0]!, ints[1]!];
  if (end - start > 1_000_000) throw new Error('loop: too many iterations (more than 1000000)');
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(i);
  return out;
}

export const COLLECTION_FUNCS: FuncMap = {
  contains: { params: 2, fn: (needle, haystack) => inList(haystack, needle) },
  in: { params: 2, fn: (haystack, needle) => inList(haystack, needle) },
  containsAll: { params: 2, types: ['[]interface {}', 'any'], fn: containsAll },
  containsAny: { params: 2, types: ['[]interface {}', 'any'], fn: containsAny },
  containsNone: { params: 2, types: ['[]interface {}', 'any'], fn: (n, h) => !containsAny(n, h) },
  containsNotAll: { params: 2, types: ['[]interface {}', 'any'], fn: (n, h) => !containsAll(n, h) },
  loop: { params: 0, variadic: true, fn: loop },
  add: {
    params: 2,
    fn: arithmetic(
      'add',
      (a, b) => a + b,
      (a, b) => a + b,
    ),
  },
  subtract: {
    params: 2,
    fn: arithmetic(
      'subtract',
      (a, b) => a - b,
      (a, b) => a - b,
    ),
  },
  multiply: {
    params: 2,
    fn: arithmetic(
      'multiply',
      (a, b) => a * b,
      (a, b) => a * b,
    ),
  },
  divide: {
    params: 2,
    fn: arithmetic(
      'divide',
      (a, b) => a / b,
      (a, b) => a / b,
    ),
  },
  modulo: {
    params: 2,
    fn: arithmetic(
      'modulo',
      (a, b) => a % b,
      (a, b) => a % b,
    ),
  },
  // Math.min/max do not take bigints.
  // biome-ignore lint/complexity/useMathMinMax: bigint operands
  minimum: { params: 2, fn: arithmetic('minimum', (a, b) => (a < b ? a : b), Math.min) },
  // biome-ignore lint/complexity/useMathMinMax: bigint operands
  maximum: { params: 2, fn: arithmetic('maximum', (a, b) => (a > b ? a : b), Math.max) },
  splitToMap: {
    params: 3,
    types: ['string', 'string', 'string'],
    fn: (sep, kvSep, s) => {
      const out: Record<string, string> = {};
      for (const pair of (s as string).split(sep as string)) {
        if (pair === '') continue;
        const at = pair.indexOf(kvSep as string);
        if (at < 0) continue; // consul-template skips pairs without the separator
        out[pair.slice(0, at)] = pair.slice(at + (kvSep as string).length);
      }
      return out;
    },
  },
  mergeMap: {
    params: 2,
    types: ['map', 'map'],
    fn: (dst, src) => mergeInto((dst ?? {}) as Record<string, unknown>, (src ?? {}) as Record<string, unknown>, false),
  },
  mergeMapWithOverride: {
    params: 2,
    types: ['map', 'map'],
    fn: (dst, src) => mergeInto((dst ?? {}) as Record<string, unknown>, (src ?? {}) as Record<string, unknown>, true),
  },
  explodeMap: { params: 1, types: ['map'], fn: explode },
};
