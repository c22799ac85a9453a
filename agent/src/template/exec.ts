// Executes parsed Go text/template trees against JS data, following Go's text/template/exec.go. Pure.
//
// Values (see fmt.ts): safe-integer JS numbers and bigints are Go ints, other numbers are float64, GoFloat marks an
// integral float64; arrays are slices; plain objects and Map are map[string]interface {}; null is a nil
// interface and undefined is Go's "no value" (a missing map key), which prints as <no value>.

import {
  formatValue,
  GoFloat,
  GoNil,
  GoObject,
  GoStruct,
  goQuoteString,
  goTypeName,
  isStringSlice,
  type Kind,
  kindOf,
  mapSize,
  sortedEntries,
  sprint,
  sprintf,
  sprintln,
  stringOf,
  toBigInt,
  toFloat,
} from './fmt.js';
import {
  type ArgNode,
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  formatNode,
  type IdentifierNode,
  type ListNode,
  type Node,
  type NumberNode,
  type ParsedTemplates,
  type PipeNode,
  parse,
  type VariableNode,
} from './parser.js';

export { GoFloat } from './fmt.js';

/**
 * Go parameter types that the executor checks before a call (Go's validateType), with Go's messages.
 * 'any' is interface {}; 'map' is map[string]interface {}.
 */
export type ParamType = 'any' | 'string' | 'int' | 'bool' | '[]string' | '[]interface {}' | 'map';

/** A function callable from templates, with its Go arity so argument counts are checked like Go. */
export interface TemplateFunc {
  /** Number of fixed parameters. */
  readonly params: number;
  /** Accepts further arguments after the fixed ones (Go `...T`). */
  readonly variadic?: boolean;
  /** Parameter types; for a variadic function the last entry applies to every extra argument. Default: all any. */
  readonly types?: readonly ParamType[];
  /** Throwing reports `error calling NAME: MESSAGE`, like a Go function returning an error. */
  readonly fn: (...args: unknown[]) => unknown;
}

export type FuncMap = Readonly<Record<string, TemplateFunc>>;

/** Go's Option("missingkey=..."): default/invalid print <no value>, zero yields nil, error fails. */
export type MissingKey = 'default' | 'invalid' | 'zero' | 'error';

export interface ExecuteOptions {
  readonly funcs?: FuncMap;
  readonly missingKey?: MissingKey;
  /** Name of the template to run; defaults to the parsed main template. */
  readonly templateName?: string;
}

export class TemplateExecError extends Error {
  override readonly name = 'TemplateExecError';
}

// Go allows 100000 nested {{template}} calls; JS stacks are shallower, so we stop earlier.
const MAX_EXEC_DEPTH = 1000;

// Control flow for {{break}} and {{continue}}, caught by the enclosing range.
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

// Marks "no value from a previous pipeline stage" (Go's missingVal).
const MISSING = Symbol('missing');
type Final = unknown | typeof MISSING;

interface Variable {
  readonly name: string;
  value: unknown;
}

interface Builtin {
  readonly params: number;
  readonly variadic: boolean;
}

const GO_PARAM_TYPES: Readonly<Record<ParamType, string>> = {
  any: 'interface {}',
  string: 'string',
  int: 'int',
  bool: 'bool',
  '[]string': '[]string',
  '[]interface {}': '[]interface {}',
  map: 'map[string]interface {}',
};

// How Go's evalArg names the expected kind when a literal does not fit.
const LITERAL_WORDS: Readonly<Record<ParamType, string>> = {
  any: 'interface',
  string: 'string',
  int: 'integer',
  bool: 'bool',
  '[]string': '[]string',
  '[]interface {}': '[]interface {}',
  map: 'map',
};

const BUILTINS: Readonly<Record<string, Builtin>> = {
  and: { params: 1, variadic: true },
  or: { params: 1, variadic: true },
  not: { params: 1, variadic: false },
  len: { params: 1, variadic: false },
  index: { params: 1, variadic: true },
  slice: { params: 1, variadic: true },
  print: { params: 0, variadic: true },
  printf: { params: 1, variadic: true },
  println: { params: 0, variadic: true },
  eq: { params: 1, variadic: true },
  ne: { params: 2, variadic: false },
  lt: { params: 2, variadic: false },
  le: { params: 2, variadic: false },
  gt: { params: 2, variadic: false },
  ge: { params: 2, variadic: false },
  html: { params: 0, variadic: true },
  js: { params: 0, variadic: true },
  urlquery: { params: 0, variadic: true },
  call: { params: 1, variadic: true },
};

