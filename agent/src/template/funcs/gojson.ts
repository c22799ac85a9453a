// Go's encoding/json output for template values (toJSON and friends): sorted map keys, json.Number verbatim,
// structs by field name, Go's string escaping (optionally HTML-safe) and float formatting. Pure.

import { JsonNumber } from '../dependencies.js';
import { GoFloat, type GoStruct, isNilCollection, kindOf, sortedEntries, toFloat } from '../fmt.js';

export interface MarshalOptions {
  /** Escape <, > and & as \u003c etc. (json.Marshal does; an Encoder with SetEscapeHTML(false) does not). */
  readonly escapeHtml: boolean;
  /** MarshalIndent's indent; undefined for compact output. */
  readonly indent?: string;
}

function quote(s: string, escapeHtml: boolean): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (
      code < 0x20 ||
      code === 0x2028 ||
      code === 0x2029 ||
      (escapeHtml && (ch === '<' || ch === '>' || ch === '&'))
    )
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** strconv.FormatFloat(f, 'f' or 'e', -1, 64) as encoding/json picks it. */
function formatJsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${f}`);
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    return f.toExponential().replace(/e([+-])(\d)$/, 'e$1$2');
  }
  return String(f);
}

/** Marshals like Go's json.Marshal / MarshalIndent; throws Go-like errors for values JSON cannot hold. */
export function marshalJson(value: unknown, options: MarshalOptions): string {
  const { escapeHtml, indent } = options;
  const write = (v: unknown, depth: number): string => {
    if (v instanceof JsonNumber) {
      if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(v.text))
        throw new Error(`json: invalid number literal ${quote(v.text, false)}`);
      return v.text;
    }
    if (v instanceof GoFloat) return formatJsonFloat(v.value);
    if (isNilCollection(v)) return 'null';
    const nl = indent === undefined ? '' : `\n${indent.repeat(depth + 1)}`;
    const close = indent === undefined ? '' : `\n${indent.repeat(depth)}`;
    const colon = indent === undefined ? ':' : ': ';
    const object = (entries: [string, unknown][]): string =>
      entries.length === 0
        ? '{}'
        : `{${entries.map(([k, e]) => `${nl}${quote(k, escapeHtml)}${colon}${write(e, depth + 1)}`).join(',')}${close}}`;
    switch (kindOf(v)) {
      case 'nil':
        return 'null';
      case 'bool':
        return String(v);
      case 'int':
        return String(v);
      case 'float':
        return formatJsonFloat(toFloat(v));
      case 'string':
        return quote(v as string, escapeHtml);
      case 'slice': {
        const a = v as unknown[];
        return a.length === 0 ? '[]' : `[${a.map((e) => `${nl}${write(e, depth + 1)}`).join(',')}${close}]`;
      }
      case 'map':
        return object(sortedEntries(v));
      case 'struct': {
        const s = v as GoStruct;
        return object(s.fieldNames.map((name) => [name, s.members.get(name)]));
      }
      default:
        throw new Error(`json: unsupported type: ${typeof v}`);
    }
  };
  return write(value, 0);
}

/** JSON text to template values the way json.Unmarshal into interface{} does: every number is a float64. */
export function parseJsonAsGo(text: string): unknown {
  const open = [...text.matchAll(/[[{]/g)].length;
  const close = [...text.matchAll(/[\]}]/g)].length;
  if (text.trim() === '' || open > close) {
    // Go's message for truncated input; other syntax errors keep JSON.parse's description.
    try {
      JSON.parse(text);
    } catch {
      throw new Error('unexpected end of JSON input');
    }
  }
  return JSON.parse(text, (_key, value: unknown) =>
    typeof value === 'number' && Number.isInteger(value) ? new GoFloat(value) : value,
  );
}
