// Loads a CommonJS dependency the first time it is used. The agent starts in every pod, and libraries that most
// configurations never touch (Handlebars, YAML) should not add to the time before the first render.
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

export function lazy<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= requireHere(specifier) as T;
    return loaded;
  };
}
