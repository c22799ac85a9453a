/**
 * Kubernetes resource quantities (`250m`, `64Mi`, `1e3`) for the agent's resource annotations and flags.
 *
 * Behaviour matches k8s.io/apimachinery `resource.ParseQuantity` followed by `Quantity.String()` (read at
 * v0.34.4, pkg/api/resource/{quantity,suffix,amount,math}.go), including its quirks, because the string we
 * put into the pod is what vault-k8s would have put there:
 *
 * - the grammar is looser than its documentation: `.`, `+`, `1.`, `1.G` parse; a number part without
 *   digits is rejected only on the slow path (`.Ki` is 0, `.Ei` is invalid);
 * - inputs already in a canonical-looking form are echoed verbatim, sign and leading zeros included
 *   (`+1Ki`, `01`, `1.500`), exactly when ParseQuantity keeps the input string;
 * - values are rounded up (away from zero) to whole nanos, binary-suffixed values are capped at 2^63 - 1,
 *   and decimal-SI values above 999E lose their suffix (`1000E` prints as `1`).
 */

export interface ParsedQuantity {
  /** What Go's `Quantity.String()` returns for this input. */
  readonly canonical: string;
}

type Format = 'decimalSI' | 'binarySI' | 'decimalExponent';

interface Suffix {
  readonly base: 2 | 10;
  readonly exponent: number;
  readonly format: Format;
}

const NAMED_SUFFIXES: ReadonlyMap<string, Suffix> = new Map([
  ['n', { base: 10, exponent: -9, format: 'decimalSI' }],
  ['u', { base: 10, exponent: -6, format: 'decimalSI' }],
  ['m', { base: 10, exponent: -3, format: 'decimalSI' }],
  ['', { base: 10, exponent: 0, format: 'decimalSI' }],
  ['k', { base: 10, exponent: 3, format: 'decimalSI' }],
  ['M', { base: 10, exponent: 6, format: 'decimalSI' }],
  ['G', { base: 10, exponent: 9, format: 'decimalSI' }],
  ['T', { base: 10, exponent: 12, format: 'decimalSI' }],
  ['P', { base: 10, exponent: 15, format: 'decimalSI' }],
  ['E', { base: 10, exponent: 18, format: 'decimalSI' }],
  ['Ki', { base: 2, exponent: 10, format: 'binarySI' }],
  ['Mi', { base: 2, exponent: 20, format: 'binarySI' }],
  ['Gi', { base: 2, exponent: 30, format: 'binarySI' }],
  ['Ti', { base: 2, exponent: 40, format: 'binarySI' }],
  ['Pi', { base: 2, exponent: 50, format: 'binarySI' }],
  ['Ei', { base: 2, exponent: 60, format: 'binarySI' }],
]);

/** Decimal-SI suffix for a power of ten; Go emits no suffix at all for powers it has no name for. */
const DECIMAL_SI_NAMES: ReadonlyMap<number, string> = new Map(
  [...NAMED_SUFFIXES].filter(([, s]) => s.format === 'decimalSI').map(([name, s]) => [s.exponent, name]),
);
const BINARY_SI_NAMES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;

// Number part, then the suffix: letters from Go's suffix alphabet, an optional sign, digits.
// Written so that no two parts can match the same characters: a failing match then backtracks in
// linear time (an ambiguous `(0*)([0-9]*)...[0-9]*` took minutes on 10,000 digits and a bad suffix).
const QUANTITY = /^([+-]?)(0*)((?:[1-9][0-9]*)?)(?:(\.)([0-9]*))?((?:[eEinumkKMGTP]+[+-]?[0-9]*|[+-][0-9]*)?)$/;
const INT64_TEXT = /^[+-]?[0-9]+$/;
const MAX_INT64 = (1n << 63n) - 1n;
const NANO_EXPONENT = -9;
// Go keeps up to 18 decimal digits in an int64 before switching to arbitrary precision.
const MAX_INT64_DIGITS = 18;

/** Parses a Kubernetes quantity; `undefined` when Go's ParseQuantity returns an error. */
export function parseQuantity(text: string): ParsedQuantity | undefined {
  if (text === '') return undefined;
  if (text === '0') return { canonical: '0' };
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, sign = '', zeros = '', integerDigits = '', dot, fraction = '', suffixText = ''] = match;
  // Go stops scanning once only zeros remain (`-000`), before it looks at a decimal point or suffix.
  const onlyZeros = integerDigits === '' && dot === undefined && suffixText === '';
  const suffix = interpretSuffix(suffixText);
  if (!suffix) return undefined;

  const integer = integerDigits === '' ? '0' : integerDigits;
  const numberHasDigits = onlyZeros || zeros !== '' || integerDigits !== '' || fraction !== '';
  const exact = exactPath(integer, fraction, suffix);
  // Only Go's arbitrary-precision path re-reads the number part, and it needs a digit.
  if (!exact && !numberHasDigits) return undefined;
  if (exact && keepsInputText(integer, fraction, suffix)) return { canonical: text };

  const negative = sign === '-';
  const digits = BigInt(integer + fraction);
  let value =
    suffix.base === 10
      ? { unscaled: digits, exponent: suffix.exponent - fraction.length }
      : { unscaled: digits << BigInt(suffix.exponent), exponent: -fraction.length };
  value = roundUpToNanos(value);
  let format = suffix.format;
  if (format === 'binarySI') {
    if (exceeds(value, MAX_INT64)) value = { unscaled: MAX_INT64, exponent: 0 };
    if (value.unscaled !== 0n && !exceeds(value, 1n) && !equals(value, 1n)) format = 'decimalSI';
  }
  return { canonical: formatQuantity(negative ? -value.unscaled : value.unscaled, value.exponent, format) };
}

