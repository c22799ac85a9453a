// What the stateful template functions need from one render pass (built by engine.ts).

import type { Dependency } from '../dependencies.js';

export interface FuncContext {
  /** Records `dependency` as used this pass and returns its data, or undefined (recorded missing) if not fetched. */
  use(dependency: Dependency): unknown;
  env(name: string): string | undefined;
  now(): Date;
  /** The template's destination file (pkiCert's cache). */
  readonly destination: string;
  /** When set, `file` and `writeToFile` may only touch paths inside it. */
  readonly sandboxPath?: string;
  /** Runs a `define`d template of the same file with `data` as dot. */
  executeTemplate(name: string, data: unknown): string;
}
