// Lexer for the Go text/template dialect, ported from Go's text/template/parse/lex.go.
// Pure: no I/O, no timers, no environment.

import { goQuoteString as goQuote } from './fmt.js';

export type ItemType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  // Keywords: printed as <word> in error messages, like Go.
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

export interface Item {
  readonly type: ItemType;
  /** Offset (UTF-16 index) of the item in the template text. */
  readonly pos: number;
  readonly val: string;
  /** 1-based line on which the item starts. */
  readonly line: number;
}

const KEYWORDS: ReadonlyMap<string, ItemType> = new Map<string, ItemType>([
  ['.', 'dot'],
  ['block', 'block'],
  ['break', 'break'],
  ['continue', 'continue'],
  ['define', 'define'],
  ['else', 'else'],
  ['end', 'end'],
  ['if', 'if'],
  ['range', 'range'],
  ['nil', 'nil'],
  ['template', 'template'],
  ['with', 'with'],
]);

export const isKeyword = (type: ItemType): boolean => KEYWORDS.has(type) || type === 'dot' || type === 'nil';

/** Go's item.String(), used in "unexpected X in Y" messages. */
export function itemString(item: Item): string {
  if (item.type === 'eof') return 'EOF';
  if (item.type === 'error') return item.val;
  if (isKeyword(item.type)) return `<${item.val}>`;
  if (item.val.length > 10) return `${goQuote(item.val.slice(0, 10))}...`;
  return goQuote(item.val);
}

const TRIM_MARKER_LEN = 2; // "- " or " -"
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const UNICODE_ALPHANUMERIC = /[\p{L}\p{Nd}]/u;
// Go's unicode.IsLetter || unicode.IsDigit, with ASCII answered without the Unicode regex (identifiers are ASCII).
const isAlphaNumeric = (c: string | undefined): boolean => {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 0x80)
    return (
      (code >= 0x61 && code <= 0x7a) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x30 && code <= 0x39) ||
      code === 0x5f
    );
  return UNICODE_ALPHANUMERIC.test(c);
};
const hasLeftTrimMarker = (s: string): boolean => s.length >= 2 && s[0] === '-' && isSpace(s[1]);
const hasRightTrimMarker = (s: string): boolean => s.length >= 2 && isSpace(s[0]) && s[1] === '-';
const rightTrimLength = (s: string): number => s.length - s.replace(/[ \t\r\n]+$/, '').length;
const leftTrimLength = (s: string): number => s.length - s.replace(/^[ \t\r\n]+/, '').length;

export interface LexOptions {
  readonly leftDelim?: string;
  readonly rightDelim?: string;
}

