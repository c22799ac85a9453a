// Go value printing: the subset of fmt (Sprint, Sprintln, Sprintf) that templates use. Pure.
//
// Data model (see exec.ts): a JS number is a Go int when Number.isSafeInteger, else a float64; bigint is an int;
// GoFloat marks a float64 whose value happens to be integral (so 1.0 stays a float); arrays are slices;
// plain objects and Map are map[string]interface {}; null and undefined are nil. JsonNumber is Go's json.Number
// (a string kind); GoStruct is a Go struct or pointer to one; slices marked by markStringSlice are []string.

import { JsonNumber } from './dependencies.js';

/** A Go struct value (or a pointer to one) with named, ordered fields, e.g. `*dependency.Secret`. */
export class GoStruct {
  /** Field names in declaration order (fmt prints the values in this order). */
  readonly fieldNames: readonly string[];
  /** Fields and methods, also as own properties so Handlebars can read them. */
  readonly members: ReadonlyMap<string, unknown>;
  constructor(
    /** Go type name without the pointer star, e.g. `dependency.Secret`. */
    readonly typeName: string,
    fields: readonly (readonly [string, unknown])[],
    readonly pointer: boolean,
    /** Zero-argument methods (e.g. PemEncoded.Data), resolved lazily with the struct as receiver. */
    methods: Readonly<Record<string, (self: GoStruct) => unknown>> = {},
  ) {
    this.fieldNames = fields.map(([name]) => name);
    const members = new Map<string, unknown>(fields);
    for (const [name, method] of Object.entries(methods)) members.set(name, method(this));
    this.members = members;
    // Typed nils become null here so Handlebars sees them as empty.
    for (const [name, value] of members) {
      Object.defineProperty(this, name, { value: value instanceof GoNil ? null : value, enumerable: true });
    }
  }
  /** The struct a pointer points to (same fields, printed without `&`). */
  dereferenced(): GoStruct {
    const fields = this.fieldNames.map((name) => [name, this.members.get(name)] as const);
    return new GoStruct(this.typeName, fields, false);
  }
  /** Go's type name as %T and errors show it. */
  get goType(): string {
    return `${this.pointer ? '*' : ''}${this.typeName}`;
  }
}

/** A Go value with methods that take arguments (e.g. consul-template's *Scratch). */
export class GoObject {
  constructor(
    readonly typeName: string,
    readonly methods: Readonly<
      Record<string, { readonly params: number; readonly fn: (...args: unknown[]) => unknown }>
    >,
  ) {}
}

/** A typed nil pointer (e.g. a Secret's nil Auth): prints <nil>, is false, and names its type in errors. */
export class GoNil {
  constructor(readonly typeName: string) {}
}

const stringSlices = new WeakSet<readonly unknown[]>();
const nilCollections = new WeakSet<object>();

/** Marks an empty slice or map as Go's nil slice/map: it prints [] / map[] but marshals to JSON null. */
export function markNil<T extends object>(v: T): T {
  nilCollections.add(v);
  return v;
}

export const isNilCollection = (v: unknown): boolean => typeof v === 'object' && v !== null && nilCollections.has(v);

/** Marks a JS array as a Go `[]string` (what split and secrets return), so `[]string` parameters accept it. */
export function markStringSlice<T extends readonly string[]>(a: T): T {
  stringSlices.add(a);
  return a;
}

export const isStringSlice = (v: unknown): boolean => Array.isArray(v) && stringSlices.has(v);

/** The text of a string-kind value (a Go string or a json.Number). */
export const stringOf = (v: unknown): string => (v instanceof JsonNumber ? v.text : (v as string));

/** A float64 whose value may be integral: keeps Go's int/float distinction for values like 2.0. */
export class GoFloat {
  constructor(readonly value: number) {}
}

export type Kind = 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'struct' | 'func' | 'other';

export function kindOf(v: unknown): Kind {
  if (v === null || v === undefined || v instanceof GoNil) return 'nil';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      // Beyond 2^53 a JS number cannot be an exact int; treat it as the float64 it is.
      return Number.isSafeInteger(v) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
  }
  if (v instanceof GoFloat) return 'float';
  if (v instanceof JsonNumber) return 'string';
  if (v instanceof GoStruct) return 'struct';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof Map) return 'map';
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return 'map';
  return 'other';
}

