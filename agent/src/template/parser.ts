// Parser for the Go text/template dialect, ported from Go's text/template/parse/parse.go.
// Produces a tree per template name (the main one plus every {{define}}/{{block}}). Pure.

import { goQuoteString as goQuote } from './fmt.js';
import { type Item, type ItemType, itemString, type LexOptions, lex } from './lexer.js';

export interface ListNode {
  readonly type: 'list';
  readonly pos: number;
  readonly nodes: Node[];
}
export interface TextNode {
  readonly type: 'text';
  readonly pos: number;
  readonly text: string;
}
export interface PipeNode {
  readonly type: 'pipe';
  readonly pos: number;
  readonly line: number;
  isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}
export interface ActionNode {
  readonly type: 'action';
  readonly pos: number;
  readonly line: number;
  readonly pipe: PipeNode;
}
export interface CommandNode {
  readonly type: 'command';
  readonly pos: number;
  readonly args: ArgNode[];
}
export interface IdentifierNode {
  readonly type: 'identifier';
  readonly pos: number;
  readonly ident: string;
}
/** `$x` or `$x.a.b`: ident[0] is the variable name. */
export interface VariableNode {
  readonly type: 'variable';
  readonly pos: number;
  readonly ident: string[];
}
export interface DotNode {
  readonly type: 'dot';
  readonly pos: number;
}
export interface NilNode {
  readonly type: 'nil';
  readonly pos: number;
}
export interface FieldNode {
  readonly type: 'field';
  readonly pos: number;
  readonly ident: string[];
}
/** A term followed by fields: `(pipeline).A.B`. */
export interface ChainNode {
  readonly type: 'chain';
  readonly pos: number;
  readonly node: ArgNode;
  readonly field: string[];
}
export interface BoolNode {
  readonly type: 'bool';
  readonly pos: number;
  readonly value: boolean;
}
export interface NumberNode {
  readonly type: 'number';
  readonly pos: number;
  readonly text: string;
  readonly isInt: boolean;
  readonly isFloat: boolean;
  readonly int: bigint;
  readonly float: number;
}
export interface StringNode {
  readonly type: 'string';
  readonly pos: number;
  /** The original quoted text. */
  readonly quoted: string;
  readonly text: string;
}
export interface BranchNode {
  readonly type: 'if' | 'range' | 'with';
  readonly pos: number;
  readonly line: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | undefined;
}
export interface BreakNode {
  readonly type: 'break' | 'continue';
  readonly pos: number;
  readonly line: number;
}
export interface TemplateNode {
  readonly type: 'template';
  readonly pos: number;
  readonly line: number;
  readonly name: string;
  readonly pipe: PipeNode | undefined;
}
/** Internal markers returned by itemList; never part of a finished tree. */
interface EndNode {
  readonly type: 'end' | 'else';
  readonly pos: number;
}

export type ArgNode =
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;
export type Node = ListNode | TextNode | ActionNode | BranchNode | BreakNode | TemplateNode | ArgNode | CommandNode;

export interface ParseOptions extends LexOptions {
  /** Names of functions the template may call besides the built-ins. */
  readonly funcs?: Iterable<string>;
}

export interface ParsedTemplates {
  /** Name used in error messages (Go's ParseName). */
  readonly name: string;
  readonly text: string;
  /** Root trees by template name; the main template is under `name`. */
  readonly trees: ReadonlyMap<string, ListNode>;
}

export const BUILTIN_NAMES: readonly string[] = Object.freeze([
  'and',
  'call',
  'html',
  'index',
  'slice',
  'js',
  'len',
  'not',
  'or',
  'print',
  'printf',
  'println',
  'urlquery',
  'eq',
  'ge',
  'gt',
  'le',
  'lt',
  'ne',
]);

export class TemplateParseError extends Error {
  override readonly name = 'TemplateParseError';
}

