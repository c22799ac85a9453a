import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../cli/log.js';
import { AuthError } from './errors.js';
import { FileSink, fileModeString, parseSinkMode } from './sink.js';
import { SinkServer, sinkRetryMs } from './sink-server.js';

function capture() {
  const lines: string[] = [];
  return {
    lines,
    log: createLogger({ name: 'agent', level: 'trace', format: 'standard', write: (l) => lines.push(l) }),
  };
}

const TOKEN = 'hvs.CAESIsecret-token-value';

describe('file sink', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'file-sink-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('001 writes the raw token (no newline) with mode 0640 by default, logs the path, never the token', async () => {
    const out = capture();
    const path = join(dir, '.vault-token');
    const sink = await FileSink.create({ path }, out.log);
    await sink.write(TOKEN);
    assert.equal(readFileSync(path, 'utf8'), TOKEN);
    assert.equal(statSync(path).mode & 0o777, 0o640);
    const messages = out.lines.map((l) => l.replace(/^\S+ /, ''));
    assert.equal(messages[0], '[INFO]  agent.sink.file: creating file sink\n');
    assert.match(
      messages[1] ?? '',
      /^\[INFO\] {2}agent\.sink\.file: file sink configured: path=\S+ mode=-rw-r----- owner=\d+ group=\d+\n$/,
    );
    assert.equal(messages[2], `[INFO]  agent.sink.file: token written: path=${path}\n`);
    assert.ok(!out.lines.some((l) => l.includes(TOKEN)));
  });

  const modes = [
    { name: 'octal string', mode: '0600', want: 0o600 },
    { name: 'number', mode: 0o400, want: 0o400 },
    { name: '0o prefix', mode: '0o644', want: 0o644 },
    { name: 'decimal string', mode: '416', want: 0o640 },
  ];
  modes.forEach((c, i) => {
    it(`${String(2 + i).padStart(3, '0')} mode override (${c.name}) is applied exactly, whatever the umask`, async () => {
      const path = join(dir, 'token');
      const previous = process.umask(0o077);
      try {
        const sink = await FileSink.create({ path, mode: c.mode }, capture().log);
        await sink.write(TOKEN);
      } finally {
        process.umask(previous);
      }
      assert.equal(statSync(path).mode & 0o777, c.want);
    });
  });

  it('006 replaces the file atomically by rename in the same directory, leaving no temp files', async () => {
    const path = join(dir, 'token');
    writeFileSync(path, 'old');
    const before = statSync(path).ino;
    const sink = await FileSink.create({ path }, capture().log);
    await sink.write('first');
    const afterFirst = statSync(path).ino;
    await sink.write('second');
    assert.notEqual(afterFirst, before, 'a new inode: renamed into place, not truncated in place');
    assert.notEqual(statSync(path).ino, afterFirst);
    assert.equal(readFileSync(path, 'utf8'), 'second');
    assert.deepEqual(readdirSync(dir), ['token']);
  });

  it('007 the construction write check fails clearly for a missing or read-only directory', async () => {
    await assert.rejects(FileSink.create({ path: join(dir, 'missing', 'token') }, capture().log), (err) => {
      assert.ok(err instanceof AuthError);
      assert.equal(err.code, 'SINK_NOT_WRITABLE');
      assert.match(err.message, /missing\/token".*ENOENT/);
      return true;
    });
    if (process.getuid?.() !== 0) {
      const ro = join(dir, 'ro');
      mkdirSync(ro);
      chmodSync(ro, 0o500);
      await assert.rejects(FileSink.create({ path: join(ro, 'token') }, capture().log), /SINK|EACCES/);
    }
    assert.deepEqual(readdirSync(dir).sort(), process.getuid?.() !== 0 ? ['ro'] : []);
  });

  it('008 a failed write rejects and leaves no temp file behind', async () => {
    const path = join(dir, 'token');
    const sink = await FileSink.create({ path }, capture().log);
    mkdirSync(path); // the rename onto a (non-empty) directory must fail
    writeFileSync(join(path, 'keep'), '');
    await assert.rejects(sink.write('next'), /EISDIR|ENOTEMPTY|EEXIST/);
    assert.deepEqual(readdirSync(dir), ['token']);
  });

  const badModes: { name: string; mode: number | string }[] = [
    { name: 'not a number', mode: 'rw-r-----' },
    { name: 'too large', mode: 0o1777 },
    { name: 'negative', mode: -1 },
    { name: 'octal digit 8', mode: '0680' },
  ];
  badModes.forEach((c, i) => {
    it(`${String(9 + i).padStart(3, '0')} rejects mode ${c.name}`, () => {
      assert.throws(
        () => parseSinkMode(c.mode),
        (err) => err instanceof AuthError && err.code === 'SINK_BAD_CONFIG',
      );
    });
  });

  it('013 prints modes as Go does', () => {
    assert.equal(fileModeString(0o640), '-rw-r-----');
    assert.equal(fileModeString(0o755), '-rwxr-xr-x');
    assert.equal(fileModeString(0), '----------');
  });
});

describe('sink server', () => {
  it('001 retries a failing sink after 1-3 s and reports delivery', async () => {
    const waits: number[] = [];
    let attempts = 0;
    const written: string[] = [];
    const out = capture();
    const server = new SinkServer({
      sinks: [
        {
          path: '/x',
          write: async (t) => {
            if (++attempts < 3) throw new Error('EACCES: permission denied');
            written.push(t);
          },
        },
      ],
      log: out.log,
      random: () => 0.999,
      sleep: async (ms) => void waits.push(ms),
    });
    assert.equal(await server.deliver(TOKEN), true);
    assert.deepEqual(written, [TOKEN]);
    assert.deepEqual(waits, [2998, 2998]);
    assert.equal(
      out.lines.filter((l) => l.includes('agent.sink.server: error returned by sink function, retrying')).length,
      2,
    );
    assert.ok(!out.lines.some((l) => l.includes(TOKEN)));
  });

  it('002 a newer token supersedes one still being retried', async () => {
    const written: string[] = [];
    let release: (() => void) | undefined;
    const server = new SinkServer({
      sinks: [
        {
          path: '/x',
          write: async (t) => {
            if (t === 'old') throw new Error('fails');
            written.push(t);
          },
        },
      ],
      log: capture().log,
      sleep: (_ms, signal) =>
        new Promise<void>((r) => {
          release = r;
          signal.addEventListener('abort', () => r(), { once: true });
        }),
    });
    const old = server.deliver('old');
    await new Promise((r) => setImmediate(r));
    assert.ok(release, 'the old token is waiting to retry');
    assert.equal(await server.deliver('new'), true);
    assert.equal(await old, false);
    assert.deepEqual(written, ['new']);
  });

  it('003 retry waits are within [1 s, 3 s)', () => {
    assert.equal(
      sinkRetryMs(() => 0),
      1000,
    );
    assert.ok(sinkRetryMs(() => 0.9999999) < 3000);
  });
});