/** The Go type name shown in error messages, as the value would have after JSON-like decoding. */
export function goTypeName(v: unknown): string {
  if (v instanceof JsonNumber) return 'json.Number';
  if (v instanceof GoNil) return v.typeName;
  if (v instanceof GoStruct) return v.goType;
  if (v instanceof GoObject) return v.typeName;
  if (isStringSlice(v)) return '[]string';
  switch (kindOf(v)) {
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'slice':
      return '[]interface {}';
    case 'map':
      return 'map[string]interface {}';
    case 'func':
      return 'func';
    default:
      return 'interface {}';
  }
}

export const toBigInt = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));
export const toFloat = (v: unknown): number => (v instanceof GoFloat ? v.value : Number(v));

/** Map entries sorted by key, as fmt and range do. */
export function sortedEntries(v: unknown): [string, unknown][] {
  const entries: [string, unknown][] =
    v instanceof Map ? [...v.entries()] : Object.entries(v as Record<string, unknown>);
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function mapSize(v: unknown): number {
  return v instanceof Map ? v.size : Object.keys(v as object).length;
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  precision: number | undefined;
}

const PLAIN: Spec = Object.freeze({
  minus: false,
  plus: false,
  sharp: false,
  space: false,
  zero: false,
  width: undefined,
  precision: undefined,
});

const utf8 = new TextEncoder();

/** Pads to the width. 'number' puts zeros after the sign, 'text' before everything (as Go does), 'spaces' never. */
function pad(s: string, spec: Spec, zeros: 'number' | 'text' | 'spaces' = 'text'): string {
  const width = spec.width ?? 0;
  const length = [...s].length;
  if (length >= width) return s;
  const fill = width - length;
  if (spec.minus) return s + ' '.repeat(fill);
  if (spec.zero && zeros !== 'spaces') {
    const sign = zeros === 'number' && /^[+\- ]/.test(s) ? s.slice(0, 1) : '';
    return sign + '0'.repeat(fill) + s.slice(sign.length);
  }
  return ' '.repeat(fill) + s;
}

/**
 * x rounded to `significant` digits, ties to even on the exact binary value (strconv's rule; JS rounds ties up).
 * Returns the digits and the decimal exponent of the first one.
 */
function roundSignificant(x: number, significant: number): { digits: string; exp: number } {
  const exact = Math.abs(x).toExponential(Math.min(99, significant + 60)); // exact enough to see a true tie
  const [mantissa = '', expPart = '0'] = exact.split('e');
  const all = mantissa.replace('.', '');
  let digits = all.slice(0, significant);
  const rest = all.slice(significant);
  const first = rest[0] ?? '0';
  const roundUp = first > '5' || (first === '5' && (/[1-9]/.test(rest.slice(1)) || Number(digits.slice(-1)) % 2 === 1));
  let exp = Number(expPart);
  if (roundUp) {
    const bumped = (BigInt(digits) + 1n).toString();
    if (bumped.length > digits.length) exp++;
    digits = bumped.slice(0, significant);
  }
  return { digits, exp };
}

/** Go's %e exponent: at least two digits. */
const goExponent = (s: string): string => s.replace(/e([+-])(\d)$/, 'e$10$2');

/** Rounds |x| to `prec` decimals, ties to even on the exact binary value, as Go's strconv does. */
function toFixedHalfEven(x: number, prec: number): string {
  const abs = Math.abs(x);
  if (abs >= 1e21 || prec > 80) return abs.toFixed(Math.min(prec, 100));
  const exact = abs.toFixed(100); // the exact decimal expansion, correctly rounded at 100 digits
  const dot = exact.indexOf('.');
  const kept = exact.slice(0, dot + 1 + prec);
  const rest = exact.slice(dot + 1 + prec);
  const first = rest[0] ?? '0';
  const tail = rest.slice(1);
  const lastKept = kept.replace('.', '').slice(-1);
  const roundUp = first > '5' || (first === '5' && (/[1-9]/.test(tail) || Number(lastKept) % 2 === 1));
  let digits = kept.replace('.', '');
  if (roundUp) {
    const n = BigInt(digits) + 1n;
    digits = n.toString().padStart(digits.length, '0');
  }
  const intLen = digits.length - prec;
  return prec === 0 ? digits : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/** strconv.FormatFloat(x, 'g', prec, 64); prec -1 means shortest. */
export function formatG(x: number, prec: number, sharp = false): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const shortest = prec < 0;
  let digits: string;
  let e: number;
  if (shortest) {
    const [mantissa = '', expPart = '0'] = Math.abs(x).toExponential().split('e');
    digits = mantissa.replace('.', '');
    e = Number(expPart);
  } else {
    ({ digits, exp: e } = roundSignificant(x, Math.max(prec, 1)));
  }
  if (!sharp) digits = digits.replace(/0+$/, '') || '0';
  const nd = digits.length;
  let eprec = shortest ? 6 : Math.max(prec, 1);
  if (eprec > nd && nd >= e + 1) eprec = nd;
  if (shortest) eprec = 6;
  const sign = x < 0 ? '-' : '';
  if (e < -4 || e >= eprec) {
    const m = nd > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return goExponent(`${sign}${m}e${e < 0 ? '-' : '+'}${Math.abs(e)}`);
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const intPart = digits.slice(0, e + 1).padEnd(e + 1, '0');
  const frac = digits.slice(e + 1);
  return `${sign}${intPart}${frac ? `.${frac}` : ''}`;
}

function formatFloat(x: number, verb: string, spec: Spec): string {
  let s: string;
  if (Number.isNaN(x)) s = 'NaN';
  else if (!Number.isFinite(x)) s = x > 0 ? '+Inf' : '-Inf';
  else if (verb === 'f' || verb === 'F')
    s = (x < 0 || Object.is(x, -0) ? '-' : '') + toFixedHalfEven(x, spec.precision ?? 6);
  else if (verb === 'e' || verb === 'E') {
    const { digits, exp } = roundSignificant(x, (spec.precision ?? 6) + 1);
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    s = goExponent(
      `${x < 0 ? '-' : ''}${x === 0 ? mantissa.replace(/^\d/, '0') : mantissa}e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`,
    );
  } else s = formatG(x, spec.precision ?? -1, spec.sharp);
  if (verb === 'E' || verb === 'G') s = s.toUpperCase();
  if (spec.plus && !s.startsWith('-') && s !== 'NaN') s = `+${s}`;
  else if (spec.space && !s.startsWith('-')) s = ` ${s}`;
  return pad(s, spec, Number.isFinite(x) ? 'number' : 'spaces');
}

function formatInt(n: bigint, verb: string, spec: Spec): string {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  let digits: string;
  switch (verb) {
    case 'x':
      digits = abs.toString(16);
      break;
    case 'X':
      digits = abs.toString(16).toUpperCase();
      break;
    case 'o':
    case 'O':
      digits = abs.toString(8);
      break;
    case 'b':
      digits = abs.toString(2);
      break;
    default:
      digits = abs.toString(10);
  }
  if (spec.precision !== undefined)
    digits = spec.precision === 0 && abs === 0n ? '' : digits.padStart(spec.precision, '0');
  let prefix = '';
  if (spec.sharp && (verb === 'x' || verb === 'X')) prefix = verb === 'x' ? '0x' : '0X';
  if (verb === 'O') prefix = '0o';
  if (spec.sharp && verb === 'o' && !digits.startsWith('0')) prefix = '0';
  const sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return pad(sign + prefix + digits, spec, spec.precision === undefined ? 'number' : 'spaces');
}

/** strconv.QuoteRune, or QuoteRuneToASCII when `ascii` (the + flag). */
function quoteRune(code: number, ascii: boolean): string {
  const ch = String.fromCodePoint(code);
  if (ch === "'") return "'\\''";
  if (ch === '"') return `'"'`;
  return `'${goQuoteString(ch, ascii).slice(1, -1)}'`;
}

/** strconv.Quote, or QuoteToASCII when `ascii` (the + flag of %q). */
export function goQuoteString(s: string, ascii = false): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (!ascii && /[\p{L}\p{N}\p{P}\p{S}\p{M}]/u.test(ch)) out += ch;
    else if (code > 0xffff) out += `\\U${code.toString(16).padStart(8, '0')}`;
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

// Like Go's badVerb, the value is printed with %v under the same flags, width and precision.
const badVerb = (verb: string, v: unknown, spec: Spec): string =>
  v === null || v === undefined ? `%!${verb}(<nil>)` : `%!${verb}(${goTypeName(v)}=${formatArg(v, 'v', spec)})`;

/** A rune for %c and %q: invalid code points become U+FFFD, as in Go. */
const toRune = (n: bigint): number => (n < 0n || n > 0x10ffffn || (n >= 0xd800n && n <= 0xdfffn) ? 0xfffd : Number(n));

// Inside slices and maps a nil element prints <nil> whatever the verb.
const formatElem = (v: unknown, verb: string, spec: Spec): string =>
  v === null || v === undefined ? '<nil>' : formatArg(v, verb, spec);

/** fmt.Sprintf("%s"...) of a string under width and precision (used by %s and %T). */
const formatString = (s: string, spec: Spec): string =>
  pad(spec.precision === undefined ? s : [...s].slice(0, spec.precision).join(''), spec);

/** Formats one operand for one verb, recursing into slices and maps like fmt's printValue. */
function formatArg(v: unknown, verb: string, spec: Spec): string {
  if (verb === 'T') return v === null || v === undefined ? pad('<nil>', spec) : formatString(goTypeName(v), spec);
  switch (kindOf(v)) {
    case 'nil':
      return verb === 'v' ? pad('<nil>', spec) : badVerb(verb, v, spec);
    case 'bool':
      return verb === 'v' || verb === 't' ? pad(String(v), spec) : badVerb(verb, v, spec);
    case 'int': {
      const n = toBigInt(v);
      if ('vdxXobO'.includes(verb)) return formatInt(n, verb === 'v' ? 'd' : verb, spec);
      if (verb === 'c') return pad(String.fromCodePoint(toRune(n)), spec);
      if (verb === 'q') return pad(quoteRune(toRune(n), spec.plus), spec);
      return badVerb(verb, v, spec);
    }
    case 'float':
      return 'vgGeEfF'.includes(verb)
        ? formatFloat(toFloat(v), verb === 'v' ? 'g' : verb, spec)
        : badVerb(verb, v, spec);
    case 'string': {
      const s = stringOf(v);
      switch (verb) {
        case 'v':
        case 's':
          return formatString(s, spec);
        case 'q':
          return pad(
            goQuoteString(spec.precision === undefined ? s : [...s].slice(0, spec.precision).join(''), spec.plus),
            spec,
          );
        case 'x':
        case 'X': {
          const bytes = [...utf8.encode(s)].slice(0, spec.precision ?? undefined);
          let hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
          if (spec.sharp && hex !== '') hex = `0x${hex}`;
          return pad(verb === 'X' ? hex.toUpperCase() : hex, spec);
        }
        default:
          return badVerb(verb, v, spec);
      }
    }
    case 'slice':
      return `[${(v as unknown[]).map((e) => formatElem(e, verb, spec)).join(' ')}]`;
    case 'map':
      return `map[${sortedEntries(v)
        .map(([k, e]) => `${formatElem(k, verb, spec)}:${formatElem(e, verb, spec)}`)
        .join(' ')}]`;
    case 'struct': {
      const struct = v as GoStruct;
      const fields = struct.fieldNames.map((name) => formatElem(struct.members.get(name), verb, spec));
      return `${struct.pointer ? '&' : ''}{${fields.join(' ')}}`;
    }
    default:
      return verb === 'v' ? pad(String(v), spec) : badVerb(verb, v, spec);
  }
}

/** fmt's %v of a single value. */
export const formatValue = (v: unknown): string => formatArg(v, 'v', PLAIN);

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((arg, i) => {
    const isString = kindOf(arg) === 'string';
    if (i > 0 && !isString && kindOf(args[i - 1]) !== 'string') out += ' ';
    out += formatValue(arg);
  });
  return out;
}

/** fmt.Sprintln: always spaces, then a newline. */
export const sprintln = (args: readonly unknown[]): string => `${args.map(formatValue).join(' ')}\n`;

/** fmt.Sprintf for the verbs templates use: %v %s %d %q %f %e %g %x %X %o %b %c %t %T %%, flags, width, precision. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argIndex = 0;
  let i = 0;
  while (i < format.length) {
    const percent = format.indexOf('%', i);
    if (percent < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    i = percent + 1;
    const spec: Spec = { ...PLAIN };
    flags: for (; i < format.length; i++) {
      switch (format[i]) {
        case '-':
          spec.minus = true;
          spec.zero = false; // "-" overrides "0" in Go
          break;
        case '+':
          spec.plus = true;
          break;
        case '#':
          spec.sharp = true;
          break;
        case ' ':
          spec.space = true;
          break;
        case '0':
          spec.zero = !spec.minus;
          break;
        default:
          break flags;
      }
    }
    const width = /^\d+/.exec(format.slice(i));
    if (width) {
      spec.width = Number(width[0]);
      i += width[0].length;
    }
    if (format[i] === '.') {
      i++;
      const precision = /^\d*/.exec(format.slice(i))?.[0] ?? '';
      spec.precision = Number(precision || '0');
      i += precision.length;
    }
    const verb = format[i];
    // %+v and %#v are Go's plusV/sharpV modes: they do not add signs or prefixes to numbers.
    if (verb === 'v') {
      spec.plus = false;
      spec.sharp = false;
    }
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    i++;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argIndex++], verb, spec);
  }
  if (argIndex < args.length) {
    const extra = args
      .slice(argIndex)
      .map((a) => (a === null || a === undefined ? '<nil>' : `${goTypeName(a)}=${formatValue(a)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}
