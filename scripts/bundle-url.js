// Injected into dist/bundle/agent.cjs by scripts/bundle.mjs: the bundle's own file URL, which stands in for
// import.meta.url there (CommonJS has __filename; esbuild would otherwise leave import.meta empty).
export const bundleUrl = require('node:url').pathToFileURL(__filename).href;
