/**
 * HCL configuration files → plain objects, through @cdktn/hcl2json (HashiCorp's hcl/v2 parser compiled to
 * WebAssembly; the maintained fork of @cdktf/hcl2json). Blocks come back as lists of objects and labelled
 * blocks as `{label: [body]}`; load-normalise.ts accepts those shapes beside the JSON ones.
 *
 * Vault reads its config with HCL 1, which HCL 2 differs from in ways that matter here:
 * - `0640` and `0x1F` are octal and hex integers in HCL 1; HCL 2 has neither (`0640` would silently become
 *   six hundred and forty, a wrong sink mode);
 * - strings are literal in HCL 1, while HCL 2 treats `${…}` and `%{…}` in strings and heredocs as template
 *   syntax (reformatting them, or failing on text such as `%{ b`), which template `contents` can hold.
 * `toHcl2` rewrites the numbers to decimal and escapes `${` / `%{` in strings and heredocs before parsing;
 * `fromHcl2` undoes the escapes in the result and rejects the one thing left that HCL 1 refuses: an unquoted
 * expression (`role = app`), which hcl2json would hand back as the text "${app}".
 *
 * The parser runs in a short-lived child process (hcl-worker.ts): it costs ~0.3 s and ~90 MB that its WASM
 * runtime never gives back, so the agent itself keeps none of it. The injected JSON (VAULT_CONFIG) never pays.
 */

import { fileURLToPath } from 'node:url';
import { childProcess } from '../builtins.js';
import { AgentConfigError } from './load-errors.js';

/** HCL 2 text → JSON-like value, parsed in a child process (see hcl-worker.ts); rejects with the parser's message. */
function parseInChild(filename: string, contents: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = childProcess().execFile(
      process.execPath,
      [fileURLToPath(new URL('./hcl-worker.js', import.meta.url))],
      { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout) => {
        let answer: { ok: boolean; value?: Record<string, unknown>; message?: string } | undefined;
        try {
          answer = JSON.parse(stdout) as typeof answer;
        } catch {
          answer = undefined;
        }
        if (answer?.ok && answer.value) resolve(answer.value);
        else reject(new Error(answer?.message ?? `the HCL parser failed: ${error?.message ?? 'no answer'}`));
      },
    );
    child.stdin?.end(JSON.stringify({ filename, contents }));
  });
}

/** Parses one HCL document; `source` names it in errors. */
export async function parseHcl(text: string, source: string): Promise<Record<string, unknown>> {
  let parsed: Record<string, unknown>;
  try {
    parsed = await parseInChild(source, toHcl2(text));
  } catch (error) {
    const detail = String((error as Error)?.message ?? error).replace(/^parse config: /, '');
    throw new AgentConfigError('CONFIG_SYNTAX', `invalid HCL: ${detail}`, undefined, source, { cause: error });
  }
  return fromHcl2(parsed, source) as Record<string, unknown>;
}

const IDENT = /[A-Za-z0-9_.-]/;

/** `${` → `$${` and `%{` → `%%{`: HCL 2's escapes for the literal text. */
const escapeTemplates = (body: string): string => body.replace(/([$%])\{/g, '$1$1{');

/**
 * HCL 1 source → HCL 2 source with the same meaning: octal/hex integer literals outside strings, heredocs and
 * comments become decimal (padded with spaces to the same length), and template openers inside strings and
 * heredocs are escaped. Pure.
 */
export function toHcl2(text: string): string {
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
      out += `"${escapeTemplates(text.slice(i + 1, j))}${text[j] ?? ''}`;
      i = j + 1;
    } else if (ch === '<' && next === '<') {
      const heredoc = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(text.slice(i));
      if (!heredoc) {
        out += ch;
        i += 1;
        continue;
      }
      const marker = new RegExp(`^[ \\t]*${heredoc[1]}[ \\t]*\\r?$`, 'm');
      const bodyStart = i + heredoc[0].length;
      const found = marker.exec(text.slice(bodyStart));
      const bodyEnd = found ? bodyStart + found.index : text.length;
      const stop = found ? bodyEnd + found[0].length : text.length;
      out += heredoc[0] + escapeTemplates(text.slice(bodyStart, bodyEnd)) + text.slice(bodyEnd, stop);
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

/**
 * Undoes `toHcl2`'s escapes in every string of hcl2json's result. hcl2json returns template text as written,
 * so an unescaped `${` can only come from an unquoted expression, which HCL 1 (and so Vault) rejects.
 */
export function fromHcl2(value: unknown, source: string, key = ''): unknown {
  if (typeof value === 'string') {
    if (/(^|[^$])\$\{/.test(value)) {
      throw new AgentConfigError(
        'CONFIG_SYNTAX',
        `invalid HCL: ${key || 'a value'} is an unquoted expression (${value.replace(/^\$\{|\}$/g, '')}); quote strings, e.g. "value"`,
        key || undefined,
        source,
      );
    }
    return value.replace(/([$%])\1\{/g, '$1{');
  }
  if (Array.isArray(value)) return value.map((v, i) => fromHcl2(v, source, `${key}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromHcl2(v, source, key ? `${key}.${k}` : k)]));
  }
  return value;
}
