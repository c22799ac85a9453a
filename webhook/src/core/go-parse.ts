/**
 * Parsers that accept exactly what vault-k8s's Go parsers accept (spec "Conventions": bool-parse, int-parse,
 * Go duration), for annotation values and the injector's environment variables.
 *
 * Each returns `undefined` on invalid input: the caller knows which annotation or variable it was reading
 * and builds the error from that. Nothing here trims whitespace, because Go does not either.
 */

/** The spellings Go's strconv.ParseBool accepts; anything else (`tRuE`, `yes`, ` true`) is invalid. */
const STRCONV_BOOLS: ReadonlyMap<string, boolean> = new Map([
  ['1', true],
  ['t', true],
  ['T', true],
  ['TRUE', true],
  ['true', true],
  ['True', true],
  ['0', false],
  ['f', false],
  ['F', false],
  ['FALSE', false],
  ['false', false],
  ['False', false],
]);

/**
 * HashiCorp parseutil.ParseBool (mapstructure weak decoding), used for almost every boolean annotation
 * and AGENT_INJECT_* variable: Go strconv.ParseBool plus `''`, which means false.
 */
export function parseGoBool(text: string): boolean | undefined {
  if (text === '') return false;
  return STRCONV_BOOLS.get(text);
}

/**
 * Go strconv.ParseBool: as parseGoBool but `''` is invalid. Go's `flag` package uses this for
 * `-name=value` on boolean flags, so `-revoke-on-shutdown=` is an error there.
 */
export function parseStrconvBool(text: string): boolean | undefined {
  return STRCONV_BOOLS.get(text);
}

const SIGNED_DECIMAL = /^[+-]?[0-9]+$/;
const UNSIGNED_DECIMAL = /^[0-9]+$/;

/**
 * HashiCorp parseutil.ParseInt on a string: `''` is 0, else Go strconv.ParseInt(s, 10, 64) (optional sign,
 * decimal digits only, no whitespace, underscores or hex).
 *
 * Deviation: Go accepts the whole int64 range; we return a JS number, so values beyond
 * ±Number.MAX_SAFE_INTEGER (2^53 - 1) are rejected rather than silently rounded.
 */
export function parseGoInt(text: string): number | undefined {
  if (text === '') return 0;
  if (!SIGNED_DECIMAL.test(text)) return undefined;
  return toSafeNumber(BigInt(text));
}

/**
 * Go strconv.ParseUint(s, 10, 64): decimal digits only (no sign); leading zeros are fine; `''` is invalid.
 * Same safe-integer limit as parseGoInt.
 */
export function parseGoUint(text: string): number | undefined {
  if (!UNSIGNED_DECIMAL.test(text)) return undefined;
  return toSafeNumber(BigInt(text));
}

function toSafeNumber(value: bigint): number | undefined {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) return undefined;
  return Number(value); // Number(0n) is +0, so '-0' gives 0 as in Go
}

// Go's decimal float grammar before underscores are checked: mantissa with at least one digit, optional exponent.
// Unambiguous (linear backtracking); the mantissa must also hold a digit, checked apart.
const DECIMAL_FLOAT = /^[+-]?([0-9_]+(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][+-]?[0-9][0-9_]*)?$/;
const isDecimalFloat = (text: string): boolean => /[0-9]/.test(DECIMAL_FLOAT.exec(text)?.[1] ?? '');
// Go hex floats (`0x1.8p3`): hex mantissa with at least one digit and a mandatory binary exponent.
const HEX_FLOAT =
  /^([+-]?)0[xX]((?:[0-9a-fA-F_]*[0-9a-fA-F][0-9a-fA-F_]*)?)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9][0-9_]*)$/;
const SPECIAL_FLOAT = /^(?:([+-]?)(?:inf|infinity)|nan)$/i;

/**
 * Go strconv.ParseFloat(s, 64): decimal (`1`, `-2.5e3`, `.5`, `5.`), hexadecimal (`0x1p-2`), and
 * case-insensitive `inf`, `infinity` (optionally signed) and `nan`. Underscores are accepted only where Go
 * accepts them, between digits (`1_000.5`). A finite literal that rounds beyond the float64 range is invalid,
 * as Go returns ErrRange for it; underflow to zero is not an error in Go either.
 */
