/**
 * Loads the agent's configuration: `VAULT_CONFIG` (base64 JSON, what the injector sets) and/or `-config`
 * paths (files, or directories whose `*.hcl` / `*.json` files are read in name order), merged like Vault Agent
 * merges several `-config` flags. The only config module that does I/O; the rest is load-normalise.ts.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseHcl } from './hcl.js';
import { AgentConfigError } from './load-errors.js';
import { finaliseConfig, mergePartials, normaliseFile, type PartialAgentConfig } from './load-normalise.js';
import type { AgentConfig } from './load-types.js';

export interface LoadAgentConfigOptions {
  /** The process environment (read: VAULT_CONFIG, VAULT_LOG_LEVEL, VAULT_LOG_FORMAT, VAULT_AGENT_DISABLE_*). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `-config` values in command-line order; each a file or a directory. */
  readonly configPaths?: readonly string[];
  /** `-log-level` / `-log-format` flags, which beat VAULT_LOG_LEVEL / VAULT_LOG_FORMAT and the files. */
  readonly logLevelFlag?: string;
  readonly logFormatFlag?: string;
}

/**
 * VAULT_CONFIG comes first, then every `-config` path in order: later sources override single blocks and
 * scalars; templates and listeners from all sources add up.
 */
export async function loadAgentConfig(opts: LoadAgentConfigOptions): Promise<AgentConfig> {
  const parts: PartialAgentConfig[] = [];
  const encoded = opts.env.VAULT_CONFIG;
  if (encoded !== undefined && encoded.trim() !== '')
    parts.push(normaliseFile(decodeVaultConfig(encoded), 'VAULT_CONFIG'));
  for (const path of opts.configPaths ?? []) {
    for (const file of await configFiles(path)) parts.push(normaliseFile(await parseConfigFile(file), file));
  }
  if (parts.length === 0) {
    throw new AgentConfigError(
      'CONFIG_NONE',
      'no configuration: set VAULT_CONFIG (base64 JSON) or pass -config=<file or directory>',
    );
  }
  return finaliseConfig(mergePartials(parts), {
    env: opts.env,
    logLevelFlag: opts.logLevelFlag,
    logFormatFlag: opts.logFormatFlag,
  });
}

/** Standard base64 of JSON, as the injector writes it; plain JSON is accepted too (hand-written configs). */
export function decodeVaultConfig(value: string): unknown {
  const trimmed = value.trim();
  const text = trimmed.startsWith('{') ? trimmed : Buffer.from(trimmed, 'base64').toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AgentConfigError(
      'CONFIG_SYNTAX',
      `VAULT_CONFIG is not base64-encoded JSON: ${(error as Error).message}`,
      undefined,
      'VAULT_CONFIG',
      { cause: error },
    );
  }
}

async function configFiles(path: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new AgentConfigError(
      'CONFIG_READ',
      `cannot read -config path: ${(error as Error).message}`,
      undefined,
      path,
      {
        cause: error,
      },
    );
  }
  if (!info.isDirectory()) return [path];
  // Vault's LoadConfigDir: regular *.hcl and *.json files directly inside, skipping hidden and editor backups.
  const entries = (await readdir(path, { withFileTypes: true }))
    .filter((e) => e.isFile() && !e.name.startsWith('.') && !e.name.endsWith('~'))
    .filter((e) => ['.hcl', '.json'].includes(extname(e.name).toLowerCase()))
    .map((e) => join(path, e.name))
    .sort();
  return entries;
}

async function parseConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AgentConfigError('CONFIG_READ', `cannot read config file: ${(error as Error).message}`, undefined, file, {
      cause: error,
    });
  }
  // Vault decides by extension: `.json` is JSON, everything else HCL.
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new AgentConfigError('CONFIG_SYNTAX', `invalid JSON: ${(error as Error).message}`, undefined, file, {
        cause: error,
      });
    }
  }
  return parseHcl(text, file);
}
