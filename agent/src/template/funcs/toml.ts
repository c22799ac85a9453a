// A TOML writer shaped like BurntSushi/toml's encoder (what consul-template's toTOML uses): plain keys before
// tables, sorted keys, two-space indentation per table level, json.Number as int64/float64, nil values skipped. Pure.

import { JsonNumber } from '../dependencies.js';
import { GoFloat, GoNil, GoStruct, kindOf, sortedEntries, toBigInt, toFloat } from '../fmt.js';

const INDENT = '  ';

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\b') out += '\\b';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const bareKey = (k: string): string => (/^[A-Za-z0-9_-]+$/.test(k) ? k : quote(k));

/** strconv.FormatFloat(f, 'f', -1, 64) with ".0" added to integral values. */
function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'nan';
  if (!Number.isFinite(f)) return f > 0 ? '+inf' : '-inf';
  let s = String(f);
  const exp = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (exp) {
    const [, sign, head, tail = '', e] = exp;
    const digits = head! + tail;
    const point = 1 + Number(e);
    s =
      point <= 0
        ? `${sign}0.${'0'.repeat(-point)}${digits}`
        : point >= digits.length
          ? `${sign}${digits}${'0'.repeat(point - digits.length)}`
          : `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  return s.includes('.') ? s : `${s}.0`;
}

/** A template value as the writer sees it: json.Number resolved, structs as maps, typed nils as null. */
function normalize(v: unknown): unknown {
  if (v instanceof JsonNumber) {
    if (/^-?\d+$/.test(v.text)) {
      const n = BigInt(v.text);
      if (n >= -(2n ** 63n) && n < 2n ** 63n) return n;
    }
    const f = Number(v.text);
    if (Number.isNaN(f)) throw new Error(`toml: unable to convert ${quote(v.text)} to int64 or float64`);
    return new GoFloat(f);
  }
  if (v instanceof GoNil || v === undefined) return null;
  if (v instanceof GoStruct) return Object.fromEntries(v.fieldNames.map((n) => [n, v.members.get(n)]));
  return v;
}

const isTable = (v: unknown): boolean => kindOf(normalize(v)) === 'map';
const isTableArray = (v: unknown): boolean =>
  Array.isArray(v) && v.length > 0 && v.every((e) => e !== null && e !== undefined && isTable(e));

function element(raw: unknown): string {
  const v = normalize(raw);
  switch (kindOf(v)) {
    case 'string':
      return quote(v as string);
    case 'bool':
      return String(v);
    case 'int':
      return toBigInt(v).toString();
    case 'float':
      return formatFloat(toFloat(v));
    case 'slice': {
      const items = v as unknown[];
      if (items.some((e) => normalize(e) === null)) throw new Error('toml: cannot encode array with nil element');
      return `[${items.map(element).join(', ')}]`;
    }
    case 'map':
      return inlineTable(v);
    default:
      throw new Error(`toml: unsupported type: ${typeof v}`);
  }
}

function splitKeys(m: unknown): { direct: [string, unknown][]; sub: [string, unknown][] } {
  const direct: [string, unknown][] = [];
  const sub: [string, unknown][] = [];
  for (const [k, e] of sortedEntries(m)) {
    if (normalize(e) === null) continue;
    (isTable(e) || isTableArray(e) ? sub : direct).push([k, e]);
  }
  return { direct, sub };
}

function inlineTable(m: unknown): string {
  const { direct, sub } = splitKeys(m);
  return `{${[...direct, ...sub].map(([k, e]) => `${bareKey(k)} = ${element(e)}`).join(', ')}}`;
}

/** Encodes a map (or struct) as a TOML document; throws BurntSushi's errors for what TOML cannot hold. */
export function encodeToml(value: unknown): string {
  const root = normalize(value);
  // BurntSushi writes a lone value for a non-map top level (not valid TOML, but what consul-template prints).
  if (kindOf(root) !== 'map') return root === null ? '' : element(root);
  let out = '';
  const newline = (): void => {
    if (out !== '') out += '\n';
  };
  const table = (path: readonly string[], m: unknown): void => {
    const { direct, sub } = splitKeys(m);
    for (const [k, e] of direct) {
      out += `${INDENT.repeat(path.length)}${bareKey(k)} = ${element(e)}`;
      newline();
    }
    for (const [k, e] of sub) {
      const key = [...path, k];
      const header = key.map(bareKey).join('.');
      const indent = INDENT.repeat(key.length - 1);
      if (isTableArray(e)) {
        for (const item of e as unknown[]) {
          newline();
          out += `${indent}[[${header}]]`;
          newline();
          table(key, normalize(item));
        }
      } else {
        if (key.length === 1) newline();
        out += `${indent}[${header}]`;
        newline();
        table(key, normalize(e));
      }
    }
  };
  table([], root);
  return out;
}
