// The template engine's entry point: contract declarations only (helper h2 owns the implementation, which
// replaces this file at merge). The runner imports types from here; it never calls compileTemplate itself.
import type { Dependency, DependencySource } from './dependencies.js';

export type TemplateLanguage = 'go' | 'handlebars';

export interface TemplateSpec {
  /** Name used in errors/logs: the destination, or "(dynamic)" style as the runner chooses. */
  readonly name: string;
  readonly text: string;
  readonly language: TemplateLanguage; // default 'go'
  readonly leftDelim?: string; // Go only; default "{{"
  readonly rightDelim?: string; // Go only; default "}}"
  readonly errorOnMissingKey?: boolean; // Go: missingkey=error, else missingkey=zero
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

/** Parses once; throws TemplateCompileError with a Go-style message (e.g. `template: NAME:1: unexpected "}" in operand`). */
export declare function compileTemplate(spec: TemplateSpec): CompiledTemplate;
export declare class TemplateCompileError extends Error {}
export declare class TemplateRenderError extends Error {}
