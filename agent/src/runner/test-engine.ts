// TEST ONLY: a small stand-in for the template engine (agent/src/template/engine.ts, owned by another helper),
// built on the existing Go template core with just `secret`, `secrets`, `pkiCert`, `file` and `env`. Runner tests use it
// until the real engine is merged; production code never imports this file.
import { type Dependency, dependencyKey, type PemBundle, type VaultSecretData } from '../template/dependencies.js';
import type { CompiledTemplate, RenderContext, RenderResult, TemplateSpec } from '../template/engine.js';
import { type FuncMap, renderTemplate } from '../template/exec.js';

const cleanPath = (p: unknown): string => {
  const path = String(p)
    .trim()
    .replace(/^\/+|\/+$/g, '');
  if (path === '') throw new Error('missing path');
  return path;
};

function pairs(args: readonly unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const s = String(a);
    if (s.trim() === '') continue;
    const i = s.indexOf('=');
    if (i < 0) throw new Error(`not k=v pair "${s}"`);
    out[s.slice(0, i).trim()] = s.slice(i + 1).trim();
  }
  return out;
}

/** The Go struct view of a secret (`.Data`, `.LeaseID`, …). */
const goSecret = (s: VaultSecretData) => ({
  RequestID: s.request_id,
  LeaseID: s.lease_id,
  LeaseDuration: s.lease_duration,
  Renewable: s.renewable,
  Data: s.data,
  Warnings: s.warnings,
  Auth: s.auth,
  WrapInfo: s.wrap_info,
});

const goPem = (b: PemBundle) => {
  const v: Record<string, unknown> = { Cert: b.cert, Key: b.key, CA: b.ca, CAChain: [...b.caChain] };
  v.Data = v;
  return v;
};

export function compileTestTemplate(spec: TemplateSpec): CompiledTemplate {
  return {
    spec,
    render(context: RenderContext): RenderResult {
      const used = new Map<string, Dependency>();
      const missing = new Map<string, Dependency>();
      const lookup = (d: Dependency): unknown => {
        const key = dependencyKey(d);
        if (!used.has(key)) used.set(key, d);
        const value = context.source.get(d);
        if (value === undefined) missing.set(key, d);
        return value;
      };
      const funcs: FuncMap = {
        secret: {
          params: 1,
          variadic: true,
          fn: (path: unknown, ...rest: unknown[]) => {
            const p = cleanPath(path);
            const d: Dependency =
              rest.length === 0 ? { kind: 'vault.read', path: p } : { kind: 'vault.write', path: p, data: pairs(rest) };
            const v = lookup(d) as VaultSecretData | undefined;
            return v === undefined ? null : goSecret(v);
          },
        },
        secrets: {
          params: 1,
          fn: (path: unknown) =>
            (lookup({ kind: 'vault.list', path: cleanPath(path) }) as string[] | undefined) ?? null,
        },
        pkiCert: {
          params: 1,
          variadic: true,
          fn: (path: unknown, ...rest: unknown[]) => {
            const v = lookup({
              kind: 'vault.pki',
              path: cleanPath(path),
              data: pairs(rest),
              destination: spec.destination,
            }) as PemBundle | undefined;
            return v === undefined ? null : goPem(v);
          },
        },
        file: {
          params: 1,
          fn: (path: unknown) => (lookup({ kind: 'file', path: String(path) }) as string | undefined) ?? '',
        },
        env: { params: 1, fn: (name: unknown) => context.env(String(name)) ?? '' },
      };
      const text = renderTemplate(spec.name, spec.text, null, {
        funcs,
        missingKey: spec.errorOnMissingKey ? 'error' : 'zero',
        leftDelim: spec.leftDelim,
        rightDelim: spec.rightDelim,
      });
      return {
        output: missing.size > 0 ? undefined : text,
        dependencies: [...used.values()],
        missing: [...missing.values()],
      };
    },
  };
}

/** A Go template spec with the usual defaults. */
export const goSpec = (destination: string, text: string): TemplateSpec => ({
  name: destination,
  text,
  language: 'go',
  destination,
});