export function parseGoFloat(text: string): number | undefined {
  const special = SPECIAL_FLOAT.exec(text);
  if (special) {
    if (special[1] === undefined) return Number.NaN; // Go has no signed "nan"
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (text.includes('_') && !underscoresBetweenDigits(text)) return undefined;
  let value: number;
  const hex = HEX_FLOAT.exec(text);
  if (hex) {
    const [, sign, whole = '', fraction = '', exponent = ''] = hex;
    if (whole.replaceAll('_', '') === '' && fraction.replaceAll('_', '') === '') return undefined;
    value = hexFloat(sign === '-', whole.replaceAll('_', ''), fraction.replaceAll('_', ''), goExponent(exponent));
  } else if (isDecimalFloat(text)) {
    const [mantissa = '', exponent] = text.replaceAll('_', '').split(/[eE]/);
    // JS string-to-number is correctly rounded, as Go's ParseFloat is.
    value = Number(exponent === undefined ? mantissa : `${mantissa}e${goExponent(exponent)}`);
  } else {
    return undefined;
  }
  return Number.isFinite(value) ? value : undefined;
}

/**
 * The exponent as Go's readFloat reads it: digits stop counting once the value reaches 10000, so
 * `e123456` means e12345. Only strings with thousands of digits can tell the difference, but it is cheap.
 */
function goExponent(text: string): number {
  const negative = text.startsWith('-');
  let value = 0;
  for (const digit of text.replace(/^[+-]/, '').replaceAll('_', '')) {
    if (value < 10_000) value = value * 10 + Number(digit);
  }
  return negative ? -value : value;
}

/** Go's underscoreOK: an underscore must sit between two digits, or between a base prefix and a digit. */
function underscoresBetweenDigits(text: string): boolean {
  let rest = text.replace(/^[+-]/, '');
  let previous: 'start' | 'digit' | 'underscore' | 'other' = 'start';
  let hex = false;
  if (/^0[bBoOxX]/.test(rest)) {
    hex = /^0[xX]/.test(rest);
    rest = rest.slice(2);
    previous = 'digit'; // the base prefix counts as a digit
  }
  for (const char of rest) {
    if ((char >= '0' && char <= '9') || (hex && /[a-fA-F]/.test(char))) {
      previous = 'digit';
    } else if (char === '_') {
      if (previous !== 'digit') return false;
      previous = 'underscore';
    } else {
      if (previous === 'underscore') return false;
      previous = 'other';
    }
  }
  return previous !== 'underscore';
}

const FLOAT64_MANTISSA_BITS = 53;
const FLOAT64_MIN_EXPONENT = -1074; // exponent of the smallest subnormal's last bit
const FLOAT64_MAX_EXPONENT = 1023;

/** Exact value of a hex float, rounded to float64 (half to even); ±Infinity when out of range. */
function hexFloat(negative: boolean, whole: string, fraction: string, binaryExponent: number): number {
  const mantissa = BigInt(`0x${whole || '0'}${fraction}`);
  if (mantissa === 0n) return negative ? -0 : 0;
  const exponent = binaryExponent - 4 * fraction.length;
  const topBit = mantissa.toString(2).length - 1 + exponent;
  if (topBit > FLOAT64_MAX_EXPONENT) return negative ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const lastBit = Math.max(topBit - (FLOAT64_MANTISSA_BITS - 1), FLOAT64_MIN_EXPONENT);
  let kept: bigint;
  const dropped = lastBit - exponent;
  if (dropped <= 0) {
    kept = mantissa << BigInt(-dropped);
  } else {
    kept = mantissa >> BigInt(dropped);
    const remainder = mantissa - (kept << BigInt(dropped));
    const half = 1n << BigInt(dropped - 1);
    if (remainder > half || (remainder === half && (kept & 1n) === 1n)) kept += 1n;
  }
  // kept has at most 54 bits and 2^lastBit is a power of two, so this product is exact or overflows.
  const magnitude = Number(kept) * 2 ** lastBit;
  return negative ? -magnitude : magnitude;
}

const NANOSECONDS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 micro sign
  ['μs', 1_000n], // U+03BC Greek small letter mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);
const TWO_POW_63 = 1n << 63n;

/**
 * Go time.ParseDuration, returning nanoseconds as a bigint (exact over Go's whole int64 range; use
 * `Number(ns) / 1e6` for milliseconds). Accepts sequences such as `1h30m`, `1.5h`, `-2s`, `+3s`, `300ms`,
 * and a bare `0` (also `-0`, `+0`); any other number needs a unit; `''` is invalid.
 */
export function parseGoDuration(text: string): bigint | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    const term = /^([0-9]*)(?:\.([0-9]*))?/.exec(rest);
    const whole = term?.[1] ?? '';
    const fraction = term?.[2];
    if (whole === '' && (fraction === undefined || fraction === '')) return undefined; // no digits: ".s"
    rest = rest.slice(term?.[0].length ?? 0);
    const unitLength = rest.search(/[0-9.]/);
    const unit = unitLength === -1 ? rest : rest.slice(0, unitLength);
    const nanosPerUnit = NANOSECONDS_PER_UNIT.get(unit);
    if (nanosPerUnit === undefined) return undefined; // missing or unknown unit
    rest = rest.slice(unit.length);

    let nanos = BigInt(whole || '0');
    if (nanos > TWO_POW_63 / nanosPerUnit) return undefined;
    nanos *= nanosPerUnit;
    if (fraction !== undefined) nanos += fractionNanos(fraction, nanosPerUnit);
    total += nanos;
    if (total > TWO_POW_63) return undefined;
  }
  if (negative) return -total;
  return total > TWO_POW_63 - 1n ? undefined : total;
}

/**
 * The fraction's contribution as Go computes it: digits are read until the value would pass 2^63
 * (later ones are ignored), then `uint64(float64(f) * (float64(unit) / scale))`. Reproducing the float64
 * arithmetic keeps `1.0000000001h`-style inputs identical to Go to the nanosecond.
 */
function fractionNanos(digits: string, nanosPerUnit: bigint): bigint {
  let value = 0n;
  let scale = 1;
  for (const digit of digits) {
    if (value > (TWO_POW_63 - 1n) / 10n) break;
    const next = value * 10n + BigInt(digit);
    if (next > TWO_POW_63) break;
    value = next;
    scale *= 10;
  }
  if (value === 0n) return 0n;
  return BigInt(Math.trunc(Number(value) * (Number(nanosPerUnit) / scale)));
}
