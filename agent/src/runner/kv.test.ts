import assert from 'node:assert/strict';
import { createLogger } from '../../../cli/log.js';
import { isDeletedKvV2, isKvV2, KvMounts, kvV2DataPath, kvV2ListPath, splitQuery } from './kv.js';

describe('runner KV v2 path handling (spec §3.1, §3.2)', () => {
  const dataCases = [
    { name: 'bare path gets data/', path: 'secret/devops', mount: 'secret/', want: 'secret/data/devops' },
    { name: 'nested path', path: 'secret/a/b/c', mount: 'secret/', want: 'secret/data/a/b/c' },
    { name: 'data/ kept', path: 'secret/data/devops', mount: 'secret/', want: 'secret/data/devops' },
    { name: 'metadata/ kept', path: 'secret/metadata/devops', mount: 'secret/', want: 'secret/metadata/devops' },
    { name: 'subkeys/ kept', path: 'secret/subkeys/devops', mount: 'secret/', want: 'secret/subkeys/devops' },
    { name: 'mount itself', path: 'secret', mount: 'secret/', want: 'secret/data' },
    {
      name: 'version query kept',
      path: 'secret/devops?version=2',
      mount: 'secret/',
      want: 'secret/data/devops?version=2',
    },
    { name: 'nested mount', path: 'team/kv/app', mount: 'team/kv/', want: 'team/kv/data/app' },
    { name: 'a key named data-x is not data/', path: 'secret/data-x', mount: 'secret/', want: 'secret/data/data-x' },
    { name: 'outside the mount unchanged', path: 'other/app', mount: 'secret/', want: 'other/app' },
  ];
  dataCases.forEach((c, i) => {
    it(`${String(i).padStart(3, '0')} read path: ${c.name}`, () => {
      assert.equal(kvV2DataPath(c.path, c.mount), c.want);
    });
  });

  const listCases = [
    { name: 'bare path gets metadata/', path: 'secret/apps', want: 'secret/metadata/apps' },
    { name: 'metadata/ kept', path: 'secret/metadata/apps', want: 'secret/metadata/apps' },
    { name: 'mount itself', path: 'secret', want: 'secret/metadata' },
  ];
  listCases.forEach((c, i) => {
    it(`${String(i).padStart(3, '0')} list path: ${c.name}`, () => {
      assert.equal(kvV2ListPath(c.path, 'secret/'), c.want);
    });
  });

  it('splits the query off', () => {
    assert.deepEqual(splitQuery('a/b?version=3'), { path: 'a/b', query: '?version=3' });
    assert.deepEqual(splitQuery('a/b'), { path: 'a/b', query: '' });
  });

  it('only kv with version 2 is KV v2', () => {
    assert.equal(isKvV2({ path: 'secret/', type: 'kv', version: '2' }), true);
    assert.equal(isKvV2({ path: 'kv/', type: 'kv', version: '1' }), false);
    assert.equal(isKvV2({ path: 'kv/', type: 'kv', version: '' }), false);
    assert.equal(isKvV2({ path: 'db/', type: 'database', version: '2' }), false);
    assert.equal(isKvV2(null), false);
  });

  it('a deletion_time in the past means deleted; empty or future does not', () => {
    const now = Date.parse('2024-01-02T00:00:00Z');
    const env = (deletion_time: string) => ({ data: { data: null, metadata: { deletion_time } } });
    assert.equal(isDeletedKvV2(env('2024-01-01T00:00:00Z'), now), true);
    assert.equal(isDeletedKvV2(env(''), now), false);
    assert.equal(isDeletedKvV2(env('2024-01-03T00:00:00Z'), now), false);
    assert.equal(isDeletedKvV2(null, now), false);
  });

  it('looks each path up once, and treats a failed lookup as "not KV v2" with a warning', async () => {
    const lines: string[] = [];
    const calls: string[] = [];
    const mounts = new KvMounts(
      {
        mountInfo: async (path) => {
          calls.push(path);
          if (path.startsWith('denied/')) throw new Error('Code: 403');
          return { path: 'secret/', type: 'kv', version: '2' };
        },
      },
      createLogger({ name: 'agent', level: 'info', format: 'standard', write: (l) => lines.push(l) }),
    );
    assert.deepEqual(await mounts.readPath('secret/app?version=1'), { path: 'secret/data/app?version=1', v2: true });
    assert.deepEqual(await mounts.readPath('secret/app'), { path: 'secret/data/app', v2: true });
    assert.equal(await mounts.listPath('secret/app'), 'secret/metadata/app');
    assert.deepEqual(calls, ['secret/app']);
    assert.deepEqual(await mounts.readPath('denied/x'), { path: 'denied/x', v2: false });
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? '',
      /\[WARN\] {2}agent: \(view\) failed to check if denied\/x is KVv2, assume not: Code: 403/,
    );
  });
  it('one lookup serves every path under the mount it named, also for lookups started while it was in flight', async () => {
    const calls: string[] = [];
    const mounts = new KvMounts(
      {
        mountInfo: async (path) => {
          calls.push(path);
          await new Promise((r) => setTimeout(r, 5));
          if (path.startsWith('denied/')) throw new Error('Code: 403');
          if (path.startsWith('team/a/')) return { path: 'team/a/', type: 'kv', version: '2' };
          if (path.startsWith('team/b/')) return { path: 'team/b/', type: 'kv', version: '1' };
          if (path.startsWith('ns1/')) return { path: 'secret/', type: 'kv', version: '2' }; // answered inside a namespace
          return { path: 'secret/', type: 'kv', version: '2' };
        },
      },
      createLogger({ name: 'agent', level: 'info', format: 'standard', write: () => undefined }),
    );
    const paths = Array.from({ length: 20 }, (_, i) => `secret/app/s${i}`);
    const read = await Promise.all(paths.map((p) => mounts.readPath(p)));
    assert.deepEqual(
      read.map((r) => r.path),
      paths.map((p) => p.replace('secret/', 'secret/data/')),
    );
    assert.deepEqual(calls, ['secret/app/s0'], 'twenty secrets on one mount: one lookup');
    assert.equal(await mounts.listPath('secret/other'), 'secret/metadata/other');
    assert.equal(calls.length, 1);
    // a sibling mount under the same first segment is looked up itself (Vault never nests mounts), then known
    assert.deepEqual(await mounts.readPath('team/b/x'), { path: 'team/b/x', v2: false });
    assert.deepEqual(await mounts.readPath('team/a/y'), { path: 'team/a/data/y', v2: true });
    assert.deepEqual(await mounts.readPath('team/a/z'), { path: 'team/a/data/z', v2: true });
    assert.deepEqual(calls.slice(1), ['team/b/x', 'team/a/y']);
    // refused lookups are never shared: each path under `denied/` asks for itself
    await Promise.all([mounts.readPath('denied/1'), mounts.readPath('denied/2')]);
    assert.deepEqual(calls.slice(3).sort(), ['denied/1', 'denied/2']);
    // an answer whose mount is not a prefix of the path (a namespace in the path) speaks only for that path
    assert.deepEqual(await mounts.readPath('ns1/secret/a'), { path: 'ns1/secret/a', v2: true });
    await mounts.readPath('ns1/secret/b');
    assert.deepEqual(calls.slice(5), ['ns1/secret/a', 'ns1/secret/b']);
  });
});