/** Parses `text`; throws TemplateParseError with Go's message (`template: NAME:LINE: ...`). */
export function parse(name: string, text: string, options: ParseOptions = {}): ParsedTemplates {
  const items = lex(text, options);
  const funcs = new Set([...BUILTIN_NAMES, ...(options.funcs ?? [])]);
  const trees = new Map<string, ListNode>();
  let index = 0;

  // Per-tree state, saved and restored around define/block bodies.
  let vars: string[] = ['$'];
  let rangeDepth = 0;
  let actionLine = 0;
  // Go reports the line of the furthest item read from the lexer, lookahead included (its token[0]).
  let furthest = 0;

  const fail = (message: string): never => {
    const line = items[Math.min(furthest, items.length - 1)]!.line;
    throw new TemplateParseError(`template: ${name}:${line}: ${message}`);
  };
  const peek = (): Item => {
    furthest = Math.max(furthest, index);
    return items[Math.min(index, items.length - 1)]!;
  };
  const take = (): Item => {
    const item = peek();
    index++;
    return item;
  };
  const backup = (n = 1): void => {
    index -= n;
  };
  const nextNonSpace = (): Item => {
    let item = take();
    while (item.type === 'space') item = take();
    return item;
  };
  const peekNonSpace = (): Item => {
    // Like Go, spaces before the peeked item stay consumed.
    const item = nextNonSpace();
    backup();
    return item;
  };
  const unexpected = (item: Item, context: string): never => {
    if (item.type === 'error') {
      let extra = '';
      if (actionLine !== 0 && actionLine !== item.line) {
        extra = ` in action started at ${name}:${actionLine}`;
        if (item.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      return fail(`${item.val}${extra}`);
    }
    return fail(`unexpected ${itemString(item)} in ${context}`);
  };
  const expect = (type: ItemType, context: string): Item => {
    const item = nextNonSpace();
    if (item.type !== type) unexpected(item, context);
    return item;
  };
  const nodeString = (n: Node | EndNode): string =>
    n.type === 'end' ? '{{end}}' : n.type === 'else' ? '{{else}}' : formatNode(n as Node);

  const list = (pos: number): ListNode => ({ type: 'list', pos, nodes: [] });

  const itemList = (): { list: ListNode; end: Node | EndNode } => {
    const result = list(peekNonSpace().pos);
    while (peekNonSpace().type !== 'eof') {
      const n = textOrAction();
      if (n.type === 'end' || n.type === 'else') return { list: result, end: n };
      result.nodes.push(n as Node);
    }
    return fail('unexpected EOF');
  };

  const textOrAction = (): Node | EndNode => {
    const item = nextNonSpace();
    switch (item.type) {
      case 'text':
        return { type: 'text', pos: item.pos, text: item.val };
      case 'leftDelim': {
        actionLine = item.line;
        try {
          return action();
        } finally {
          actionLine = 0;
        }
      }
      default:
        return unexpected(item, 'input');
    }
  };

  const action = (): Node | EndNode => {
    const item = nextNonSpace();
    switch (item.type) {
      case 'block':
        return blockControl();
      case 'break':
      case 'continue':
        return breakControl(item);
      case 'else':
        return elseControl();
      case 'end':
        return { type: 'end', pos: expect('rightDelim', 'end').pos };
      case 'if':
      case 'range':
      case 'with':
        return branchControl(item.type);
      case 'template':
        return templateControl();
    }
    backup();
    const first = peek();
    return { type: 'action', pos: first.pos, line: first.line, pipe: pipeline('command', 'rightDelim') };
  };

  const breakControl = (keyword: Item): BreakNode => {
    const item = nextNonSpace();
    const word = keyword.type as 'break' | 'continue';
    if (item.type !== 'rightDelim') unexpected(item, `{{${word}}}`);
    if (rangeDepth === 0) fail(`{{${word}}} outside {{range}}`);
    return { type: word, pos: keyword.pos, line: keyword.line };
  };

  const elseControl = (): EndNode => {
    const p = peekNonSpace();
    // "else if" / "else with" chains: the caller parses the following keyword.
    if (p.type === 'if' || p.type === 'with') return { type: 'else', pos: p.pos };
    return { type: 'else', pos: expect('rightDelim', 'else').pos };
  };

  const branchControl = (context: 'if' | 'range' | 'with'): BranchNode => {
    const savedVars = vars.length;
    try {
      const pipe = pipeline(context, 'rightDelim');
      if (context === 'range') rangeDepth++;
      const body = itemList();
      if (context === 'range') rangeDepth--;
      let elseList: ListNode | undefined;
      if (body.end.type === 'else') {
        const p = peek();
        if ((context === 'if' && p.type === 'if') || (context === 'with' && p.type === 'with')) {
          take();
          elseList = list(body.end.pos);
          elseList.nodes.push(branchControl(context));
        } else {
          const rest = itemList();
          if (rest.end.type !== 'end') fail(`expected end; found ${nodeString(rest.end)}`);
          elseList = rest.list;
        }
      }
      return { type: context, pos: pipe.pos, line: pipe.line, pipe, list: body.list, elseList };
    } finally {
      vars = vars.slice(0, savedVars);
    }
  };

  const templateName = (item: Item, context: string): string => {
    if (item.type === 'string' || item.type === 'rawString') return unquote(item.val, fail);
    return unexpected(item, context);
  };

  const templateControl = (): TemplateNode => {
    const context = 'template clause';
    const item = nextNonSpace();
    const templateNameValue = templateName(item, context);
    let pipe: PipeNode | undefined;
    if (nextNonSpace().type !== 'rightDelim') {
      backup();
      pipe = pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: item.pos, line: item.line, name: templateNameValue, pipe };
  };

  // A sub-tree (define or block body) has its own variables and range depth.
  const subTree = (treeName: string, context: string): void => {
    const saved = { vars, rangeDepth, actionLine };
    vars = ['$'];
    rangeDepth = 0;
    const body = itemList();
    if (body.end.type !== 'end') fail(`unexpected ${nodeString(body.end)} in ${context}`);
    ({ vars, rangeDepth, actionLine } = saved);
    addTree(treeName, body.list);
  };

  const blockControl = (): TemplateNode => {
    const context = 'block clause';
    const item = nextNonSpace();
    const blockName = templateName(item, context);
    const pipe = pipeline(context, 'rightDelim');
    subTree(blockName, context);
    return { type: 'template', pos: item.pos, line: item.line, name: blockName, pipe };
  };

  const parseDefinition = (): void => {
    const context = 'define clause';
    const item = nextNonSpace();
    if (item.type !== 'string' && item.type !== 'rawString') unexpected(item, context);
    const defined = unquote(item.val, fail);
    expect('rightDelim', context);
    subTree(defined, context);
  };

  // Go's rule: an empty (whitespace-only) definition never replaces one with content, and two with content clash.
  const addTree = (treeName: string, root: ListNode): void => {
    const existing = trees.get(treeName);
    if (existing === undefined || isEmptyTree(existing)) {
      trees.set(treeName, root);
      return;
    }
    if (!isEmptyTree(root)) fail(`template: multiple definition of template ${goQuote(treeName)}`);
  };

  const pipeline = (context: string, end: ItemType): PipeNode => {
    const first = peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: first.pos, line: first.line, isAssign: false, decl: [], cmds: [] };
    for (;;) {
      const v = peekNonSpace();
      if (v.type !== 'variable') break;
      const variableIndex = index;
      take();
      const following = peekNonSpace();
      if (following.type === 'assign' || following.type === 'declare') {
        pipe.isAssign = following.type === 'assign';
        nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        vars.push(v.val);
      } else if (following.type === 'char' && following.val === ',') {
        nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const t = peekNonSpace().type;
          if (t === 'variable' || t === 'rightDelim' || t === 'rightParen') continue;
          fail('range can only initialize variables');
        }
        fail(`too many declarations in ${context}`);
      } else {
        // Not a declaration: rewind to the variable, which starts the first command.
        index = variableIndex;
      }
      break;
    }
    for (;;) {
      const item = nextNonSpace();
      if (item.type === end) {
        checkPipeline(pipe, context);
        return pipe;
      }
      switch (item.type) {
        case 'bool':
        case 'charConstant':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          backup();
          pipe.cmds.push(command());
          break;
        default:
          unexpected(item, context);
      }
    }
  };

  const checkPipeline = (pipe: PipeNode, context: string): void => {
    if (pipe.cmds.length === 0) fail(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]?.type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        fail(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  };

  const command = (): CommandNode => {
    const cmd: CommandNode = { type: 'command', pos: peekNonSpace().pos, args: [] };
    for (;;) {
      peekNonSpace();
      const arg = operand();
      if (arg !== undefined) cmd.args.push(arg);
      const item = take();
      if (item.type === 'space') continue;
      if (item.type === 'rightDelim' || item.type === 'rightParen') backup();
      else if (item.type !== 'pipe') unexpected(item, 'operand');
      break;
    }
    if (cmd.args.length === 0) fail('empty command');
    return cmd;
  };

  const operand = (): ArgNode | undefined => {
    const node = term();
    if (node === undefined) return undefined;
    if (peek().type !== 'field') return node;
    const chainPos = peek().pos;
    const fields: string[] = [];
    while (peek().type === 'field') fields.push(take().val.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', pos: chainPos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { type: 'variable', pos: chainPos, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return fail(`unexpected . after term ${goQuote(formatNode(node))}`);
      default:
        return { type: 'chain', pos: chainPos, node, field: fields };
    }
  };

  const term = (): ArgNode | undefined => {
    const item = nextNonSpace();
    switch (item.type) {
      case 'identifier':
        if (!funcs.has(item.val)) fail(`function ${goQuote(item.val)} not defined`);
        return { type: 'identifier', pos: item.pos, ident: item.val };
      case 'dot':
        return { type: 'dot', pos: item.pos };
      case 'nil':
        return { type: 'nil', pos: item.pos };
      case 'variable':
        if (!vars.includes(item.val)) fail(`undefined variable ${goQuote(item.val)}`);
        return { type: 'variable', pos: item.pos, ident: [item.val] };
      case 'field':
        return { type: 'field', pos: item.pos, ident: [item.val.slice(1)] };
      case 'bool':
        return { type: 'bool', pos: item.pos, value: item.val === 'true' };
      case 'charConstant':
      case 'number':
        return parseNumber(item, fail);
      case 'leftParen':
        return pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString':
        return { type: 'string', pos: item.pos, quoted: item.val, text: unquote(item.val, fail) };
    }
    backup();
    return undefined;
  };

  // Top level: text, actions, and {{define}} blocks that become their own trees.
  const root = list(peek().pos);
  while (peek().type !== 'eof') {
    if (peek().type === 'leftDelim') {
      const delimIndex = index;
      take();
      if (nextNonSpace().type === 'define') {
        parseDefinition();
        continue;
      }
      index = delimIndex;
    }
    const n = textOrAction();
    if (n.type === 'end' || n.type === 'else') fail(`unexpected ${nodeString(n)}`);
    root.nodes.push(n as Node);
  }
  addTree(name, root);
  return { name, text, trees };
}

const isEmptyTree = (n: ListNode): boolean => n.nodes.every((c) => c.type === 'text' && c.text.trim() === '');

const NUMBER_PATTERNS: readonly [RegExp, number][] = [
  [/^[+-]?0[xX][0-9a-fA-F_]+$/, 16],
  [/^[+-]?0[oO][0-7_]+$/, 8],
  [/^[+-]?0[bB][01_]+$/, 2],
  [/^[+-]?0[0-7_]*$/, 8],
  [/^[+-]?[1-9][0-9_]*$/, 10],
];

/** Go's strconv.ParseInt(text, 0, 64) subset; undefined when not an integer literal. */
function parseGoInt(text: string): bigint | undefined {
  for (const [pattern, base] of NUMBER_PATTERNS) {
    if (!pattern.test(text)) continue;
    if (text.includes('__') || text.endsWith('_')) return undefined;
    const negative = text.startsWith('-');
    let digits = text.replace(/^[+-]/, '').replaceAll('_', '');
    if (base !== 10) digits = digits.replace(/^0[xXoObB]?/, '');
    if (digits === '') digits = '0';
    const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
    const value = BigInt(`${prefix}${digits}`);
    return negative ? -value : value;
  }
  return undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function parseNumber(item: Item, fail: (message: string) => never): NumberNode {
  const base = { type: 'number' as const, pos: item.pos, text: item.val };
  if (item.type === 'charConstant') {
    const rune = unquote(item.val, fail).codePointAt(0) ?? 0;
    return { ...base, isInt: true, isFloat: true, int: BigInt(rune), float: rune };
  }
  const text = item.val;
  const asInt = parseGoInt(text);
  if (asInt !== undefined && asInt >= INT64_MIN && asInt <= INT64_MAX) {
    return { ...base, isInt: true, isFloat: true, int: asInt, float: Number(asInt) };
  }
  const cleaned = text.replaceAll('_', '');
  if (asInt === undefined && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cleaned)) {
    const value = Number(cleaned);
    if (!Number.isFinite(value)) return fail(`illegal number syntax: ${goQuote(text)}`); // out of float64 range
    const isInt = Number.isInteger(value) && Math.abs(value) < 2 ** 63;
    return { ...base, isInt, isFloat: true, int: isInt ? BigInt(value) : 0n, float: value };
  }
  const hexFloat = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(cleaned);
  if (hexFloat) {
    const [, sign = '', whole = '', frac = '', exp = '0'] = hexFloat;
    const mantissa = Number.parseInt(`${whole}${frac}` || '0', 16) / 16 ** frac.length;
    const value = (sign === '-' ? -1 : 1) * mantissa * 2 ** Number(exp);
    const isInt = Number.isInteger(value) && Math.abs(value) < 2 ** 63;
    return { ...base, isInt, isFloat: true, int: isInt ? BigInt(value) : 0n, float: value };
  }
  if (asInt !== undefined) return fail(`integer overflow: ${goQuote(text)}`);
  return fail(`illegal number syntax: ${goQuote(text)}`);
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/** strconv.Unquote for "...", `...` and '.' literals. */
export function unquote(quoted: string, fail: (message: string) => never): string {
  const quote = quoted[0];
  const body = quoted.slice(1, -1);
  if (quote === '`') return body.replaceAll('\r', '');
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e !== undefined && e in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[e];
    else if (e === quote) out += e;
    else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) return fail('invalid syntax');
      out += String.fromCodePoint(Number.parseInt(hex, 16));
      i += len;
    } else if (e !== undefined && e >= '0' && e <= '7') {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) return fail('invalid syntax');
      out += String.fromCodePoint(Number.parseInt(oct, 8));
      i += 2;
    } else return fail('invalid syntax');
  }
  return out;
}

