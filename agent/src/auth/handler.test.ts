import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../cli/log.js';
import { AuthError } from './errors.js';
import { AuthHandler, type AuthHandlerOptions } from './handler.js';
import { createAuthMethod } from './methods/factory.js';
import type { AuthMethod } from './methods/types.js';
import type { AuthVaultPort, LoginAnswer } from './port.js';
import type { TokenSink } from './sink.js';

/** Sleeping advances a virtual clock; the await lets the other side (test, stop()) run in between. */
function virtualTime() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleeps,
    sleep: async (ms: number, signal?: AbortSignal) => {
      sleeps.push(ms);
      t += ms;
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) return;
    },
  };
}

function capture() {
  const lines: string[] = [];
  const log = createLogger({ name: 'agent', level: 'trace', format: 'standard', write: (l) => lines.push(l) });
  const messages = () => lines.map((l) => l.replace(/^\S+ \[\w+\] +/, '').trimEnd());
  return { log, lines, messages };
}

const answer = (clientToken: string, leaseDuration = 3600, renewable = true): LoginAnswer => ({
  clientToken,
  accessor: `acc-${clientToken}`,
  leaseDuration,
  renewable,
  policies: ['default'],
});

const fixedMethod: AuthMethod = {
  type: 'kubernetes',
  mountPath: 'auth/kubernetes',
  logFields: { role: 'app' },
  loginBody: async () => ({ role: 'app', jwt: 'jwt-value' }),
};

class MemorySink implements TokenSink {
  readonly path = '/memory';
  readonly tokens: string[] = [];
  async write(token: string) {
    this.tokens.push(token);
  }
}

function portError(message: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), extra);
}

