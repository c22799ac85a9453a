// toJSON, toJSONPretty, toUnescapedJSON(Pretty), toYAML and toTOML. Pure.

import type * as YamlModule from 'yaml';
import { lazy } from '../../lazy.js';
import { JsonNumber } from '../dependencies.js';
import type { FuncMap } from '../exec.js';
import { formatG, GoFloat, GoNil, GoStruct, kindOf, sortedEntries } from '../fmt.js';
import { marshalJson } from './gojson.js';
import { encodeToml } from './toml.js';

const yaml = lazy<typeof YamlModule>('yaml');

/** A float64 for the YAML writer, printed with strconv's 'g' format as yaml.v2 does. */
class YamlFloat {
  constructor(readonly value: number) {}
}

const YAML_FLOAT_TAG = {
  identify: (v: unknown) => v instanceof YamlFloat,
  default: true,
  tag: 'tag:yaml.org,2002:float',
  resolve: (s: string) => Number(s),
  stringify: (item: { value: unknown }): string => {
    const f = (item.value as YamlFloat).value;
    if (Number.isNaN(f)) return '.nan';
    if (!Number.isFinite(f)) return f > 0 ? '+.inf' : '-.inf';
    return formatG(f, -1);
  },
};

const INT64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;

/** Template values as yaml.v2 sees them: json.Number as int64 or float64, struct fields lower-cased. */
function toYamlData(v: unknown): unknown {
  if (v instanceof JsonNumber) {
    if (/^-?\d+$/.test(v.text)) {
      const n = BigInt(v.text);
      if (n >= INT64[0] && n <= INT64[1]) return Number.isSafeInteger(Number(n)) ? Number(n) : n;
    }
    return new YamlFloat(Number(v.text));
  }
  if (v instanceof GoFloat) return new YamlFloat(v.value);
  if (typeof v === 'number' && !Number.isSafeInteger(v)) return new YamlFloat(v);
  if (v instanceof GoNil || v === undefined) return null;
  // Maps (not objects) keep the order given: struct fields in declaration order, map keys sorted.
  if (v instanceof GoStruct) {
    return new Map(v.fieldNames.map((name) => [name.toLowerCase(), toYamlData(v.members.get(name))]));
  }
  if (Array.isArray(v)) return v.map(toYamlData);
  if (kindOf(v) === 'map') return new Map(sortedEntries(v).map(([k, e]) => [k, toYamlData(e)]));
  return v;
}

/** Would this single-line string read back as something other than a string under YAML 1.1? */
function looksLikeOtherType(s: string): boolean {
  if (s.includes('\n')) return false;
  try {
    const read: unknown = yaml().parse(s, { version: '1.1' });
    return read === null || typeof read === 'boolean' || typeof read === 'number' || read instanceof Date;
  } catch {
    return false;
  }
}

/** yaml.v2's Marshal: sorted keys, unindented sequences, single quotes unless the text would read as a non-string. */
function toYaml(v: unknown): string {
  const doc = new (yaml().Document)(toYamlData(v), {
    version: '1.1',
    // A Map is a plain mapping here (yaml.v2 has no !!omap); floats print like strconv.
    customTags: (tags) => [
      ...tags.filter((t) => !(t === 'omap' || (typeof t === 'object' && t.tag === 'tag:yaml.org,2002:omap'))),
      YAML_FLOAT_TAG,
    ],
  });
  yaml().visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && looksLikeOtherType(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0, singleQuote: true });
}

function toToml(v: unknown): string {
  try {
    return encodeToml(v).trim();
  } catch (err) {
    throw new Error(`toTOML: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const ENCODE_FUNCS: FuncMap = {
  toJSON: { params: 1, fn: (v) => marshalJson(v, { escapeHtml: true }).trim() },
  toJSONPretty: { params: 1, fn: (v) => marshalJson(v, { escapeHtml: true, indent: '  ' }).trim() },
  toUnescapedJSON: { params: 1, fn: (v) => marshalJson(v, { escapeHtml: false }).trim() },
  toUnescapedJSONPretty: { params: 1, fn: (v) => marshalJson(v, { escapeHtml: false, indent: '  ' }).trim() },
  toYAML: { params: 1, fn: (v) => toYaml(v).trim() },
  toTOML: { params: 1, fn: toToml },
};
