import { readFileSync } from 'node:fs';

/** The package version, read once from the package.json that ships beside `dist/`. */
export function packageVersion(): string {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(raw) as { version?: unknown };
  if (typeof version !== 'string') throw new Error('package.json has no version string');
  return version;
}

/** What `vault-injector version` prints: one line, like `vault-k8s version`. */
export function versionLine(version: string, runtime: { node: string; platform: string; arch: string }): string {
  return `vault-injector v${version} (node ${runtime.node}, ${runtime.platform}/${runtime.arch})`;
}