/** Lexes the whole template. The item list ends with an 'eof' or an 'error' item. */
export function lex(input: string, options: LexOptions = {}): Item[] {
  const leftDelim = options.leftDelim || '{{';
  const rightDelim = options.rightDelim || '}}';
  const items: Item[] = [];
  let pos = 0;
  let start = 0;
  let parenDepth = 0;

  // Offsets of every newline, for a binary-searched line number per item (linear scans are quadratic).
  const newlines: number[] = [];
  for (let i = input.indexOf('\n'); i >= 0; i = input.indexOf('\n', i + 1)) newlines.push(i);
  const lineAt = (offset: number): number => {
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newlines[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  const emit = (type: ItemType): void => {
    items.push({ type, pos: start, val: input.slice(start, pos), line: lineAt(start) });
    start = pos;
  };
  const ignore = (): void => {
    start = pos;
  };
  // Returns false so callers can `return fail(...)` to stop lexing.
  const fail = (message: string): false => {
    items.push({ type: 'error', pos: start, val: message, line: lineAt(start) });
    return false;
  };
  // Like Go, moving past the end still advances pos so that backup() stays symmetric.
  const next = (): string | undefined => {
    const c = input[pos];
    pos++;
    return c;
  };
  const backup = (): void => {
    pos--;
  };
  const peek = (): string | undefined => input[pos];
  const accept = (valid: string): boolean => {
    const c = input[pos];
    if (c !== undefined && valid.includes(c)) {
      pos++;
      return true;
    }
    return false;
  };
  const acceptRun = (valid: string): void => {
    while (accept(valid));
  };
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    const rest = input.slice(pos);
    if (hasRightTrimMarker(rest) && rest.startsWith(rightDelim, TRIM_MARKER_LEN)) return { delim: true, trim: true };
    return { delim: rest.startsWith(rightDelim), trim: false };
  };
  const atTerminator = (): boolean => {
    const c = peek();
    if (c === undefined || isSpace(c) || '.,|:)('.includes(c)) return true;
    return input.startsWith(rightDelim, pos);
  };

  // Each state returns whether lexing goes on; the loop below dispatches on `state`.
  type State = 'text' | 'leftDelim' | 'insideAction';
  let state: State = 'text';

  const lexText = (): boolean => {
    const x = input.indexOf(leftDelim, pos);
    if (x < 0) {
      pos = input.length;
      if (pos > start) emit('text');
      emit('eof');
      return false;
    }
    if (x > pos) {
      pos = x;
      // A "{{- " trims the whitespace before it.
      const trim = hasLeftTrimMarker(input.slice(pos + leftDelim.length))
        ? rightTrimLength(input.slice(start, pos))
        : 0;
      pos -= trim;
      if (pos > start) emit('text');
      pos += trim;
      ignore();
    }
    state = 'leftDelim';
    return true;
  };

  const lexComment = (): boolean => {
    pos += LEFT_COMMENT.length;
    const x = input.indexOf(RIGHT_COMMENT, pos);
    if (x < 0) return fail('unclosed comment');
    pos = x + RIGHT_COMMENT.length;
    const { delim, trim } = atRightDelim();
    if (!delim) return fail('comment ends before closing delimiter');
    if (trim) pos += TRIM_MARKER_LEN;
    pos += rightDelim.length;
    if (trim) pos += leftTrimLength(input.slice(pos));
    ignore();
    state = 'text';
    return true;
  };

  const lexLeftDelim = (): boolean => {
    pos += leftDelim.length;
    const afterMarker = hasLeftTrimMarker(input.slice(pos)) ? TRIM_MARKER_LEN : 0;
    if (input.startsWith(LEFT_COMMENT, pos + afterMarker)) {
      pos += afterMarker;
      ignore();
      return lexComment();
    }
    emit('leftDelim');
    pos += afterMarker;
    ignore();
    parenDepth = 0;
    state = 'insideAction';
    return true;
  };

  const lexRightDelim = (trim: boolean): boolean => {
    if (trim) {
      pos += TRIM_MARKER_LEN;
      ignore();
    }
    pos += rightDelim.length;
    emit('rightDelim');
    if (trim) {
      pos += leftTrimLength(input.slice(pos));
      ignore();
    }
    state = 'text';
    return true;
  };

  const lexSpace = (): boolean => {
    let numSpaces = 0;
    while (isSpace(peek())) {
      pos++;
      numSpaces++;
    }
    // A space may be the start of a " -}}" trim marker.
    if (hasRightTrimMarker(input.slice(pos - 1)) && input.startsWith(rightDelim, pos - 1 + TRIM_MARKER_LEN)) {
      backup();
      if (numSpaces === 1) return lexRightDelim(true);
    }
    if (pos > start) emit('space');
    return true;
  };

  /** Consumes a run of letters, digits and underscores; returns the character that ended it. */
  const scanAlphaNumeric = (): string | undefined => {
    for (;;) {
      const c = next();
      if (!isAlphaNumeric(c)) {
        backup();
        return c;
      }
    }
  };

  const lexFieldOrVariable = (type: 'field' | 'variable'): boolean => {
    if (atTerminator()) {
      emit(type === 'variable' ? 'variable' : 'dot');
      return true;
    }
    const c = scanAlphaNumeric();
    if (!atTerminator()) return fail(`bad character ${goRuneName(c)}`);
    emit(type);
    return true;
  };

  const lexIdentifier = (): boolean => {
    const c = scanAlphaNumeric();
    if (!atTerminator()) return fail(`bad character ${goRuneName(c)}`);
    const word = input.slice(start, pos);
    const keyword = KEYWORDS.get(word);
    if (keyword !== undefined && keyword !== 'dot') emit(keyword);
    else if (word === 'true' || word === 'false') emit('bool');
    else emit('identifier');
    return true;
  };

  const scanNumber = (): boolean => {
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i'); // imaginary suffix
    if (isAlphaNumeric(peek())) {
      pos++;
      return false;
    }
    return true;
  };

  const lexQuoted = (quote: '"' | "'", type: ItemType, message: string): boolean => {
    for (;;) {
      let c = next();
      if (c === '\\') {
        c = next();
        if (c !== undefined && c !== '\n') continue;
      }
      if (c === undefined || c === '\n') return fail(message);
      if (c === quote) break;
    }
    emit(type);
    return true;
  };

  const lexInsideAction = (): boolean => {
    const { delim, trim } = atRightDelim();
    if (delim) {
      if (parenDepth === 0) return lexRightDelim(trim);
      return fail('unclosed left paren');
    }
    const c = next();
    // The parser adds where the action started when it spans lines.
    if (c === undefined) return fail('unclosed action');
    if (isSpace(c)) {
      backup();
      return lexSpace();
    }
    switch (c) {
      case '=':
        emit('assign');
        return true;
      case ':':
        if (next() !== '=') return fail('expected :=');
        emit('declare');
        return true;
      case '|':
        emit('pipe');
        return true;
      case '"':
        return lexQuoted('"', 'string', 'unterminated quoted string');
      case '`': {
        const end = input.indexOf('`', pos);
        if (end < 0) return fail('unterminated raw quoted string');
        pos = end + 1;
        emit('rawString');
        return true;
      }
      case '$':
        return lexFieldOrVariable('variable');
      case "'":
        return lexQuoted("'", 'charConstant', 'unterminated character constant');
      case '(':
        emit('leftParen');
        parenDepth++;
        return true;
      case ')':
        parenDepth--;
        if (parenDepth < 0) return fail('unexpected right paren');
        emit('rightParen');
        return true;
    }
    if (c === '.') {
      // At the very end, Go lexes a lone '.' as a number (and the parser rejects it).
      const after = input[pos];
      if (after !== undefined && (after < '0' || after > '9')) return lexFieldOrVariable('field');
    }
    if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) {
      backup();
      const sign = (): string | undefined => (peek() === '+' || peek() === '-' ? peek() : undefined);
      // A sign right after a number can only continue a complex literal (1+2i), which must end in 'i'.
      const ok = scanNumber() && (sign() === undefined || (scanNumber() && input[pos - 1] === 'i'));
      if (!ok) return fail(`bad number syntax: ${goQuote(input.slice(start, pos))}`);
      emit('number');
      return true;
    }
    if (isAlphaNumeric(c)) {
      backup();
      return lexIdentifier();
    }
    if (c >= ' ' && c <= '~') {
      emit('char');
      return true;
    }
    return fail(`unrecognized character in action: ${goRuneName(c)}`);
  };

  for (;;) {
    const more = state === 'text' ? lexText() : state === 'leftDelim' ? lexLeftDelim() : lexInsideAction();
    if (!more) return items;
  }
}

/** Go's %#U formatting of a rune, e.g. U+0021 '!'. */
function goRuneName(c: string | undefined): string {
  if (c === undefined) return 'U+FFFFFFFF';
  const code = c.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}
