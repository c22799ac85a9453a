// Functions that look outside the template: env, file, writeToFile, timestamp; and the per-template helpers
// executeTemplate and scratch. Only writeToFile does I/O itself (as in consul-template); `file` goes through the
// runner's dependency cache.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempPathBeside } from '../../temp-path.js';
import type { FuncMap } from '../exec.js';
import { GoObject, kindOf, sortedEntries } from '../fmt.js';
import type { FuncContext } from './context.js';
import { formatGoTime } from './golayout.js';

/** Refuses paths outside the sandbox directory (after resolving `..`). */
export function checkSandbox(sandboxPath: string | undefined, target: string): void {
  if (sandboxPath === undefined || sandboxPath === '') return;
  const root = path.resolve(sandboxPath);
  const resolved = path.resolve(root, target);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) {
    throw new Error(`'${target}' is outside of sandbox`);
  }
}

/** A user or group given by name (looked up in /etc/passwd or /etc/group) or by numeric id. */
function resolveId(kind: 'user' | 'group', name: string): number | undefined {
  if (name === '') return undefined;
  if (/^\d+$/.test(name)) return Number(name);
  const file = kind === 'user' ? '/etc/passwd' : '/etc/group';
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    // No database: only numeric ids can be resolved.
  }
  for (const line of text.split('\n')) {
    const [entry, , id] = line.split(':');
    if (entry === name && id !== undefined && /^\d+$/.test(id)) return Number(id);
  }
  throw new Error(`unknown ${kind} ${JSON.stringify(name)}`);
}

function refuseSymlink(p: string): void {
  try {
    if (fs.lstatSync(p).isSymbolicLink()) throw new Error(`refusing to write through symlink ${JSON.stringify(p)}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** consul-template's writeToFile: path user group perms [flags] content; returns "". */
export function writeToFile(sandboxPath: string | undefined, args: readonly string[]): string {
  const [target = '', user = '', group = '', permissions = '', ...rest] = args;
  if (rest.length < 1 || rest.length > 2)
    throw new Error('writeToFile: wrong number of args; want path user group perms [flags] content');
  const [flags, content] = rest.length === 1 ? ['', rest[0]!] : [rest[0]!, rest[1]!];
  if (target === '') throw new Error('writeToFile: empty path');
  checkSandbox(sandboxPath, target);
  if (!/^[0-7]{1,4}$/.test(permissions))
    throw new Error(`writeToFile: invalid permissions ${JSON.stringify(permissions)}`);
  const mode = Number.parseInt(permissions, 8);
  const body = flags.includes('newline') ? `${content}\n` : content;
  const dir = path.dirname(target);
  refuseSymlink(dir);
  fs.mkdirSync(dir, { recursive: true });
  refuseSymlink(target);
  if (flags.includes('append')) {
    fs.appendFileSync(target, body, { mode });
  } else {
    const temp = tempPathBeside(target);
    try {
      fs.writeFileSync(temp, body, { mode, flag: 'wx' });
      fs.chmodSync(temp, mode);
      fs.renameSync(temp, target);
    } catch (err) {
      fs.rmSync(temp, { force: true });
      throw err;
    }
  }
  const uid = resolveId('user', user);
  const gid = resolveId('group', group);
  if (uid !== undefined || gid !== undefined) fs.chownSync(target, uid ?? -1, gid ?? -1);
  return '';
}

/** consul-template's Scratch: a per-template key/value store with map-valued entries. */
function newScratch(): GoObject {
  const values = new Map<string, unknown>();
  const mapAt = (key: string): Map<string, unknown> => {
    const existing = values.get(key);
    if (existing instanceof Map) return existing;
    const fresh = new Map<string, unknown>();
    values.set(key, fresh);
    return fresh;
  };
  return new GoObject('*template.Scratch', {
    Key: { params: 1, fn: (k) => values.has(String(k)) },
    Get: { params: 1, fn: (k) => values.get(String(k)) ?? null },
    Set: {
      params: 2,
      fn: (k, v) => {
        values.set(String(k), v);
        return '';
      },
    },
    SetX: {
      params: 2,
      fn: (k, v) => {
        if (!values.has(String(k))) values.set(String(k), v);
        return '';
      },
    },
    MapSet: {
      params: 3,
      fn: (k, mk, v) => {
        mapAt(String(k)).set(String(mk), v);
        return '';
      },
    },
    MapSetX: {
      params: 3,
      fn: (k, mk, v) => {
        const m = mapAt(String(k));
        if (!m.has(String(mk))) m.set(String(mk), v);
        return '';
      },
    },
    MapValues: {
      params: 1,
      fn: (k) => {
        const m = values.get(String(k));
        return kindOf(m) === 'map' ? sortedEntries(m).map(([, v]) => v) : [];
      },
    },
  });
}

export function systemFuncs(ctx: FuncContext): FuncMap {
  const scratch = newScratch();
  return {
    env: { params: 1, types: ['string'], fn: (name) => ctx.env(name as string) ?? '' },
    mustEnv: {
      params: 1,
      types: ['string'],
      fn: (name) => {
        const value = ctx.env(name as string) ?? '';
        if (value === '') throw new Error(`required environment variable ${name as string} is empty`);
        return value;
      },
    },
    envOrDefault: {
      params: 2,
      types: ['string', 'string'],
      fn: (name, fallback) => ctx.env(name as string) ?? fallback,
    },
    file: {
      params: 1,
      types: ['string'],
      fn: (raw) => {
        if (raw === '') return '';
        const p = (raw as string).trim();
        checkSandbox(ctx.sandboxPath, p);
        const value = ctx.use({ kind: 'file', path: p });
        return value === undefined ? '' : value;
      },
    },
    writeToFile: {
      params: 4,
      variadic: true,
      types: ['string'],
      fn: (...args) => writeToFile(ctx.sandboxPath, args as string[]),
    },
    timestamp: {
      params: 0,
      variadic: true,
      types: ['string'],
      fn: (...args) => {
        const now = ctx.now();
        if (args.length > 1) throw new Error(`timestamp: wrong number of args; want 0 or 1, got ${args.length}`);
        const layout = (args[0] as string | undefined) ?? '2006-01-02T15:04:05Z07:00';
        if (layout === 'unix') return String(Math.floor(now.getTime() / 1000));
        return formatGoTime(now, layout);
      },
    },
    executeTemplate: {
      params: 1,
      variadic: true,
      types: ['string', 'any'],
      fn: (name, ...data) => {
        if (data.length > 1)
          throw new Error(`executeTemplate: wrong number of arguments, expected 1 or 2, but got ${data.length + 1}`);
        return ctx.executeTemplate(name as string, data[0] ?? null);
      },
    },
    scratch: { params: 0, fn: () => scratch },
  };
}