/** Go's Node.String(): the source-like form used in execution error messages. */
export function formatNode(n: Node): string {
  switch (n.type) {
    case 'list':
      return n.nodes.map(formatNode).join('');
    case 'text':
      return n.text;
    case 'action':
      return `{{${formatNode(n.pipe)}}}`;
    case 'pipe': {
      const decl = n.decl.length > 0 ? `${n.decl.map(formatNode).join(', ')} := ` : '';
      return decl + n.cmds.map(formatNode).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${formatNode(a)})` : formatNode(a))).join(' ');
    case 'identifier':
      return n.ident;
    case 'variable':
      return n.ident.join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'field':
      return n.ident.map((f) => `.${f}`).join('');
    case 'chain': {
      const inner = n.node.type === 'pipe' ? `(${formatNode(n.node)})` : formatNode(n.node);
      return inner + n.field.map((f) => `.${f}`).join('');
    }
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'if':
    case 'range':
    case 'with': {
      const elsePart = n.elseList ? `{{else}}${formatNode(n.elseList)}` : '';
      return `{{${n.type} ${formatNode(n.pipe)}}}${formatNode(n.list)}${elsePart}{{end}}`;
    }
    case 'break':
    case 'continue':
      return `{{${n.type}}}`;
    case 'template':
      return n.pipe ? `{{template ${goQuote(n.name)} ${formatNode(n.pipe)}}}` : `{{template ${goQuote(n.name)}}}`;
  }
}