function interpretSuffix(text: string): Suffix | undefined {
  const named = NAMED_SUFFIXES.get(text);
  if (named) return named;
  if (text.length < 2 || (text[0] !== 'e' && text[0] !== 'E')) return undefined;
  const exponentText = text.slice(1);
  if (!INT64_TEXT.test(exponentText)) return undefined;
  const exponent = BigInt(exponentText);
  if (exponent > MAX_INT64 || exponent < -MAX_INT64 - 1n) return undefined;
  // Go parses an int64 and then keeps only its low 32 bits.
  return { base: 10, exponent: Number(BigInt.asIntN(32, exponent)), format: 'decimalExponent' };
}

/** Whether Go takes its int64 fast path (exact, no rounding); otherwise it uses inf.Dec. */
function exactPath(integer: string, fraction: string, suffix: Suffix): boolean {
  if (suffix.base === 2) {
    // Go estimates a 2^(10k) multiplier as 3k decimal digits and keeps 14 digits in all.
    return fraction === '' && 14 - integer.length - (3 * suffix.exponent) / 10 >= 0;
  }
  return (
    MAX_INT64_DIGITS - (integer.length + fraction.length) >= 0 && suffix.exponent - fraction.length >= NANO_EXPONENT
  );
}

/** On the fast path Go keeps the input string when it already looks canonical. */
function keepsInputText(integer: string, fraction: string, suffix: Suffix): boolean {
  const digits = integer + fraction;
  if (suffix.base === 2) return (BigInt(digits) & 7n) !== 0n;
  return (suffix.exponent - fraction.length) % 3 === 0 && !digits.endsWith('000') && !digits.startsWith('0');
}

/** A decimal value `unscaled × 10^exponent`, unscaled never negative here. */
interface Decimal {
  readonly unscaled: bigint;
  readonly exponent: number;
}

/** Non-zero values finer than a nano round up (away from zero) to the next nano. */
function roundUpToNanos(value: Decimal): Decimal {
  if (value.unscaled === 0n || value.exponent >= NANO_EXPONENT) return value;
  const dropped = NANO_EXPONENT - value.exponent;
  // Dropping more digits than there are leaves a fraction of a nano: that rounds up to one.
  if (dropped > value.unscaled.toString().length) return { unscaled: 1n, exponent: NANO_EXPONENT };
  const divisor = 10n ** BigInt(dropped);
  const quotient = value.unscaled / divisor;
  return { unscaled: quotient * divisor === value.unscaled ? quotient : quotient + 1n, exponent: NANO_EXPONENT };
}

/** value > limit, for a binary-suffixed value (exponent between -9 and 0 after rounding). */
function exceeds(value: Decimal, limit: bigint): boolean {
  return value.unscaled > limit * 10n ** BigInt(-value.exponent);
}

function equals(value: Decimal, integer: bigint): boolean {
  return value.unscaled === integer * 10n ** BigInt(-value.exponent);
}

/** Go's CanonicalizeBytes: the largest suffix that keeps the number whole. */
function formatQuantity(unscaled: bigint, exponent: number, format: Format): string {
  if (unscaled === 0n) return '0';
  if (format === 'binarySI') {
    const binary = binaryForm(unscaled, exponent);
    if (binary !== undefined) return binary;
  }
  let mantissa = unscaled;
  let power = exponent;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    power += 1;
  }
  const belowMultipleOfThree = ((power % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(belowMultipleOfThree);
  power -= belowMultipleOfThree;
  if (format === 'decimalExponent') return power === 0 ? `${mantissa}` : `${mantissa}e${power}`;
  return `${mantissa}${DECIMAL_SI_NAMES.get(power) ?? ''}`;
}

/** `1536Mi` style, or undefined when Go falls back to decimal SI (|value| < 1024, or not a whole number). */
function binaryForm(unscaled: bigint, exponent: number): string | undefined {
  const scale = 10n ** BigInt(-exponent); // binary values never have a positive exponent
  if (unscaled % scale !== 0n) return undefined;
  let whole = unscaled / scale;
  if (whole > -1024n && whole < 1024n) return undefined;
  let times = 0;
  while (whole % 1024n === 0n) {
    whole /= 1024n;
    times += 1;
  }
  return `${whole}${BINARY_SI_NAMES[times]}`;
}
