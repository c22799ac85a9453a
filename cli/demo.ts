import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface DemoModule {
  runDemoCommand(argv: readonly string[], io: { out: (t: string) => void; err: (t: string) => void }): Promise<number>;
}

/** Where the demo is built in a source checkout (dist/cli/demo.js -> dist/e2e/demo/main.js). */
export const DEMO_MODULE = new URL('../e2e/demo/main.js', import.meta.url);

export const NOT_IN_PACKAGE =
  'vault-injector demo runs the local test bed (kube-apiserver, Vault, the pod runner), which is not part of the ' +
  'npm package: run it from a source checkout of vault-injector with `npm start`.\n';

/**
 * `vault-injector demo`: the test bed lives in e2e/ and is not shipped, so the module is looked up
 * at run time and its absence is a clear message rather than an import error.
 */
export async function runDemo(
  argv: readonly string[],
  io: { out: (t: string) => void; err: (t: string) => void },
  moduleUrl: URL = DEMO_MODULE,
): Promise<number> {
  if (!existsSync(fileURLToPath(moduleUrl))) {
    io.err(NOT_IN_PACKAGE);
    return 1;
  }
  const mod = (await import(moduleUrl.href)) as Partial<DemoModule>;
  if (typeof mod.runDemoCommand !== 'function') {
    io.err(`${fileURLToPath(moduleUrl)} has no runDemoCommand: rebuild with \`npm run build\`\n`);
    return 1;
  }
  return mod.runDemoCommand(argv, io);
}
