import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readToken, runTokenRevoke } from './token-revoke.js';
import { DEFAULT_ADDRESS, parseRevokeArgs, parseWait, RevokeUsageError } from './token-revoke-flags.js';

const TOKEN = 'hvs.secret-token-value';

/** A local server that answers each request with the next status of `statuses` (transport behaviour only). */
async function vaultStub(statuses: number[]): Promise<{ addr: string; seen: IncomingMessage[]; server: Server }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    const status = statuses.shift() ?? 500;
    if (status === 204) res.writeHead(204).end();
    else
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [status === 403 ? 'permission denied' : 'local node not active'] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { addr: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('agent/token-revoke', () => {
  describe('flags', () => {
    it('takes Go flag forms; flags win over VAULT_* env', () => {
      const s = parseRevokeArgs(
        ['-self', '--address=http://a:8200', '-wait', '3', '-ca-cert=/ca.pem', '-tls-skip-verify=false'],
        { VAULT_ADDR: 'http://env:8200', VAULT_CACERT: '/env.pem', VAULT_SKIP_VERIFY: 'true', VAULT_NAMESPACE: 'ns' },
      );
      assert.ok(s);
      assert.equal(s.address, 'http://a:8200');
      assert.equal(s.waitMs, 3000);
      assert.equal(s.caCert, '/ca.pem');
      assert.equal(s.tlsSkipVerify, false);
      assert.equal(s.namespace, 'ns');
    });

    it('falls back to VAULT_ADDR, then to the CLI default address', () => {
      assert.equal(parseRevokeArgs(['-self'], { VAULT_ADDR: 'https://v:8200/' })?.address, 'https://v:8200');
      assert.equal(parseRevokeArgs(['-self'], {})?.address, DEFAULT_ADDRESS);
      assert.equal(parseRevokeArgs(['-self'], { VAULT_SKIP_VERIFY: '1' })?.tlsSkipVerify, true);
    });

    it('-wait takes seconds or a Go duration', () => {
      assert.equal(parseWait('5', '-wait'), 5000);
      assert.equal(parseWait('5s', '-wait'), 5000);
      assert.equal(parseWait('1m30s', '-wait'), 90_000);
      assert.equal(parseWait('250ms', '-wait'), 250);
      assert.throws(() => parseWait('-1s', '-wait'), /must not be negative/);
      assert.throws(() => parseWait('soon', '-wait'), /"soon" for -wait: expected seconds/);
    });

    it('rejects bad usage with a specific message', () => {
      const bad: [string[], RegExp][] = [
        [[], /-self is required/],
        [['-self=false'], /-self is required/],
        [['-self', '-accessor'], /flag provided but not defined: -accessor/],
        [['-self', 'hvs.abc'], /unexpected argument/],
        [['-self', '-address'], /flag needs an argument: -address/],
        [['-self', '-address=vault:8200'], /scheme must be http or https/],
        [['-self', '-address=http://['], /invalid Vault address/],
        [['-self', '-tls-skip-verify=maybe'], /invalid boolean value "maybe"/],
      ];
      for (const [args, re] of bad) assert.throws(() => parseRevokeArgs(args, {}), re, args.join(' '));
      assert.throws(() => parseRevokeArgs(['-self'], { VAULT_MAX_RETRIES: 'x' }), RevokeUsageError);
      assert.equal(parseRevokeArgs(['-h'], {}), undefined);
    });
  });

  describe('token', () => {
    it('VAULT_TOKEN wins over $HOME/.vault-token; the file is trimmed', () => {
      const files: Record<string, string> = { '/h/.vault-token': `${TOKEN}\n` };
      const read = (p: string) => {
        const f = files[p];
        if (f === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
        return f;
      };
      assert.deepEqual(readToken({ HOME: '/h' }, read), { token: TOKEN, from: '/h/.vault-token' });
      assert.deepEqual(readToken({ HOME: '/h', VAULT_TOKEN: 'env-token' }, read), {
        token: 'env-token',
        from: 'VAULT_TOKEN',
      });
      assert.throws(() => readToken({ HOME: '/none' }, read), /VAULT_TOKEN is empty and \/none\/.vault-token does not/);
      files['/e/.vault-token'] = ' \n';
      assert.throws(() => readToken({ HOME: '/e' }, read), /\/e\/.vault-token is empty/);
    });
  });

  describe('revoking', () => {
    it('waits, then PUTs revoke-self with the token and namespace; retries a 5xx; exit 0', async () => {
      const stub = await vaultStub([500, 204]);
      const slept: number[] = [];
      const c = capture();
      try {
        const code = await runTokenRevoke(
          ['-self', '-wait=2s', `-address=${stub.addr}`, '-namespace=team-a'],
          { VAULT_TOKEN: TOKEN },
          c.io,
          { sleep: async (ms) => void slept.push(ms), readFile: () => assert.fail('VAULT_TOKEN wins') },
        );
        assert.equal(code, 0, c.err.join(''));
        assert.deepEqual(slept, [2000, 250]);
        assert.equal(stub.seen.length, 2);
        const req = stub.seen[1] as IncomingMessage;
        assert.equal(req.method, 'PUT');
        assert.equal(req.url, '/v1/auth/token/revoke-self');
        assert.equal(req.headers['x-vault-token'], TOKEN);
        assert.equal(req.headers['x-vault-namespace'], 'team-a');
        assert.match(c.out.join(''), /^token-revoke: revoked the Vault token from VAULT_TOKEN at http/);
      } finally {
        stub.server.close();
      }
    });

    it('a 403 fails at once with exit 1 and Vault error text, never the token', async () => {
      const stub = await vaultStub([403, 204]);
      const c = capture();
      try {
        const code = await runTokenRevoke(['-self', `-address=${stub.addr}`], { VAULT_TOKEN: TOKEN }, c.io, {
          sleep: async () => {},
          readFile: () => '',
        });
        assert.equal(code, 1);
        assert.equal(stub.seen.length, 1);
        const err = c.err.join('');
        assert.match(err, /revoke-self: HTTP 403: permission denied/);
        assert.equal(err.includes(TOKEN), false);
        assert.equal(c.out.join(''), '');
      } finally {
        stub.server.close();
      }
    });

    it('usage errors exit 2 before any wait or request', async () => {
      const c = capture();
      const code = await runTokenRevoke(['-wait=5s'], {}, c.io, {
        sleep: async () => assert.fail('must not wait'),
        readFile: () => assert.fail('must not read'),
      });
      assert.equal(code, 2);
      assert.match(c.err.join(''), /-self is required/);
    });
  });
});
