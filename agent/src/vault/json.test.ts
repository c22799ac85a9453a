import assert from 'node:assert/strict';
import { JsonNumber } from '../template/dependencies.js';
import { decodeErrors, decodeSecret, splitMultiError } from './envelope.js';
import { escapePath, requestTarget } from './http-path.js';
import { NATIVE_NUMBER_TEXT, parseVaultJson as parseJson, parseVaultJson, stringifyVaultJson } from './json.js';
import { isRetryableStatus, retryDelayMs } from './retry.js';

// Two parsers: JSON.parse with source text (Node 21+, what the image runs) and lossless-json (Node 20).
for (const [label, native] of [
  ['native JSON.parse with source text', true],
  ['lossless-json', false],
] as const) {
  describe(`Vault JSON: ${label}`, () => {
    before(function () {
      if (native && !NATIVE_NUMBER_TEXT) this.skip(); // this Node's JSON.parse gives revivers no source text
    });
    const parseVaultJson = (text: string) => parseJson(text, native);

    it('keeps every number as its lexeme and writes it back unchanged', () => {
      const text = '{"a":1.50,"b":9007199254740993,"c":-0,"d":1e3,"e":[0.1,2],"f":"1.50","g":true,"h":null}';
      const v = parseVaultJson(text);
      assert.deepEqual(v, {
        a: new JsonNumber('1.50'),
        b: new JsonNumber('9007199254740993'),
        c: new JsonNumber('-0'),
        d: new JsonNumber('1e3'),
        e: [new JsonNumber('0.1'), new JsonNumber('2')],
        f: '1.50',
        g: true,
        h: null,
      });
      assert.equal(stringifyVaultJson(v), text);
    });

    it('keeps the last of duplicate keys (as Go does) and rejects invalid JSON', () => {
      assert.deepEqual(parseVaultJson('{"a":"x","a":"y"}'), { a: 'y' });
      assert.throws(() => parseVaultJson('{"a":01}'), SyntaxError);
      assert.throws(() => parseVaultJson('{"a":1'), SyntaxError);
      assert.throws(() => parseVaultJson('[1,]'), SyntaxError);
      assert.throws(() => parseVaultJson('{} x'), SyntaxError);
    });

    it('keeps a "__proto__" key as data, never as the prototype', () => {
      const v = parseVaultJson('{"__proto__":{"x":1},"s":"a\\n"}') as Record<string, unknown>;
      assert.ok(Object.hasOwn(v, '__proto__'));
      assert.equal(Object.getPrototypeOf(v), Object.prototype);
      assert.equal((v as { x?: unknown }).x, undefined);
      assert.equal(v.s, 'a\n');
    });

    it('reads a Vault response as the other parser does (nested data, escapes, numbers in arrays)', () => {
      const text =
        '{"request_id":"r","lease_duration":2764800,"renewable":false,"data":{"data":{"pw":"p\\u00e9\\"q","n":[1,2.0,-3e-2]},' +
        '"metadata":{"version":3,"custom_metadata":null,"destroyed":false}},"warnings":null,"auth":null}';
      assert.deepEqual(parseVaultJson(text), parseJson(text, false));
    });
  });
}

describe('Vault JSON: writing', () => {
  it('serializes plain JS values like JSON.stringify, bigint as digits', () => {
    assert.equal(
      stringifyVaultJson({ n: 2, s: 'x', big: 12345678901234567890n, u: undefined }),
      '{"n":2,"s":"x","big":12345678901234567890}',
    );
    assert.equal(stringifyVaultJson(undefined), 'null');
  });
});

describe('Vault envelopes', () => {
  it('decodes the success envelope with zero values for missing fields', () => {
    const s = decodeSecret(
      parseVaultJson(
        '{"lease_id":"db/creds/r/1","lease_duration":3600,"renewable":true,"data":{"u":"x"},"auth":{"client_token":"t","policies":["a"],"metadata":{"role":"r"},"lease_duration":60,"renewable":true}}',
      ),
    );
    assert.equal(s.request_id, '');
    assert.equal(s.lease_duration, 3600);
    assert.equal(s.auth?.client_token, 't');
    assert.deepEqual(s.auth?.metadata, { role: 'r' });
    assert.equal(s.auth?.token_type, '');
    assert.equal(s.wrap_info, null);
    assert.equal(s.mount_type, '');
  });

  it('rejects fields of the wrong type', () => {
    assert.throws(() => decodeSecret(parseVaultJson('{"lease_duration":"1h"}')), /lease_duration is not an integer/);
    assert.throws(() => decodeSecret(parseVaultJson('{"data":[1]}')), /data is not an object/);
    assert.throws(
      () => decodeSecret(parseVaultJson('{"auth":{"metadata":{"a":1}}}')),
      /auth\.metadata\.a is not a string/,
    );
    assert.throws(() => decodeSecret(parseVaultJson('[]')), /not a JSON object/);
  });

  it('splits go-multierror text into its items', () => {
    assert.deepEqual(splitMultiError('2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'), [
      'permission denied',
      'invalid token',
    ]);
    assert.deepEqual(splitMultiError('permission denied'), ['permission denied']);
    assert.deepEqual(decodeErrors(parseVaultJson('{"errors":[]}')), []);
    assert.equal(decodeErrors(parseVaultJson('{"data":{}}')), undefined);
  });
});

describe('request paths and retry policy', () => {
  it('escapes like Go and splits the query off the path', () => {
    assert.equal(escapePath('secret/data/a b/é?!'), 'secret/data/a%20b/%C3%A9%3F%21');
    assert.deepEqual(requestTarget('/secret/data/app?version=2', { list: 'true' }), {
      path: '/v1/secret/data/app',
      search: '?version=2&list=true',
    });
    assert.deepEqual(requestTarget('secret/metadata/'), { path: '/v1/secret/metadata/', search: '' });
  });

  it('retries 412, 429 and 5xx except 501', () => {
    assert.deepEqual(
      [400, 403, 404, 412, 429, 500, 501, 502, 503, 504].filter(isRetryableStatus),
      [412, 429, 500, 502, 503, 504],
    );
  });

  it('waits retry × a jittered base between min and max', () => {
    const b = { minWaitMs: 1000, maxWaitMs: 1500 };
    assert.equal(retryDelayMs(1, b, 0), 1000);
    assert.equal(retryDelayMs(1, b, 0.999), 1499);
    assert.equal(retryDelayMs(3, b, 0.5), 3750);
    assert.equal(retryDelayMs(2, { minWaitMs: 250, maxWaitMs: 250 }, 0.9), 500);
  });
});