/** Parses and executes in one go; the usual entry point. */
export function renderTemplate(
  name: string,
  text: string,
  data: unknown,
  options: ExecuteOptions & { readonly leftDelim?: string; readonly rightDelim?: string } = {},
): string {
  const parsed = parse(name, text, {
    leftDelim: options.leftDelim,
    rightDelim: options.rightDelim,
    funcs: Object.keys(options.funcs ?? {}),
  });
  return execute(parsed, data, options);
}

/** Executes a parsed template; throws TemplateExecError with Go's message on failure. */
export function execute(parsed: ParsedTemplates, data: unknown, options: ExecuteOptions = {}): string {
  const templateName = options.templateName ?? parsed.name;
  const root = parsed.trees.get(templateName);
  if (root === undefined) {
    throw new TemplateExecError(`template: ${templateName}: "${templateName}" is an incomplete or empty template`);
  }
  const state = new State(parsed, options.funcs ?? {}, options.missingKey ?? 'default');
  // Go passes Execute's data through reflect.ValueOf, so a nil interface becomes "no value".
  const dot = data === null ? undefined : data;
  state.run(templateName, root, dot);
  return state.output.join('');
}

class State {
  readonly output: string[] = [];
  private templateName = '';
  private vars: Variable[] = [];
  private node: Node | undefined;
  private depth = 0;
  /** Dot is a range element (static type interface {} in Go); see evalFieldChain. */
  private dotIsInterface = false;

  constructor(
    private readonly parsed: ParsedTemplates,
    private readonly funcs: FuncMap,
    private readonly missingKey: MissingKey,
  ) {}

  run(templateName: string, root: ListNode, dot: unknown): void {
    const saved = { templateName: this.templateName, vars: this.vars };
    this.templateName = templateName;
    this.vars = [{ name: '$', value: dot }];
    try {
      this.walk(dot, root);
    } finally {
      ({ templateName: this.templateName, vars: this.vars } = saved);
    }
  }

  private fail(message: string): never {
    const node = this.node;
    if (node === undefined) throw new TemplateExecError(`template: ${this.templateName}: ${message}`);
    const { text, name } = this.parsed;
    const before = text.slice(0, node.pos);
    const lineStart = before.lastIndexOf('\n') + 1;
    const line = before.split('\n').length;
    const column = new TextEncoder().encode(before.slice(lineStart)).length; // Go counts bytes
    const context = formatNode(node);
    throw new TemplateExecError(
      `template: ${name}:${line}:${column}: executing ${goQuoteString(this.templateName)} at <${context}>: ${message}`,
    );
  }

