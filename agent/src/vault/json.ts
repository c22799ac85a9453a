/**
 * Vault's JSON, read the way the Go client reads it (`json.Decoder.UseNumber`): every number stays the exact
 * text Vault wrote, as a JsonNumber, so `1.50` prints as `1.50` and 9007199254740993 is not rounded.
 */
import { parse, stringify } from 'lossless-json';
import { JsonNumber, type JsonValue } from '../template/dependencies.js';

/** Parses JSON text; numbers become JsonNumber. Throws SyntaxError on invalid JSON. */
export function parseVaultJson(text: string): JsonValue {
  return parse(text, null, {
    parseNumber: (lexeme) => new JsonNumber(lexeme),
    // Go's decoder keeps the last of duplicate keys; lossless-json would throw.
    onDuplicateKey: ({ newValue }) => newValue,
  }) as JsonValue;
}

const NUMBER_STRINGIFIERS = [
  { test: (v: unknown) => v instanceof JsonNumber, stringify: (v: unknown) => (v as JsonNumber).text },
  { test: (v: unknown) => typeof v === 'bigint', stringify: (v: unknown) => String(v) },
];

/**
 * JSON text for a request body: JsonNumber is written back as its raw lexeme, bigint as its digits, everything
 * else as JSON.stringify would. `undefined` (no value at all) becomes `null`.
 */
export function stringifyVaultJson(value: unknown): string {
  return stringify(value, null, undefined, NUMBER_STRINGIFIERS) ?? 'null';
}

/** A JsonNumber as a JS number when it is an integer that fits exactly; otherwise undefined. */
export function safeInteger(value: unknown): number | undefined {
  const n = value instanceof JsonNumber ? Number(value.text) : typeof value === 'number' ? value : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}
