// Runs HashiCorp's HCL parser (Go compiled to WebAssembly) in a child process: its runtime takes ~100 MB that never
// shrinks, and in a process of its own all of it goes back to the system when the process ends, so an agent reading
// an HCL ConfigMap stays well within the injector's default 128Mi memory limit.
// Input on stdin: {"filename","contents"}; output on stdout: {"ok":true,"value"} or {"ok":false,"message"}.
import { readFileSync } from 'node:fs';

type Hcl2Json = { parse(filename: string, contents: string): Promise<Record<string, unknown>> };

// A variable specifier keeps TypeScript from pulling the package's DOM-typed declarations into the build.
const PARSER_MODULE = '@cdktn/hcl2json';

const { filename, contents } = JSON.parse(readFileSync(0, 'utf8')) as { filename: string; contents: string };
let answer: string;
try {
  const m = (await import(PARSER_MODULE)) as Hcl2Json & { default?: Hcl2Json };
  const hcl = typeof m.parse === 'function' ? m : (m.default as Hcl2Json);
  answer = JSON.stringify({ ok: true, value: await hcl.parse(filename, contents) });
} catch (error) {
  answer = JSON.stringify({ ok: false, message: String((error as Error)?.message ?? error) });
}
// The Go runtime inside keeps the event loop alive; the answer is out, so end here.
process.stdout.write(answer, () => process.exit(0));
