// The template engine entry point the agent's runner calls: compile once, render per pass against the runner's
// dependency cache. Go text/template (consul-template's language) and Handlebars share one function library.

import {
  type Dependency,
  type DependencySource,
  dependencyKey,
  JsonNumber,
  type VaultSecretData,
} from './dependencies.js';
import { execute, type MissingKey, TemplateExecError } from './exec.js';
import { formatValue, sprintf } from './fmt.js';
import type { FuncContext } from './funcs/context.js';
import { buildFuncs, FUNC_NAMES } from './funcs/index.js';
import { compileHandlebars } from './handlebars.js';
import { parse, TemplateParseError } from './parser.js';

export type TemplateLanguage = 'go' | 'handlebars';

export interface TemplateSpec {
  /** Name used in errors/logs: the destination, or "(dynamic)" style as the runner chooses. */
  readonly name: string;
  readonly text: string;
  readonly language: TemplateLanguage;
  readonly leftDelim?: string;
  readonly rightDelim?: string;
  /** Go: missingkey=error, else missingkey=zero. Handlebars: strict mode. */
  readonly errorOnMissingKey?: boolean;
  /** The file this template renders to (pkiCert reads it as its cache). */
  readonly destination: string;
  /** Glob patterns of function names that are refused (function_denylist). */
  readonly functionDenylist?: readonly string[];
  /** Restricts `file` and `writeToFile` to this directory (sandbox_path). */
  readonly sandboxPath?: string;
}

export interface RenderContext {
  readonly source: DependencySource;
  /** Environment lookup for env/mustEnv/envOrDefault. */
  readonly env: (name: string) => string | undefined;
  /** Clock for timestamp etc. */
  readonly now?: () => Date;
}

export interface RenderResult {
  /** The rendered bytes, or undefined when some dependency had no data yet (nothing may be written). */
  readonly output: string | undefined;
  /** Every dependency the template used this pass, in first-use order, de-duplicated by dependencyKey. */
  readonly dependencies: readonly Dependency[];
  /** The subset that had no data yet. */
  readonly missing: readonly Dependency[];
}

export interface CompiledTemplate {
  readonly spec: TemplateSpec;
  /** Runs the template once. Throws TemplateRenderError (message names the template and Go-style error). */
  render(context: RenderContext): RenderResult;
}

export class TemplateCompileError extends Error {
  override readonly name = 'TemplateCompileError';
}

export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
}

/**
 * Beyond consul-template (which only redacts each top-level value as a whole, so KV v2 values would leak), every
 * nested string or number of 3+ characters is redacted too.
 */
function collectLeaves(value: unknown, into: Set<string>): void {
  if (typeof value === 'string' || value instanceof JsonNumber) {
    const text = String(value);
    if (text.length >= 3) into.add(text);
  } else if (Array.isArray(value)) {
    for (const v of value) collectLeaves(v, into);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) collectLeaves(v, into);
  }
}

/** Tracks what one pass used; `use` is what the Vault/file functions call. */
class PassRecorder {
  readonly used = new Map<string, Dependency>();
  readonly missing = new Map<string, Dependency>();
  constructor(private readonly source: DependencySource) {}
  use = (dependency: Dependency): unknown => {
    const key = dependencyKey(dependency);
    if (!this.used.has(key)) this.used.set(key, dependency);
    const value = this.source.get(dependency);
    if (value === undefined) this.missing.set(key, dependency);
    return value;
  };
  /**
   * Error text with every value of every secret used this pass replaced by "[redacted]" (consul-template
   * redacts the same way: each top-level Data value as %v prints it).
   */
  redact(message: string): string {
    const secrets = new Set<string>();
    for (const dependency of this.used.values()) {
      if (dependency.kind !== 'vault.read' && dependency.kind !== 'vault.write') continue;
      const data = (this.source.get(dependency) as VaultSecretData | undefined)?.data;
      for (const value of Object.values(data ?? {})) {
        secrets.add(formatValue(value));
        collectLeaves(value, secrets);
      }
    }
    secrets.delete('');
    const ordered = [...secrets].sort((a, b) => b.length - a.length);
    let out = '';
    for (let i = 0; i < message.length; ) {
      const hit = ordered.find((s) => message.startsWith(s, i));
      if (hit === undefined) {
        out += message[i];
        i++;
      } else {
        out += '[redacted]';
        i += hit.length;
      }
    }
    return out;
  }

  result(output: string): RenderResult {
    return {
      output: this.missing.size > 0 ? undefined : output,
      dependencies: [...this.used.values()],
      missing: [...this.missing.values()],
    };
  }
}

/** The per-pass function context; `executeTemplate` is bound by the language. */
function passContext(
  spec: TemplateSpec,
  context: RenderContext,
  recorder: PassRecorder,
  executeTemplate: (name: string, data: unknown) => string,
): FuncContext {
  return {
    use: recorder.use,
    env: context.env,
    now: context.now ?? (() => new Date()),
    destination: spec.destination,
    sandboxPath: spec.sandboxPath,
    executeTemplate,
  };
}

function compileGo(spec: TemplateSpec): CompiledTemplate {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(spec.name, spec.text, { leftDelim: spec.leftDelim, rightDelim: spec.rightDelim, funcs: FUNC_NAMES });
  } catch (err) {
    if (err instanceof TemplateParseError) throw new TemplateCompileError(err.message);
    throw err;
  }
  const missingKey: MissingKey = spec.errorOnMissingKey ? 'error' : 'zero';
  return {
    spec,
    render(context: RenderContext): RenderResult {
      const recorder = new PassRecorder(context.source);
      const funcs = buildFuncs(
        passContext(spec, context, recorder, (name, data) => {
          if (!parsed.trees.has(name)) {
            const quoted = (t: string): string => JSON.stringify(t);
            throw new Error(`template: no template ${quoted(name)} associated with template ${quoted(spec.name)}`);
          }
          return execute(parsed, data, { funcs, missingKey, templateName: name });
        }),
        spec.functionDenylist,
      );
      try {
        // consul-template executes with nil data.
        return recorder.result(execute(parsed, null, { funcs, missingKey }));
      } catch (err) {
        // consul-template passes the redacted text to fmt.Errorf as the format, so "%" sequences are re-read.
        if (err instanceof TemplateExecError) throw new TemplateRenderError(sprintf(recorder.redact(err.message), []));
        throw err;
      }
    },
  };
}

/** Parses once; throws TemplateCompileError with a Go-style message (e.g. `template: NAME:1: unexpected "}" in operand`). */
export function compileTemplate(spec: TemplateSpec): CompiledTemplate {
  const language = spec.language ?? 'go';
  if (language === 'go') return compileGo(spec);
  if (language === 'handlebars') {
    return compileHandlebars(spec, {
      compileError: (m) => new TemplateCompileError(m),
      renderError: (m) => new TemplateRenderError(m),
      run: (context, body) => {
        const recorder = new PassRecorder(context.source);
        const ctx = passContext(spec, context, recorder, () => {
          throw new Error('executeTemplate is not available in Handlebars templates (use partials)');
        });
        try {
          return recorder.result(body(buildFuncs(ctx, spec.functionDenylist)));
        } catch (err) {
          if (err instanceof TemplateRenderError) throw new TemplateRenderError(recorder.redact(err.message));
          throw err;
        }
      },
    });
  }
  throw new TemplateCompileError(`template: ${spec.name}: unknown template language ${JSON.stringify(language)}`);
}
