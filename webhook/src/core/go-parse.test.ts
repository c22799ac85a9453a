import assert from 'node:assert/strict';
import { parseGoBool, parseGoDuration, parseGoFloat, parseGoInt, parseGoUint, parseStrconvBool } from './go-parse.js';

// Expected values were checked against Go 1.26 (strconv, time) by running the same inputs through it.

interface Case<T> {
  readonly name: string;
  readonly input: string;
  readonly want: T | undefined;
}

const title = (i: number, c: Case<unknown>): string =>
  `${String(i + 1).padStart(3, '0')} ${c.name}: ${JSON.stringify(c.input)}`;

const boolCases = [
  { name: 'Go true spelling', input: '1', want: true },
  { name: 'Go true spelling', input: 't', want: true },
  { name: 'Go true spelling', input: 'T', want: true },
  { name: 'Go true spelling', input: 'TRUE', want: true },
  { name: 'Go true spelling', input: 'true', want: true },
  { name: 'Go true spelling', input: 'True', want: true },
  { name: 'Go false spelling', input: '0', want: false },
  { name: 'Go false spelling', input: 'f', want: false },
  { name: 'Go false spelling', input: 'F', want: false },
  { name: 'Go false spelling', input: 'FALSE', want: false },
  { name: 'Go false spelling', input: 'false', want: false },
  { name: 'Go false spelling', input: 'False', want: false },
  { name: 'empty means false (parseutil)', input: '', want: false },
  { name: 'mixed case is invalid', input: 'tRuE', want: undefined },
  { name: 'mixed case is invalid', input: 'fALSE', want: undefined },
  { name: 'yes is invalid', input: 'yes', want: undefined },
  { name: 'no is invalid', input: 'no', want: undefined },
  { name: 'on is invalid', input: 'on', want: undefined },
  { name: 'leading space is invalid', input: ' true', want: undefined },
  { name: 'trailing space is invalid', input: 'true ', want: undefined },
  { name: 'other digits are invalid', input: '2', want: undefined },
  { name: 'y is invalid', input: 'y', want: undefined },
] satisfies Case<boolean>[];

describe('parseGoBool', () => {
  for (const [i, c] of boolCases.entries()) {
    it(title(i, c), () => assert.equal(parseGoBool(c.input), c.want));
  }
});

const strconvBoolCases = [
  { name: 'true', input: 'True', want: true },
  { name: 'false', input: 'f', want: false },
  { name: 'empty is invalid (strconv, unlike parseutil)', input: '', want: undefined },
  { name: 'yes is invalid', input: 'yes', want: undefined },
] satisfies Case<boolean>[];

describe('parseStrconvBool', () => {
  for (const [i, c] of strconvBoolCases.entries()) {
    it(title(i, c), () => assert.equal(parseStrconvBool(c.input), c.want));
  }
});

const intCases = [
  { name: 'empty is zero (parseutil)', input: '', want: 0 },
  { name: 'zero', input: '0', want: 0 },
  { name: 'negative zero is plain zero', input: '-0', want: 0 },
  { name: 'plus sign', input: '+5', want: 5 },
  { name: 'minus sign', input: '-42', want: -42 },
  { name: 'leading zeros', input: '007', want: 7 },
  { name: 'largest safe integer', input: '9007199254740991', want: 9007199254740991 },
  { name: 'smallest safe integer', input: '-9007199254740991', want: -9007199254740991 },
  { name: 'int64 but not a safe JS integer', input: '9007199254740992', want: undefined },
  { name: 'int64 max, beyond safe integers', input: '9223372036854775807', want: undefined },
  { name: 'beyond int64', input: '9223372036854775808', want: undefined },
  { name: 'leading space', input: ' 1', want: undefined },
  { name: 'trailing space', input: '1 ', want: undefined },
  { name: 'underscores (base 10 has none)', input: '1_000', want: undefined },
  { name: 'hex', input: '0x10', want: undefined },
  { name: 'decimal point', input: '1.0', want: undefined },
  { name: 'exponent', input: '1e3', want: undefined },
  { name: 'sign only', input: '-', want: undefined },
  { name: 'double sign', input: '+-1', want: undefined },
  { name: 'word', input: 'ten', want: undefined },
] satisfies Case<number>[];