async function eventually(what: string, check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function handlerWith(vault: Partial<AuthVaultPort>, extra: Partial<AuthHandlerOptions> = {}) {
  const time = virtualTime();
  const out = capture();
  const sink = new MemorySink();
  const port: AuthVaultPort = {
    login: async () => answer('t'),
    renewSelf: async () => ({ leaseDuration: 3600, renewable: true }),
    lookupSelf: async () => ({ ttl: 3600, renewable: true }),
    ...vault,
  };
  const handler = new AuthHandler({
    method: fixedMethod,
    vault: port,
    sinks: [sink],
    log: out.log,
    random: () => 0,
    now: time.now,
    sleep: time.sleep,
    ...extra,
  });
  return { handler, time, out, sink };
}

describe('auth handler', () => {
  it('001 backs off 1s, 2s, 4s, 8s, 8s between failed logins and logs the lagging backoff with role and mount', async () => {
    let attempts = 0;
    const { handler, time, out } = handlerWith(
      {
        login: async () => {
          attempts++;
          throw portError('Error making API request: Code: 400. Errors: invalid role name "app"', { status: 400 });
        },
      },
      { minBackoffMs: 1000, maxBackoffMs: 8000 },
    );
    const run = handler.run();
    await eventually('five attempts', () => attempts >= 5);
    await handler.stop();
    await run;
    assert.deepEqual(time.sleeps.slice(0, 4), [1000, 2000, 4000, 8000]);
    const errors = out.lines.filter((l) => l.includes('[ERROR] agent.auth.handler: error authenticating'));
    assert.ok(errors.length >= 4);
    assert.equal(
      errors[0]?.replace(/^\S+ /, ''),
      '[ERROR] agent.auth.handler: error authenticating: error="Error making API request: Code: 400. Errors: invalid role name \\"app\\"" backoff=1s role=app mount_path=auth/kubernetes\n',
    );
    assert.deepEqual(
      errors.slice(0, 4).map((l) => /backoff=(\S+)/.exec(l)?.[1]),
      ['1s', '1s', '2s', '4s'],
    );
  });

  it('002 exit_on_err: the first failed login rejects run() with that error, without retrying', async () => {
    let attempts = 0;
    const failure = portError('permission denied', { status: 403, permissionDenied: true });
    const { handler, time } = handlerWith(
      {
        login: async () => {
          attempts++;
          throw failure;
        },
      },
      { exitOnErr: true },
    );
    await assert.rejects(handler.run(), (err) => err === failure);
    assert.equal(attempts, 1);
    assert.deepEqual(time.sleeps, []);
  });

  it('003 logs in, writes sinks, tells listeners, renews, and logs in again when the watcher ends near max TTL', async () => {
    let logins = 0;
    let maxTtlAt = 0;
    const time = virtualTime();
    const seen: string[] = [];
    const { handler, sink, out } = handlerWith(
      {
        login: async () => {
          logins++;
          maxTtlAt = time.now() + 100_000; // token_ttl 30 s, token_max_ttl 100 s
          return answer(`token-${logins}`, 30);
        },
        renewSelf: async () => ({
          leaseDuration: Math.min(30, Math.floor((maxTtlAt - time.now()) / 1000)),
          renewable: true,
        }),
      },
      { now: time.now, sleep: time.sleep, random: () => 0.5, onToken: (t) => void seen.push(t) },
    );
    const run = handler.run();
    await eventually('a third login', () => logins >= 3);
    await handler.stop();
    await run;
    assert.deepEqual(sink.tokens.slice(0, 2), ['token-1', 'token-2']);
    assert.deepEqual(seen.slice(0, 2), ['token-1', 'token-2']);
    const m = out.messages();
    const first = m.slice(0, 8);
    assert.deepEqual(m.slice(-3), [
      'agent.sink.server: sink server stopped',
      'agent.auth.handler: shutdown triggered, stopping lifetime watcher',
      'agent.auth.handler: auth handler stopped',
    ]);
    assert.deepEqual(first.slice(0, 6), [
      'agent.sink.server: starting sink server',
      'agent.auth.handler: starting auth handler',
      'agent.auth.handler: authenticating',
      'agent.auth.handler: authentication successful, sending token to sinks',
      'agent.auth.handler: starting renewal process',
      'agent.auth.handler: renewed auth token',
    ]);
    assert.ok(m.includes('agent.auth.handler: lifetime watcher done channel triggered, re-authenticating'));
    assert.ok(!out.lines.some((l) => l.includes('token-1')), 'tokens never logged');
  });

  it('004 reauthenticate() (invalid token from templates) logs in again at once; ignored before the first token', async () => {
    let logins = 0;
    const { handler, sink, out } = handlerWith({
      login: async () => {
        logins++;
        return answer(`token-${logins}`, 3600);
      },
    });
    assert.equal(handler.reauthenticate(), false);
    const run = handler.run();
    await eventually('the first token', () => sink.tokens.length === 1);
    await eventually('the watcher', () => out.messages().includes('agent.auth.handler: renewed auth token'));
    assert.equal(handler.reauthenticate(), true);
    await eventually('the second token', () => sink.tokens.length === 2);
    assert.equal(handler.token, 'token-2');
    await handler.stop();
    await run;
    assert.ok(out.messages().includes('agent.auth.handler: invalid token found, re-authenticating'));
    assert.ok(out.messages().includes('agent.auth.handler: shutdown triggered, stopping lifetime watcher'));
  });

  it('005 a renewal refused with "invalid token" (revoked) triggers an immediate login', async () => {
    let logins = 0;
    let renewals = 0;
    const { handler, sink } = handlerWith({
      login: async () => {
        logins++;
        return answer(`token-${logins}`, 3600);
      },
      renewSelf: async (token) => {
        renewals++;
        if (token === 'token-1' && renewals > 1)
          throw portError('permission denied; invalid token', { status: 403, invalidToken: true });
        return { leaseDuration: 3600, renewable: true };
      },
    });
    const run = handler.run();
    await eventually('the second token', () => sink.tokens.length >= 2);
    await handler.stop();
    await run;
    assert.deepEqual(sink.tokens.slice(0, 2), ['token-1', 'token-2']);
  });

  it('006 a root token (no TTL) is never renewed', async () => {
    let renewals = 0;
    const { handler, sink, out } = handlerWith({
      login: async () => answer('root-like', 0, false),
      renewSelf: async () => {
        renewals++;
        return { leaseDuration: 0, renewable: false };
      },
    });
    const run = handler.run();
    await eventually('the token', () => sink.tokens.length === 1);
    await handler.stop();
    await run;
    assert.equal(renewals, 0);
    assert.ok(
      out.messages().includes('agent.auth.handler: not starting token renewal process, as token has unlimited TTL'),
    );
  });

  it('007 exit_after_auth: run() resolves once sinks and listeners have the first token; nothing is renewed', async () => {
    let renewals = 0;
    const seen: string[] = [];
    const { handler, sink } = handlerWith(
      {
        renewSelf: async () => {
          renewals++;
          return { leaseDuration: 3600, renewable: true };
        },
      },
      { exitAfterAuth: true, onToken: (t) => void seen.push(t) },
    );
    await handler.run();
    assert.deepEqual(sink.tokens, ['t']);
    assert.deepEqual(seen, ['t']);
    assert.equal(renewals, 0);
  });

  it('008 stop() ends a hanging login promptly', async () => {
    const { handler } = handlerWith({ login: () => new Promise<LoginAnswer>(() => {}) });
    const run = handler.run();
    await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await handler.stop();
    await run;
    assert.ok(Date.now() - started < 200);
  });

  it('009 stop() ends real backoff and renewal timers at once (no dangling timers)', async () => {
    const out = capture();
    const failing = new AuthHandler({
      method: fixedMethod,
      vault: {
        login: async () => {
          throw portError('connection refused');
        },
        renewSelf: async () => ({ leaseDuration: 1, renewable: true }),
        lookupSelf: async () => ({ ttl: 1, renewable: true }),
      },
      sinks: [],
      log: out.log,
      minBackoffMs: 60_000,
      maxBackoffMs: 60_000,
    });
    const run = failing.run();
    await eventually('the first failure', () => out.lines.some((l) => l.includes('error authenticating')));
    const started = Date.now();
    await failing.stop();
    await run;
    assert.ok(Date.now() - started < 200);
  });

  it('010 the kubernetes token file is re-read on every attempt (rotated between a failed and a good login)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-handler-'));
    try {
      const tokenPath = join(dir, 'token');
      writeFileSync(tokenPath, 'jwt-one\n');
      const method = createAuthMethod({
        type: 'kubernetes',
        mountPath: 'auth/kubernetes',
        config: { role: 'app', token_path: tokenPath },
      });
      const jwts: unknown[] = [];
      const time = virtualTime();
      const { handler, sink } = handlerWith(
        {
          login: async (mount, body) => {
            assert.equal(mount, 'auth/kubernetes');
            jwts.push(body.jwt);
            if (jwts.length === 1) throw portError('permission denied', { status: 403, permissionDenied: true });
            return answer('t-after-rotation');
          },
        },
        {
          method,
          sleep: async (ms, signal) => {
            writeFileSync(tokenPath, '  jwt-two  \n'); // the kubelet rotated the projected token meanwhile
            await time.sleep(ms, signal);
          },
        },
      );
      const run = handler.run();
      await eventually('a token', () => sink.tokens.length === 1);
      await handler.stop();
      await run;
      assert.deepEqual(jwts, ['jwt-one', 'jwt-two']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('011 a missing token file is a login error naming the path, retried', async () => {
    const method = createAuthMethod({
      type: 'kubernetes',
      mountPath: 'auth/k8s',
      config: { role: 'app', token_path: '/nonexistent/token' },
    });
    let logins = 0;
    const { handler, out } = handlerWith(
      {
        login: async () => {
          logins++;
          return answer('x');
        },
      },
      { method },
    );
    const run = handler.run();
    await eventually('two failures', () => out.lines.filter((l) => l.includes('error authenticating')).length >= 2);
    await handler.stop();
    await run;
    assert.equal(logins, 0);
    assert.match(
      out.lines.find((l) => l.includes('error authenticating')) ?? '',
      /file \\"\/nonexistent\/token\\": ENOENT.*mount_path=auth\/k8s/,
    );
  });

  it('012 a login answer without a token is an error, not a delivered empty token', async () => {
    const failures: unknown[] = [];
    const { handler, sink } = handlerWith({ login: async () => answer('') }, { exitOnErr: true });
    await handler.run().catch((e) => failures.push(e));
    assert.equal(sink.tokens.length, 0);
    assert.ok(failures[0] instanceof AuthError && failures[0].code === 'AUTH_NO_TOKEN');
  });

  it('013 a failing sink write is retried after 1-3 s until the token is in the file', async function () {
    this.timeout(8000);
    const dir = mkdtempSync(join(tmpdir(), 'auth-handler-'));
    try {
      let failures = 2;
      const sink: TokenSink = {
        path: join(dir, 'token'),
        write: async (token) => {
          if (failures-- > 0) throw new Error('disk full');
          writeFileSync(join(dir, 'token'), token);
        },
      };
      const out = capture();
      const handler = new AuthHandler({
        method: fixedMethod,
        vault: {
          login: async () => answer('tok', 3600),
          renewSelf: async () => ({ leaseDuration: 3600, renewable: true }),
          lookupSelf: async () => ({ ttl: 3600, renewable: true }),
        },
        sinks: [sink],
        log: out.log,
        exitAfterAuth: true,
        random: () => 0, // 1 s retry waits
      });
      const started = Date.now();
      await handler.run();
      assert.ok(Date.now() - started >= 1900, 'two 1 s retry waits');
      assert.equal(readFileSync(join(dir, 'token'), 'utf8'), 'tok');
      assert.equal(
        out.messages().filter((m) => m.startsWith('agent.sink.server: error returned by sink function, retrying'))
          .length,
        2,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
