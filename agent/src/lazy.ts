// Loads a CommonJS dependency the first time it is used. The agent starts in every pod, and libraries that most
// configurations never touch (Handlebars, YAML) should not add to the time before the first render.

let requireHere: NodeJS.Require | undefined;

export function lazy<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => {
    requireHere ??= process.getBuiltinModule('node:module').createRequire(import.meta.url);
    loaded ??= requireHere(specifier) as T;
    return loaded;
  };
}
