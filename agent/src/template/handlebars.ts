// The Handlebars language: the same function library as Go templates, exposed as Handlebars helpers, so
// `{{#with (secret "secret/data/x")}}{{Data.data.token}}{{/with}}` works. Output is never HTML-escaped.

import type HandlebarsModule from 'handlebars';
import { lazy } from '../lazy.js';
import type { CompiledTemplate, RenderContext, RenderResult, TemplateSpec } from './engine.js';
import type { FuncMap, TemplateFunc } from './exec.js';
import { goTypeName, isStringSlice } from './fmt.js';
import { FUNC_NAMES } from './funcs/index.js';

/** Helpers that only make sense in Go templates (they take a Go template name or return a method-bearing value). */
const GO_ONLY = new Set(['executeTemplate', 'scratch']);

export interface HandlebarsHooks {
  readonly compileError: (message: string) => Error;
  readonly renderError: (message: string) => Error;
  /** Runs `body` with the pass's function map and turns its output into a RenderResult. */
  readonly run: (context: RenderContext, body: (funcs: FuncMap) => string) => RenderResult;
}

const handlebars = lazy<typeof HandlebarsModule>('handlebars');

/** The Go parameter checks the Go executor applies, for values coming from Handlebars. */
function checkArgs(name: string, f: TemplateFunc, args: unknown[]): void {
  const fixed = f.params;
  if (f.variadic ? args.length < fixed : args.length !== fixed) {
    throw new Error(
      `wrong number of args for ${name}: want ${f.variadic ? 'at least ' : ''}${fixed} got ${args.length}`,
    );
  }
  const types = f.types ?? [];
  args.forEach((arg, i) => {
    const type = types.length === 0 ? 'any' : types[Math.min(i, types.length - 1)];
    const ok =
      type === 'any' ||
      type === undefined ||
      (type === 'string' && typeof arg === 'string') ||
      (type === 'int' && Number.isSafeInteger(arg)) ||
      (type === 'bool' && typeof arg === 'boolean') ||
      (type === '[]string' && (isStringSlice(arg) || arg === null)) ||
      (type === '[]interface {}' && ((Array.isArray(arg) && !isStringSlice(arg)) || arg === null)) ||
      (type === 'map' && typeof arg === 'object' && !Array.isArray(arg));
    if (!ok) {
      const got = arg === undefined || arg === null ? 'interface {}' : goTypeName(arg);
      const goType = type === 'map' ? 'map[string]interface {}' : type;
      throw new Error(`wrong type for value; expected ${goType}; got ${got}`);
    }
  });
}

export function compileHandlebars(spec: TemplateSpec, hooks: HandlebarsHooks): CompiledTemplate {
  try {
    handlebars().parse(spec.text);
  } catch (err) {
    throw hooks.compileError(`template: ${spec.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const env = handlebars().create();
  // The function map of the pass being rendered; helpers are registered once and read it.
  let current: FuncMap | undefined;
  for (const name of FUNC_NAMES) {
    if (GO_ONLY.has(name)) continue;
    env.registerHelper(name, (...all: unknown[]) => {
      const args = all.slice(0, -1).map((a) => (a === undefined ? null : a));
      const f = current?.[name];
      if (f === undefined) throw new Error(`function ${name} is not available`);
      try {
        checkArgs(name, f, args);
        return f.fn(...args);
      } catch (err) {
        throw new HelperError(`error calling ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }
  const template = env.compile(spec.text, { noEscape: true, strict: spec.errorOnMissingKey === true });
  return {
    spec,
    render(context: RenderContext): RenderResult {
      return hooks.run(context, (funcs) => {
        current = funcs;
        try {
          return template(null);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          throw hooks.renderError(`template: ${spec.name}: ${message}`);
        } finally {
          current = undefined;
        }
      });
    },
  };
}

class HelperError extends Error {
  override readonly name = 'HelperError';
}