describe('parseGoInt', () => {
  for (const [i, c] of intCases.entries()) {
    it(title(i, c), () => assert.equal(parseGoInt(c.input), c.want));
  }
});

const uintCases = [
  { name: 'zero', input: '0', want: 0 },
  { name: 'plain', input: '5', want: 5 },
  { name: 'leading zero', input: '01', want: 1 },
  { name: 'largest safe integer', input: '9007199254740991', want: 9007199254740991 },
  { name: 'uint64 max, beyond safe integers', input: '18446744073709551615', want: undefined },
  { name: 'empty', input: '', want: undefined },
  { name: 'plus sign', input: '+1', want: undefined },
  { name: 'minus sign', input: '-1', want: undefined },
  { name: 'leading space', input: ' 1', want: undefined },
  { name: 'decimal point', input: '1.5', want: undefined },
] satisfies Case<number>[];

describe('parseGoUint', () => {
  for (const [i, c] of uintCases.entries()) {
    it(title(i, c), () => assert.equal(parseGoUint(c.input), c.want));
  }
});

const floatCases = [
  { name: 'decimal', input: '0.75', want: 0.75 },
  { name: 'integer', input: '1', want: 1 },
  { name: 'negative with exponent', input: '-2.5e3', want: -2500 },
  { name: 'upper-case exponent', input: '1E2', want: 100 },
  { name: 'negative exponent', input: '1e-2', want: 0.01 },
  { name: 'signed exponent', input: '5e+1', want: 50 },
  { name: 'no integer part', input: '.5', want: 0.5 },
  { name: 'no fraction digits', input: '5.', want: 5 },
  { name: 'plus sign', input: '+3', want: 3 },
  { name: 'negative zero stays negative', input: '-0', want: -0 },
  { name: 'inf', input: 'inf', want: Number.POSITIVE_INFINITY },
  { name: 'signed infinity, any case', input: '-Infinity', want: Number.NEGATIVE_INFINITY },
  { name: 'plus INF', input: '+INF', want: Number.POSITIVE_INFINITY },
  { name: 'nan', input: 'nan', want: Number.NaN },
  { name: 'NaN', input: 'NaN', want: Number.NaN },
  { name: 'signed nan is invalid', input: '+nan', want: undefined },
  { name: 'truncated infinity', input: 'infinit', want: undefined },
  { name: 'underscore between digits (Go syntax)', input: '1_000', want: 1000 },
  { name: 'underscore in fraction and exponent', input: '1_23.50_0_0e+1_2', want: 1.235e14 },
  { name: 'double underscore', input: '1__0', want: undefined },
  { name: 'leading underscore', input: '_1', want: undefined },
  { name: 'trailing underscore', input: '1_', want: undefined },
  { name: 'underscore before the point', input: '1_.5', want: undefined },
  { name: 'hex float', input: '0x1p-2', want: 0.25 },
  { name: 'hex float with fraction', input: '0x1.8p1', want: 3 },
  { name: 'hex float needs an exponent', input: '0x1', want: undefined },
  { name: 'largest decimal exponent', input: '1e308', want: 1e308 },
  { name: 'overflow is a range error', input: '2e308', want: undefined },
  { name: 'hex overflow is a range error', input: '0x1.fffffffffffff8p1023', want: undefined },
  { name: 'underflow is zero, not an error', input: '1e-400', want: 0 },
  { name: 'smallest subnormal', input: '0x1p-1074', want: 5e-324 },
  { name: 'empty', input: '', want: undefined },
  { name: 'leading space', input: ' 1', want: undefined },
  { name: 'trailing space', input: '1 ', want: undefined },
  { name: 'two points', input: '1.2.3', want: undefined },
  { name: 'exponent without digits', input: '1e', want: undefined },
  { name: 'point only', input: '.', want: undefined },
  { name: 'exponent only', input: 'e5', want: undefined },
  { name: 'word', input: 'abc', want: undefined },
] satisfies Case<number>[];

