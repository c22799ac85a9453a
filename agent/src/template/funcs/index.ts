// The full consul-template function map for one render pass, with function_denylist applied.

import type { FuncMap, TemplateFunc } from '../exec.js';
import { COLLECTION_FUNCS } from './collections.js';
import type { FuncContext } from './context.js';
import { ENCODE_FUNCS } from './encode.js';
import { SPRIG_FUNCS } from './sprig.js';
import { STRING_FUNCS } from './strings.js';
import { systemFuncs } from './system.js';
import { vaultFuncs } from './vault.js';

export type { FuncContext } from './context.js';

/** consul-template's replacement for a denied function: callable with anything, always an error. */
const DENIED: TemplateFunc = {
  params: 0,
  variadic: true,
  fn: () => {
    throw new Error('function is disabled');
  },
};

/** function_denylist patterns are globs over function names (`*` any run, `?` one character). */
export function globMatches(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(name);
}

export function buildFuncs(ctx: FuncContext, denylist: readonly string[] = []): FuncMap {
  const all: Record<string, TemplateFunc> = {
    ...STRING_FUNCS,
    ...COLLECTION_FUNCS,
    ...ENCODE_FUNCS,
    ...systemFuncs(ctx),
    ...vaultFuncs(ctx),
    ...SPRIG_FUNCS,
  };
  for (const name of Object.keys(all)) {
    if (denylist.some((pattern) => globMatches(pattern, name))) all[name] = DENIED;
  }
  return all;
}

/** Every function name a template may call besides Go's built-ins (for the parser). */
export const FUNC_NAMES: readonly string[] = Object.freeze(
  Object.keys(
    buildFuncs({
      use: () => undefined,
      env: () => undefined,
      now: () => new Date(0),
      destination: '',
      executeTemplate: () => '',
    }),
  ),
);
