/**
 * Vault's JSON, read the way the Go client reads it (`json.Decoder.UseNumber`): every number stays the exact
 * text Vault wrote, as a JsonNumber, so `1.50` prints as `1.50` and 9007199254740993 is not rounded.
 */
import { parse, stringify } from 'lossless-json';
import { JsonNumber, type JsonValue } from '../template/dependencies.js';

type SourceReviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

// TypeScript's lib types the reviver without the source-text context (a later addition to JSON.parse).
const keepNumberText = ((_key, value, context) =>
  typeof value === 'number' && context?.source !== undefined
    ? new JsonNumber(context.source)
    : value) as SourceReviver as Parameters<typeof JSON.parse>[1];

/**
 * Whether JSON.parse hands revivers the source text of each value (V8 11.4+, Node 21+): then the native
 * parser keeps numbers exactly, several times faster than a parser in JavaScript (Vault answers every
 * request of a render pass in JSON). Node 20 takes the lossless-json path.
 */
export const NATIVE_NUMBER_TEXT = (() => {
  try {
    const probe = JSON.parse('[1.50]', keepNumberText) as unknown[];
    return probe[0] instanceof JsonNumber && probe[0].text === '1.50';
  } catch {
    return false;
  }
})();

/** Parses JSON text; numbers become JsonNumber. Throws SyntaxError on invalid JSON. */
export function parseVaultJson(text: string, native = NATIVE_NUMBER_TEXT): JsonValue {
  // Both keep the last of duplicate keys, as Go's decoder does.
  if (native) return JSON.parse(text, keepNumberText) as JsonValue;
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