describe('parseGoFloat', () => {
  for (const [i, c] of floatCases.entries()) {
    // strictEqual compares with Object.is, so NaN matches NaN and -0 differs from 0.
    it(title(i, c), () => assert.strictEqual(parseGoFloat(c.input), c.want));
  }
});

const durationCases = [
  { name: 'bare zero', input: '0', want: 0n },
  { name: 'signed zero', input: '-0', want: 0n },
  { name: 'plus zero', input: '+0', want: 0n },
  { name: 'nanoseconds', input: '1ns', want: 1n },
  { name: 'microseconds (us)', input: '1us', want: 1_000n },
  { name: 'microseconds (micro sign U+00B5)', input: '1\u00b5s', want: 1_000n },
  { name: 'microseconds (Greek mu U+03BC)', input: '1\u03bcs', want: 1_000n },
  { name: 'milliseconds', input: '300ms', want: 300_000_000n },
  { name: 'seconds', input: '5s', want: 5_000_000_000n },
  { name: 'minutes', input: '1m', want: 60_000_000_000n },
  { name: 'hours', input: '1h', want: 3_600_000_000_000n },
  { name: 'sequence', input: '1h30m', want: 5_400_000_000_000n },
  { name: 'sequence', input: '2h45m', want: 9_900_000_000_000n },
  { name: 'fraction', input: '1.5h', want: 5_400_000_000_000n },
  { name: 'negative', input: '-2s', want: -2_000_000_000n },
  { name: 'plus sign', input: '+3s', want: 3_000_000_000n },
  { name: 'no integer part', input: '.5s', want: 500_000_000n },
  { name: 'no fraction digits', input: '1.s', want: 1_000_000_000n },
  { name: 'float rounding as in Go', input: '1.0000000001h', want: 3_600_000_000_360n },
  { name: 'float rounding as in Go', input: '3.3333333333h', want: 11_999_999_999_880n },
  { name: 'int64 max', input: '2562047h47m16.854775807s', want: 9_223_372_036_854_775_807n },
  { name: 'int64 min', input: '-2562047h47m16.854775808s', want: -9_223_372_036_854_775_808n },
  { name: 'overflow', input: '2562047h47m16.854775808s', want: undefined },
  { name: 'overflow in the integer part', input: '9223372036854775808ns', want: undefined },
  { name: 'empty', input: '', want: undefined },
  { name: 'bare number other than 0', input: '1', want: undefined },
  { name: 'bare number other than 0', input: '10', want: undefined },
  { name: 'double zero', input: '00', want: undefined },
  { name: 'bare fraction', input: '1.5', want: undefined },
  { name: 'sign only', input: '-', want: undefined },
  { name: 'unit without digits', input: '.s', want: undefined },
  { name: 'unit only', input: 'h', want: undefined },
  { name: 'space before unit', input: '1 h', want: undefined },
  { name: 'trailing space', input: '1h ', want: undefined },
  { name: 'leading space', input: ' 1s', want: undefined },
  { name: 'unknown unit', input: '1x', want: undefined },
  { name: 'units are case-sensitive', input: '1H', want: undefined },
  { name: 'units are case-sensitive', input: '1S', want: undefined },
  { name: 'no exponents', input: '1e3s', want: undefined },
  { name: 'days are not a unit', input: '1d', want: undefined },
] satisfies Case<bigint>[];

describe('parseGoDuration', () => {
  for (const [i, c] of durationCases.entries()) {
    it(title(i, c), () => assert.equal(parseGoDuration(c.input), c.want));
  }
});
