/**
 * HCL configuration files → plain objects, through @cdktn/hcl2json (HashiCorp's hcl/v2 parser compiled to
 * WebAssembly; the maintained fork of @cdktf/hcl2json). Blocks come back as lists of objects and labelled
 * blocks as `{label: [body]}`; load-normalise.ts accepts those shapes beside the JSON ones.
 *
 * Vault reads its config with HCL 1, where `0640` and `0x1F` are octal and hex integers; HCL 2 has neither
 * (`0640` would silently become six hundred and forty). `hcl1Numbers` rewrites those literals to decimal first,
 * keeping every other byte (and so every line:column in parser errors) where it was.
 *
 * The parser module is loaded on first use only: it costs ~0.5 s and ~90 MB of memory, which the injected
 * JSON configuration (VAULT_CONFIG) never pays.
 */
import { AgentConfigError } from './load-errors.js';

type Hcl2Json = { parse(filename: string, contents: string): Promise<Record<string, unknown>> };

// A variable specifier keeps TypeScript from pulling the package's DOM-typed declarations into the build.
// Node's module cache makes every later import() of it free.
const PARSER_MODULE = '@cdktn/hcl2json';

async function parser(): Promise<Hcl2Json> {
  const m = (await import(PARSER_MODULE)) as Hcl2Json & { default?: Hcl2Json };
  return typeof m.parse === 'function' ? m : (m.default as Hcl2Json);
}

/** Parses one HCL document; `source` names it in errors. */
export async function parseHcl(text: string, source: string): Promise<Record<string, unknown>> {
  const hcl = await parser();
  try {
    return await hcl.parse(source, hcl1Numbers(text));
  } catch (error) {
    const detail = String((error as Error)?.message ?? error).replace(/^parse config: /, '');
    throw new AgentConfigError('CONFIG_SYNTAX', `invalid HCL: ${detail}`, undefined, source, { cause: error });
  }
}

const IDENT = /[A-Za-z0-9_.-]/;

/**
 * Rewrites HCL 1 octal (`0640`) and hex (`0x1F`) integer literals outside strings, heredocs and comments to
 * their decimal value, padded with spaces to the same length. Pure.
 */
export function hcl1Numbers(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    const next = text[i + 1];
    if (ch === '#' || (ch === '/' && next === '/')) {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      out += text.slice(i, stop);
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop);
      i = stop;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '<' && next === '<') {
      const heredoc = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(text.slice(i));
      if (!heredoc) {
        out += ch;
        i += 1;
        continue;
      }
      const marker = new RegExp(`^[ \\t]*${heredoc[1]}[ \\t]*$`, 'm');
      const bodyStart = i + heredoc[0].length;
      const found = marker.exec(text.slice(bodyStart));
      const stop = found ? bodyStart + found.index + found[0].length : text.length;
      out += text.slice(i, stop);
      i = stop;
    } else if (ch === '0' && !IDENT.test(text[i - 1] ?? ' ')) {
      const literal = /^0(?:[xX][0-9a-fA-F]+|[0-7]+)(?![A-Za-z0-9_.])/.exec(text.slice(i));
      if (literal) {
        const digits = literal[0];
        const value = /^0[xX]/.test(digits) ? Number.parseInt(digits.slice(2), 16) : Number.parseInt(digits, 8);
        out += String(value).padEnd(digits.length, ' ');
        i += digits.length;
      } else {
        out += ch;
        i += 1;
      }
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}
