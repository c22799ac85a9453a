// toJSON, toJSONPretty, toUnescapedJSON(Pretty), toYAML and toTOML. Pure.

import { stringify as stringifyToml } from 'smol-toml';
import { stringify as stringifyYaml } from 'yaml';
import type { FuncMap } from '../exec.js';
import { marshalJson, toPlain } from './gojson.js';

/** Sorts object keys recursively (BurntSushi/toml and yaml.v2 write maps in key order). */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

function toToml(v: unknown): string {
  const plain = sortKeys(toPlain(v));
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new Error('toTOML: only a map can be encoded as a TOML document');
  }
  try {
    return stringifyToml(plain as Record<string, unknown>).trim();
  } catch (err) {
    throw new Error(`toTOML: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const ENCODE_FUNCS: FuncMap = {
  toJSON: { params: 1, fn: (v) => marshalJson(v, { escapeHtml: true }).trim() },
  toJSONPretty: { params: 1, fn: (v) => marshalJson(v, { escapeHtml: true, indent: '  ' }).trim() },
  toUnescapedJSON: { params: 1, fn: (v) => marshalJson(v, { escapeHtml: false }).trim() },
  toUnescapedJSONPretty: { params: 1, fn: (v) => marshalJson(v, { escapeHtml: false, indent: '  ' }).trim() },
  toYAML: {
    params: 1,
    fn: (v) =>
      stringifyYaml(toPlain(v), { sortMapEntries: true, indentSeq: false, lineWidth: 0, version: '1.1' }).trim(),
  },
  toTOML: { params: 1, fn: toToml },
};