  private mark = (): number => this.vars.length;
  private pop = (mark: number): void => {
    this.vars.length = mark;
  };
  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i]!;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }
  private setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n]!.value = value;
  }
  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i]!;
      if (v.name === name) return v.value;
    }
    return this.fail(`undefined variable: ${name}`);
  }

  private walk(dot: unknown, node: Node): void {
    this.node = node;
    switch (node.type) {
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(value);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'if':
      case 'with':
        this.walkIfOrWith(dot, node);
        return;
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template':
        this.walkTemplate(dot, node.name, node.pipe);
        return;
      case 'text':
        this.output.push(node.text);
        return;
      default:
        this.fail(`unknown node: ${formatNode(node)}`);
    }
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.mark();
    try {
      const value = this.evalPipeline(dot, node.pipe);
      if (isTrue(value) && node.type === 'with') this.walkWithDot(value, node.list);
      else if (isTrue(value)) this.walk(dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  // A dot taken from a pipeline has a concrete type.
  private walkWithDot(dot: unknown, list: ListNode): void {
    const saved = this.dotIsInterface;
    this.dotIsInterface = false;
    try {
      this.walk(dot, list);
    } finally {
      this.dotIsInterface = saved;
    }
  }

  private walkRange(dot: unknown, node: BranchNode): void {
    this.node = node;
    const outer = this.mark();
    try {
      const value = this.evalPipeline(dot, node.pipe);
      const mark = this.mark();
      const kind = kindOf(value);
      const { decl, isAssign } = node.pipe;
      // Returns false after {{break}}.
      const iteration = (index: unknown, elem: unknown): boolean => {
        if (decl.length > 0) {
          if (isAssign) this.setVar(decl[0]!.ident[0]!, decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (isAssign) this.setVar(decl[1]!.ident[0]!, elem);
          else this.setTopVar(2, index);
        }
        const savedDotIsInterface = this.dotIsInterface;
        this.dotIsInterface = kind === 'slice' || kind === 'map';
        try {
          this.walk(elem, node.list);
        } catch (signal) {
          if (signal === BREAK) return false;
          if (signal !== CONTINUE) throw signal;
        } finally {
          this.dotIsInterface = savedDotIsInterface;
          this.pop(mark);
        }
        return true;
      };
      if (kind === 'slice' && (value as unknown[]).length > 0) {
        const elems = value as unknown[];
        for (let i = 0; i < elems.length; i++) if (!iteration(i, elems[i])) break;
        return;
      }
      if (kind === 'map' && mapSize(value) > 0) {
        for (const [k, v] of sortedEntries(value)) if (!iteration(k, v)) break;
        return;
      }
      if (kind === 'int') {
        if (decl.length > 1) this.fail(`can't use ${formatValue(value)} to iterate over more than one variable`);
        const count = toBigInt(value);
        for (let i = 0n; i < count; i++) {
          const n = typeof value === 'bigint' ? i : Number(i);
          if (!iteration(n, n)) break;
        }
        if (count > 0n) return;
      } else if (kind !== 'nil' && kind !== 'slice' && kind !== 'map') {
        this.fail(`range can't iterate over ${formatValue(value)}`);
      }
      if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(outer);
    }
  }

  private walkTemplate(dot: unknown, name: string, pipe: PipeNode | undefined): void {
    const node = this.node;
    const root = this.parsed.trees.get(name);
    if (root === undefined) this.fail(`template ${goQuoteString(name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.fail(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const value = pipe ? this.evalPipeline(dot, pipe) : undefined;
    this.depth++;
    const savedDotIsInterface = this.dotIsInterface;
    this.dotIsInterface = false;
    try {
      this.run(name, root, value === null ? undefined : value);
    } finally {
      this.dotIsInterface = savedDotIsInterface;
      this.depth--;
      this.node = node;
    }
  }

  private printValue(value: unknown): void {
    if (value === undefined || value === null) {
      this.output.push('<no value>');
      return;
    }
    // Go's printValue follows a pointer before printing, so *Secret prints {…}, not &{…}.
    const shown = value instanceof GoStruct && value.pointer ? value.dereferenced() : value;
    this.output.push(formatValue(shown));
  }

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.node = pipe;
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // Go digs the value out of interface{}: a nil interface becomes "no value".
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, value);
      else this.vars.push({ name: v.ident[0]!, value });
    }
    return value;
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.fail(`can't give argument to non-function ${formatNode(args[0]!)}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.fail('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  private idealConstant(n: NumberNode): unknown {
    this.node = n;
    const isHexInt = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    const isRune = n.text.startsWith("'");
    if (n.isFloat && !isHexInt && !isRune && /[.eEpP]/.test(n.text)) {
      return Number.isInteger(n.float) ? new GoFloat(n.float) : n.float;
    }
    if (n.isInt) {
      const small = n.int >= BigInt(Number.MIN_SAFE_INTEGER) && n.int <= BigInt(Number.MAX_SAFE_INTEGER);
      return small ? Number(n.int) : n.int;
    }
    return this.fail(`${n.text} overflows int`);
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: readonly ArgNode[], final: Final): unknown {
    this.node = field;
    return this.evalFieldChain(dot, dot, field.ident, args, final, this.dotIsInterface);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: readonly ArgNode[], final: Final): unknown {
    this.node = chain;
    if (chain.node.type === 'nil') this.fail(`indirection through explicit nil in ${formatNode(chain)}`);
    // Like Go, errors in the chain point at the term that produced the receiver.
    const receiver = this.evalArg(dot, chain.node);
    return this.evalFieldChain(dot, receiver, chain.field, args, final, false);
  }

  private evalVariableNode(dot: unknown, variable: VariableNode, args: readonly ArgNode[], final: Final): unknown {
    this.node = variable;
    const value = this.varValue(variable.ident[0]!);
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable.ident.slice(1), args, final, false);
  }

  // `receiverIsInterface`: whether Go sees the first receiver with static type interface {} (map values and range
  // elements do; pipeline and function results do not). It only shows in error messages.
  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    idents: readonly string[],
    args: readonly ArgNode[],
    final: Final,
    receiverIsInterface: boolean,
  ): unknown {
    let value = receiver;
    idents.forEach((name, i) => {
      const last = i === idents.length - 1;
      const hasArgs = last && (args.length > 1 || final !== MISSING);
      if (value instanceof GoObject) {
        value = last
          ? this.callMethod(dot, value, name, args, final)
          : this.callMethod(undefined, value, name, [], MISSING);
        return;
      }
      value = this.evalField(name, value, hasArgs, i > 0 || receiverIsInterface);
    });
    return value;
  }

  private evalField(name: string, receiver: unknown, hasArgs: boolean, receiverIsInterface: boolean): unknown {
    if (receiver === undefined) {
      if (this.missingKey === 'error') this.fail(`nil data; no entry for key ${goQuoteString(name)}`);
      return undefined;
    }
    if (receiver === null) this.fail(`nil pointer evaluating interface {}.${name}`);
    if (receiver instanceof GoNil) this.fail(`nil pointer evaluating ${receiver.typeName}.${name}`);
    if (receiver instanceof GoStruct) {
      if (!receiver.members.has(name)) this.fail(`can't evaluate field ${name} in type ${receiver.goType}`);
      if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
      const value = receiver.members.get(name);
      return value === undefined ? null : value;
    }
    if (kindOf(receiver) === 'map') {
      if (hasArgs) this.fail(`${name} is not a method but has arguments`);
      const present = receiver instanceof Map ? receiver.has(name) : Object.hasOwn(receiver as object, name);
      if (present) {
        const value = receiver instanceof Map ? receiver.get(name) : (receiver as Record<string, unknown>)[name];
        return value === undefined ? null : value;
      }
      switch (this.missingKey) {
        case 'error':
          return this.fail(`map has no entry for key ${goQuoteString(name)}`);
        case 'zero':
          return null;
        default:
          return undefined;
      }
    }
    const typeName = receiverIsInterface ? 'interface {}' : goTypeName(receiver);
    return this.fail(`can't evaluate field ${name} in type ${typeName}`);
  }

  /** Evaluates an argument for a typed parameter: literals must match the type, other values must be assignable. */
  private evalTypedArg(dot: unknown, n: ArgNode, type: ParamType): unknown {
    if (type === 'any') return this.evalArg(dot, n);
    this.node = n;
    const goType = GO_PARAM_TYPES[type];
    switch (n.type) {
      case 'nil':
        if (type === '[]string' || type === '[]interface {}' || type === 'map') return null;
        return this.fail(`cannot assign nil to ${goType}`);
      case 'string':
        if (type === 'string') return n.text;
        return this.fail(`expected ${LITERAL_WORDS[type]}; found ${formatNode(n)}`);
      case 'number':
        if (type === 'int' && n.isInt) return this.idealConstant(n);
        return this.fail(`expected ${LITERAL_WORDS[type]}; found ${formatNode(n)}`);
      case 'bool':
        if (type === 'bool') return n.value;
        return this.fail(`expected ${LITERAL_WORDS[type]}; found ${formatNode(n)}`);
      default: {
        return this.validateType(this.evalArg(dot, n), type);
      }
    }
  }

  /** Go's validateType for a value passed to a typed parameter. */
  private validateType(value: unknown, type: ParamType): unknown {
    if (type === 'any') return value;
    const goType = GO_PARAM_TYPES[type];
    if (value === undefined) {
      if (type === '[]string' || type === '[]interface {}' || type === 'map') return null;
      return this.fail(`invalid value; expected ${goType}`);
    }
    const ok =
      (type === 'string' && typeof value === 'string') ||
      (type === 'int' && kindOf(value) === 'int') ||
      (type === 'bool' && typeof value === 'boolean') ||
      (type === '[]string' && isStringSlice(value)) ||
      (type === '[]interface {}' && Array.isArray(value) && !isStringSlice(value)) ||
      (type === 'map' && kindOf(value) === 'map');
    if (ok) return value;
    return this.fail(
      `wrong type for value; expected ${goType}; got ${value === null ? 'interface {}' : goTypeName(value)}`,
    );
  }

  /** Calls a method of a Go value (GoObject) with the command's remaining arguments. */
  private callMethod(dot: unknown, receiver: GoObject, name: string, args: readonly ArgNode[], final: Final): unknown {
    const method = receiver.methods[name];
    if (method === undefined) return this.fail(`can't evaluate field ${name} in type ${receiver.typeName}`);
    const node = this.node;
    const values = args.slice(1).map((a) => this.evalArg(dot, a));
    if (final !== MISSING) values.push(final);
    this.node = node;
    if (values.length !== method.params) {
      this.fail(`wrong number of args for ${name}: want ${method.params} got ${values.length}`);
    }
    try {
      return method.fn(...values);
    } catch (err) {
      return this.fail(`error calling ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Evaluates one argument node the way Go does for an interface{} parameter. */
  private evalArg(dot: unknown, n: ArgNode): unknown {
    this.node = n;
    switch (n.type) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.evalFieldNode(dot, n, [n], MISSING);
      case 'variable':
        return this.evalVariableNode(dot, n, [n], MISSING);
      case 'pipe':
        return this.evalPipeline(dot, n);
      case 'identifier':
        return this.evalFunction(dot, n, n, [n], MISSING);
      case 'chain':
        return this.evalChainNode(dot, n, [n], MISSING);
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
    }
  }

  private evalFunction(
    dot: unknown,
    ident: IdentifierNode,
    cmd: Node,
    args: readonly ArgNode[],
    final: Final,
  ): unknown {
    this.node = ident;
    const name = ident.ident;
    const custom = Object.hasOwn(this.funcs, name) ? this.funcs[name] : undefined;
    const builtin = BUILTINS[name];
    const signature = custom ?? builtin;
    if (signature === undefined) return this.fail(`${goQuoteString(name)} is not a defined function`);
    const argNodes = args.slice(1);
    const numIn = argNodes.length + (final === MISSING ? 0 : 1);
    if (signature.variadic) {
      if (numIn < signature.params) {
        this.fail(`wrong number of args for ${name}: want at least ${signature.params} got ${argNodes.length}`);
      }
    } else if (numIn !== signature.params) {
      this.fail(`wrong number of args for ${name}: want ${signature.params} got ${numIn}`);
    }
    // and/or evaluate their arguments lazily and return the deciding one.
    if (custom === undefined && (name === 'and' || name === 'or')) {
      let value: unknown;
      for (const a of argNodes) {
        value = this.evalArg(dot, a);
        if (isTrue(value) === (name === 'or')) return value;
      }
      if (final !== MISSING) value = final;
      return value;
    }
    if (custom === undefined && name === 'printf') {
      const format = argNodes[0] ?? undefined;
      if (format?.type === 'number' || format?.type === 'bool' || format?.type === 'nil') {
        this.node = format;
        this.fail(`expected string; found ${formatNode(format)}`);
      }
    }
    const typeOf = (i: number): ParamType => {
      const types = custom?.types;
      if (types === undefined || types.length === 0) return 'any';
      return types[Math.min(i, types.length - 1)] ?? 'any';
    };
    const values = argNodes.map((a, i) => this.evalTypedArg(dot, a, typeOf(i)));
    // Like Go, a type error in the piped value points at the last node evaluated.
    if (final !== MISSING) {
      values.push(this.validateType(final, typeOf(values.length)));
    }
    if (custom === undefined && name === 'printf' && typeof values[0] !== 'string') {
      this.node = argNodes[0] ?? ident;
      this.fail(`wrong type for value; expected string; got ${goTypeName(values[0])}`);
    }
    try {
      return custom ? custom.fn(...values) : callBuiltin(name, values);
    } catch (err) {
      this.node = cmd;
      const message = err instanceof Error ? err.message : String(err);
      return this.fail(`error calling ${name}: ${message}`);
    }
  }
}

/** Go's truth: false, 0, nil, and empty strings, slices and maps are false. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'nil':
      return false;
    case 'bool':
      return v as boolean;
    case 'int':
      return toBigInt(v) !== 0n;
    case 'float':
      return toFloat(v) !== 0;
    case 'string':
      return stringOf(v).length > 0;
    case 'slice':
      return (v as unknown[]).length > 0;
    case 'map':
      return mapSize(v) > 0;
    default:
      return true;
  }
}

const utf8 = new TextEncoder();

function callBuiltin(name: string, args: unknown[]): unknown {
  switch (name) {
    case 'not':
      return !isTrue(args[0]);
    case 'len':
      return builtinLen(args[0]);
    case 'index':
      return builtinIndex(args[0], args.slice(1));
    case 'slice':
      return builtinSlice(args[0], args.slice(1));
    case 'print':
      return sprint(args);
    case 'printf':
      return sprintf(args[0] as string, args.slice(1));
    case 'println':
      return sprintln(args);
    case 'eq':
      return eq(args[0], args.slice(1));
    case 'ne':
      return !eq(args[0], [args[1]]);
    case 'lt':
      return lessThan(args[0], args[1]);
    case 'le':
      return lessThan(args[0], args[1]) || eq(args[0], [args[1]]);
    case 'gt':
      return !(lessThan(args[0], args[1]) || eq(args[0], [args[1]]));
    case 'ge':
      return !lessThan(args[0], args[1]);
    case 'html':
      return htmlEscape(evalArgs(args));
    case 'js':
      return jsEscape(evalArgs(args));
    case 'urlquery':
      return queryEscape(evalArgs(args));
    case 'call':
      return builtinCall(args[0], args.slice(1));
    default:
      throw new Error(`unknown builtin ${name}`);
  }
}

function builtinLen(item: unknown): number {
  switch (kindOf(item)) {
    case 'string':
      return utf8.encode(stringOf(item)).length; // Go's len counts bytes
    case 'slice':
      return (item as unknown[]).length;
    case 'map':
      return mapSize(item);
    case 'nil':
      // Go's len reaches reflect with a zero Value here.
      throw new Error('reflect: call of reflect.Value.Type on zero Value');
    default:
      throw new Error(`len of type ${goTypeName(item)}`);
  }
}

function indexArg(index: unknown, cap: number): number {
  const kind = kindOf(index);
  if (kind === 'nil') throw new Error('cannot index slice/array with nil');
  if (kind !== 'int') throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
  const x = toBigInt(index);
  if (x < 0n || x > BigInt(cap)) throw new Error(`index out of range: ${x}`);
  return Number(x);
}

function builtinIndex(item: unknown, indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('index of untyped nil');
  let current: unknown = item;
  for (const index of indexes) {
    if (current === null || current === undefined) throw new Error('index of nil pointer');
    const kind = kindOf(current);
    if (kind === 'slice' || kind === 'string') {
      const bytes = kind === 'string' ? utf8.encode(stringOf(current)) : undefined;
      const length = bytes ? bytes.length : (current as unknown[]).length;
      const x = indexArg(index, length);
      // indexArg accepts x == len (as Go's does); reflect then panics.
      if (x === length) throw new Error(`reflect: ${kind} index out of range`);
      current = bytes ? bytes[x] : (current as unknown[])[x];
    } else if (kind === 'map') {
      if (typeof index !== 'string') {
        throw new Error(`value has type ${goTypeName(index)}; should be string`);
      }
      const key = index as string;
      const value = current instanceof Map ? current.get(key) : (current as Record<string, unknown>)[key];
      current = value === undefined ? null : value;
    } else {
      throw new Error(`can't index item of type ${goTypeName(current)}`);
    }
  }
  return current;
}

function builtinSlice(item: unknown, indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  const kind = kindOf(item);
  if (kind === 'string' && indexes.length === 3) throw new Error('cannot 3-index slice a string');
  if (kind !== 'string' && kind !== 'slice') throw new Error(`can't slice item of type ${goTypeName(item)}`);
  const bytes = kind === 'string' ? utf8.encode(stringOf(item)) : undefined;
  const length = bytes ? bytes.length : (item as unknown[]).length;
  const idx = [0, length, length];
  indexes.forEach((index, i) => {
    // Unlike index, Go's slice does not unwrap interface arguments, so a nil shows its static type.
    if (isNilValue(index)) throw new Error('cannot index slice/array with type interface {}');
    idx[i] = indexArg(index, length);
  });
  const [from = 0, to = 0, max = 0] = idx;
  if (from > to) throw new Error(`invalid slice index: ${from} > ${to}`);
  if (indexes.length === 3 && to > max) throw new Error(`invalid slice index: ${to} > ${max}`);
  return bytes ? new TextDecoder().decode(bytes.slice(from, to)) : (item as unknown[]).slice(from, to);
}

type BasicKind = 'invalid' | 'bool' | 'int' | 'float' | 'string';

const basicKind = (v: unknown): BasicKind => {
  const kind: Kind = kindOf(v);
  return kind === 'bool' || kind === 'int' || kind === 'float' || kind === 'string' ? kind : 'invalid';
};

const isNilValue = (v: unknown): boolean => v === null || v === undefined;

function eq(arg1: unknown, rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (!isNilValue(arg1) && !isNilValue(arg)) {
        throw new Error(`incompatible types for comparison: ${goTypeName(arg1)} and ${goTypeName(arg)}`);
      }
    } else {
      switch (k1) {
        case 'bool':
          truth = arg1 === arg;
          break;
        case 'string':
          truth = stringOf(arg1) === stringOf(arg);
          break;
        case 'int':
          truth = toBigInt(arg1) === toBigInt(arg);
          break;
        case 'float':
          truth = toFloat(arg1) === toFloat(arg);
          break;
        default:
          if (isNilValue(arg1) || isNilValue(arg)) truth = isNilValue(arg1) === isNilValue(arg);
          else if (goTypeName(arg1) !== goTypeName(arg)) {
            throw new Error(
              `non-comparable types ${sprintf('%s', [arg1])}: ${goTypeName(arg1)}, ${goTypeName(arg)}: ${formatValue(arg)}`,
            );
          } else if (kindOf(arg) === 'slice' || kindOf(arg) === 'map') {
            throw new Error(`non-comparable type ${sprintf('%s', [arg])}: ${goTypeName(arg)}`);
          } else truth = arg1 === arg;
      }
    }
    if (truth) return true;
  }
  return false;
}

function lessThan(arg1: unknown, arg2: unknown): boolean {
  const k1 = basicKind(arg1);
  const k2 = basicKind(arg2);
  if (k1 === 'invalid' || k2 === 'invalid') throw new Error('invalid type for comparison');
  if (k1 !== k2) throw new Error(`incompatible types for comparison: ${goTypeName(arg1)} and ${goTypeName(arg2)}`);
  switch (k1) {
    case 'bool':
      throw new Error('invalid type for comparison');
    case 'int':
      return toBigInt(arg1) < toBigInt(arg2);
    case 'float':
      return toFloat(arg1) < toFloat(arg2);
    default:
      return stringOf(arg1) < stringOf(arg2);
  }
}

function builtinCall(fn: unknown, args: unknown[]): unknown {
  if (fn === null || fn === undefined) throw new Error('call of nil');
  if (typeof fn === 'function') return fn(...args);
  if (typeof fn === 'object' && fn !== null && 'fn' in fn && typeof fn.fn === 'function') return fn.fn(...args);
  throw new Error(`non-function of type ${goTypeName(fn)}`);
}

/** Go's evalArgs for html/js/urlquery: a lone string as is, else fmt.Sprint with <no value> for nil. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (isNilValue(a) ? '<no value>' : a)));
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '\0': '\uFFFD',
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
};

export const htmlEscape = (s: string): string => s.replace(/[\0"'&<>]/g, (c) => HTML_ESCAPES[c] ?? c);

const JS_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  '=': '\\u003D',
};

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    const mapped = JS_ESCAPES[ch];
    if (mapped !== undefined) out += mapped;
    else if (code < 0x20) out += `\\u00${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (code < 0x80 || /[\p{L}\p{N}\p{P}\p{S}\p{M}\p{Zs}]/u.test(ch)) out += ch;
    else out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const byte of utf8.encode(s)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
